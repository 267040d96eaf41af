"""The invite-only event email: a program template (key "event_invitation", all five
languages) sent through the marketing pipeline, which respects suppressions and opt-outs.
The access code itself stays in the hub (with its QR code); the email links there."""

from django.conf import settings
from django.urls import reverse

TEMPLATE_KEY = "event_invitation"
CATEGORY = "invitation"  # wanted by the person, like a program invitation: exempt from the weekly cap

EVENT_INVITATION_TEXTS = {
    "en": {"subject": "{{ first_name }}, you are invited: {{ event }}",
           "preheader": "An invite-only {{ program }} event, with a personal access code.",
           "body": "Hello {{ first_name }},\n\nYou are invited to {{ event }}, an invite-only event of {{ program }}."
                   "\n\nYour personal access code, the details and the RSVP are in your hub.",
           "cta": "See my invitation"},
    "ar": {"subject": "{{ first_name }}، أنت مدعو: {{ event }}",
           "preheader": "فعالية خاصة بالمدعوين من {{ program }}، مع رمز دخول شخصي.",
           "body": "مرحباً {{ first_name }}،\n\nأنت مدعو إلى {{ event }}، وهي فعالية خاصة بالمدعوين من {{ program }}."
                   "\n\nرمز الدخول الشخصي والتفاصيل وتأكيد الحضور في مساحتك.",
           "cta": "عرض دعوتي"},
    "de": {"subject": "{{ first_name }}, Sie sind eingeladen: {{ event }}",
           "preheader": "Eine exklusive Veranstaltung von {{ program }}, mit persönlichem Zugangscode.",
           "body": "Hallo {{ first_name }},\n\nSie sind zu {{ event }} eingeladen, einer exklusiven Veranstaltung von "
                   "{{ program }}.\n\nIhren persönlichen Zugangscode, die Details und die Zusage finden Sie in Ihrem Bereich.",
           "cta": "Meine Einladung ansehen"},
    "ja": {"subject": "{{ first_name }}様、{{ event }} にご招待します",
           "preheader": "{{ program }} の招待制イベントです。個人用のアクセスコード付き。",
           "body": "{{ first_name }}様\n\n{{ program }} の招待制イベント「{{ event }}」にご招待します。"
                   "\n\n個人用アクセスコード、詳細、出欠の回答はハブでご確認ください。",
           "cta": "招待を見る"},
    "pl": {"subject": "{{ first_name }}, zapraszamy: {{ event }}",
           "preheader": "Wydarzenie {{ program }} tylko dla zaproszonych, z osobistym kodem dostępu.",
           "body": "Cześć {{ first_name }},\n\nZapraszamy Cię na {{ event }}, wydarzenie {{ program }} tylko dla "
                   "zaproszonych.\n\nOsobisty kod dostępu, szczegóły i potwierdzenie udziału znajdziesz w swoim hubie.",
           "cta": "Zobacz zaproszenie"},
}


def install_event_invitation_template(program):
    """Register the program's "event_invitation" template in all five languages (idempotent)."""
    from chorus.notifications.templates import ensure_default_template

    return ensure_default_template(program, TEMPLATE_KEY, EVENT_INVITATION_TEXTS, name="Event invitation",
                                   category=CATEGORY)


def send_event_invitation_emails(event, invitations) -> int:
    """Queue one email per new invitation (they leave after commit); returns how many were queued
    (suppressed or opted-out addresses are skipped by the pipeline)."""
    from chorus.notifications.marketing import send_marketing_email

    program = event.program
    install_event_invitation_template(program)
    link = f"{settings.CHORUS_BASE_URL}{reverse('hub:access_events', kwargs={'slug': program.slug})}"
    queued = 0
    for invitation in invitations:
        advocate = invitation.advocate
        language = advocate.language or ""
        queued += send_marketing_email(
            program, to_email=advocate.email, name=advocate.name, language=language, template_key=TEMPLATE_KEY,
            category=CATEGORY, advocate=advocate, tracking_key=f"event_invitation:{invitation.pk}",
            context={"link": link, "program": program.name, "event": event.localized_title(language)},
        ) is not None
    return queued
