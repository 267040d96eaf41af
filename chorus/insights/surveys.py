"""Sending the NPS survey by email (I2).

A survey goes once to each address (unique per survey). Each email carries eleven score
buttons, each a link to the survey page with a signed, per-recipient token and the score
pre-selected; the page records nothing until the form is submitted (see `nps.py`).
Emails leave through the marketing sender (`category="nps"`) after the transaction
commits, in the recipient's language, with the template `nps_survey`.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.advocates.models import Advocate, Customer
from chorus.core.emails import normalize_email
from chorus.core.errors import InvalidInput
from chorus.core.models import audit

from .models import NpsSend, NpsSurvey

TOKEN_SALT = "chorus.insights.nps"
TOKEN_MAX_AGE = timedelta(days=90)  # a survey link works for 90 days
TEMPLATE_KEY = "nps_survey"
CATEGORY = "nps"
MAX_RECIPIENTS = 100_000


def question(program) -> str:
    return _("How likely are you to recommend %(program)s to a friend or colleague?") % {"program": program.name}


# --- tokens and links ----------------------------------------------------------------------------

def make_token(send: NpsSend) -> str:
    """`<send id>:<signature>`: the same link every time it is built, unforgeable."""
    return signing.Signer(salt=TOKEN_SALT).sign(str(send.pk))


def send_for_token(program, token: str) -> NpsSend | None:
    """The send a token names (in this program), or None if it is forged, altered or older than 90 days."""
    try:
        send_id = signing.Signer(salt=TOKEN_SALT).unsign(token or "")
    except signing.BadSignature:
        return None
    if not send_id.isdigit():
        return None
    send = NpsSend.objects.select_related("program", "survey", "customer", "advocate").filter(
        pk=int(send_id), program=program).first()
    if send is None or send.sent_at < timezone.now() - TOKEN_MAX_AGE:
        return None
    return send


def survey_url(send: NpsSend, score: int | None = None) -> str:
    path = reverse("hub:nps_survey", kwargs={"slug": send.program.slug, "token": make_token(send)})
    return f"{settings.CHORUS_BASE_URL}{path}" + (f"?score={score}" if score is not None else "")


def score_links(send: NpsSend) -> list[dict]:
    """The eleven buttons: score 0..10 and its link."""
    base = survey_url(send)
    return [{"score": score, "url": f"{base}?score={score}"} for score in range(11)]


# --- choosing recipients and sending ---------------------------------------------------------------

def _recipients(program, *, customer_ids=(), advocate_ids=(), all_customers=False, all_advocates=False) -> list[dict]:
    """One entry per address: the customer (and the advocate with the same address)."""
    customers = Customer.objects.filter(program=program).exclude(email_normalized="")
    customers = customers if all_customers else customers.filter(pk__in=list(customer_ids))
    advocates = Advocate.objects.filter(program=program, status=Advocate.Status.ACTIVE)
    advocate_by_email = {a.email_normalized: a for a in advocates}
    chosen_advocates = advocates if all_advocates else advocates.filter(pk__in=list(advocate_ids))
    people: dict[str, dict] = {}
    for customer in customers.order_by("pk"):
        people[customer.email_normalized] = {"customer": customer,
                                             "advocate": advocate_by_email.get(customer.email_normalized)}
    for advocate in chosen_advocates.order_by("pk"):
        people.setdefault(advocate.email_normalized, {"customer": None, "advocate": advocate})
        people[advocate.email_normalized]["advocate"] = advocate
    return list(people.values())


def send_survey(program, *, name: str = "", customer_ids=(), advocate_ids=(), all_customers: bool = False,
                all_advocates: bool = False, user=None) -> NpsSurvey:
    """Create a survey and email it to the chosen people once the transaction commits.

    InvalidInput (422, nothing stored) when nobody with an email address is chosen."""
    recipients = _recipients(program, customer_ids=customer_ids, advocate_ids=advocate_ids,
                             all_customers=all_customers, all_advocates=all_advocates)
    if not recipients:
        message = _("Choose at least one customer or advocate with an email address.")
        raise InvalidInput(message, field_errors={"recipients": [message]})
    if len(recipients) > MAX_RECIPIENTS:
        message = _("At most %(limit)s recipients per survey.") % {"limit": MAX_RECIPIENTS}
        raise InvalidInput(message, field_errors={"recipients": [message]})
    ensure_template(program)
    with transaction.atomic():
        survey = NpsSurvey.objects.create(program=program, name=(name or "").strip()[:120] or _("NPS survey"),
                                          created_by=user if getattr(user, "is_authenticated", False) else None)
        NpsSend.objects.bulk_create([_send_row(survey, **person) for person in recipients], batch_size=1000)
        audit(action="nps_survey.sent", target=survey, actor=user, workspace=program.workspace,
              recipients=len(recipients))
        transaction.on_commit(lambda: _enqueue(survey.pk))
    return survey


def _enqueue(survey_id: int) -> None:
    from .tasks import email_survey_task

    email_survey_task.enqueue(survey_id)


def email_pending_sends(survey_id: int, *, batch: int = 500) -> int:
    """Queue the email of every send not emailed yet (the background task's work).

    Each send is claimed with a conditional UPDATE in the same transaction as its queued
    email, so a task that runs twice (or two at once) emails nobody twice."""
    queued = 0
    while True:
        pending = list(NpsSend.objects.filter(survey_id=survey_id, emailed_at__isnull=True)
                       .values_list("pk", flat=True).order_by("pk")[:batch])
        if not pending:
            return queued
        for send in NpsSend.objects.filter(pk__in=pending).select_related("program", "customer", "advocate").order_by("pk"):
            with transaction.atomic():
                if NpsSend.objects.filter(pk=send.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
                    _email(send)
                    queued += 1


def _send_row(survey: NpsSurvey, *, customer, advocate) -> NpsSend:
    who = customer if customer is not None else advocate
    language = getattr(customer, "language", "") if customer is not None else ""
    language = language or (advocate.language if advocate is not None else "")
    return NpsSend(survey=survey, program=survey.program, customer=customer, advocate=advocate, email=who.email,
                   email_normalized=normalize_email(who.email), name=who.name or (advocate.name if advocate else ""),
                   language=language)


def _email(send: NpsSend):
    from chorus.notifications.marketing import send_marketing_email

    return send_marketing_email(
        send.program, to_email=send.email, name=send.name, language=send.language, template_key=TEMPLATE_KEY,
        context=email_context(send), category=CATEGORY, advocate=send.advocate, customer=send.customer,
        tracking_key=f"nps:{send.pk}")


def email_context(send: NpsSend) -> dict:
    """The survey link, and the eleven score buttons the email shows instead of one call to action."""
    return {"link": survey_url(send),
            "buttons": [{"label": str(item["score"]), "url": item["url"]} for item in score_links(send)]}


# --- the default template, in the five languages -------------------------------------------------

DEFAULT_TEXTS = {
    "en": {"subject": "{{ first_name }}, a quick question from {{ program }}",
           "preheader": "One click: how likely are you to recommend us?",
           "body": "Hi {{ first_name }},\n\nHow likely are you to recommend {{ program }} to a friend or colleague? "
                   "Click a number from 0 (not at all likely) to 10 (extremely likely); you can tell us why on the "
                   "next page.",
           "cta": "Answer the survey"},
    "ar": {"subject": "{{ first_name }}، سؤال سريع من {{ program }}",
           "preheader": "بنقرة واحدة: ما مدى احتمال أن توصي بنا؟",
           "body": "مرحبًا {{ first_name }}،\n\nما مدى احتمال أن توصي بـ {{ program }} لصديق أو زميل؟ "
                   "انقر على رقم من 0 (غير محتمل إطلاقًا) إلى 10 (محتمل جدًا)؛ ويمكنك أن تخبرنا بالسبب في الصفحة التالية.",
           "cta": "أجب عن الاستبيان"},
    "de": {"subject": "{{ first_name }}, eine kurze Frage von {{ program }}",
           "preheader": "Ein Klick: Wie wahrscheinlich würden Sie uns empfehlen?",
           "body": "Hallo {{ first_name }},\n\nwie wahrscheinlich ist es, dass Sie {{ program }} einem Freund oder "
                   "Kollegen empfehlen? Klicken Sie auf eine Zahl von 0 (sehr unwahrscheinlich) bis 10 (sehr "
                   "wahrscheinlich); auf der nächsten Seite können Sie uns sagen, warum.",
           "cta": "Zur Umfrage"},
    "ja": {"subject": "{{ first_name }}さん、{{ program }}から簡単な質問です",
           "preheader": "ワンクリックで回答：私たちを薦める可能性はどのくらいですか？",
           "body": "{{ first_name }}さん\n\n{{ program }}を友人や同僚に薦める可能性はどのくらいありますか？"
                   "0（まったくない）から10（非常に高い）までの数字をクリックしてください。理由は次のページで教えていただけます。",
           "cta": "アンケートに答える"},
    "pl": {"subject": "{{ first_name }}, krótkie pytanie od {{ program }}",
           "preheader": "Jedno kliknięcie: jak chętnie polecisz nas innym?",
           "body": "Cześć {{ first_name }},\n\njak prawdopodobne jest, że polecisz {{ program }} znajomemu lub "
                   "współpracownikowi? Kliknij liczbę od 0 (zupełnie nieprawdopodobne) do 10 (bardzo prawdopodobne); "
                   "na następnej stronie możesz napisać dlaczego.",
           "cta": "Odpowiedz na ankietę"},
}


def ensure_template(program) -> None:
    from chorus.notifications.templates import ensure_default_template

    ensure_default_template(program, TEMPLATE_KEY, DEFAULT_TEXTS, name="NPS survey", category=CATEGORY)


def resolve_people(program, text: str) -> tuple[list[int], list[int]]:
    """Customer and advocate ids for a list of email addresses or customer ids (one per line or
    comma); InvalidInput naming the entries that match nobody (nothing is sent then)."""
    entries = [entry.strip() for line in (text or "").splitlines() for entry in line.split(",") if entry.strip()]
    customer_ids, advocate_ids, unknown = [], [], []
    for entry in dict.fromkeys(entries):
        email = normalize_email(entry) if "@" in entry else ""
        customer = Customer.objects.filter(program=program).filter(
            **({"email_normalized": email} if email else {"external_id": entry})).first()
        if customer is not None:
            customer_ids.append(customer.pk)
            continue
        advocate = Advocate.objects.filter(program=program).filter(
            **({"email_normalized": email} if email else {"external_id": entry})).first()
        if advocate is not None:
            advocate_ids.append(advocate.pk)
        else:
            unknown.append(entry)
    if unknown:
        message = _("Nobody in this program matches: %(entries)s") % {"entries": ", ".join(unknown[:20])}
        raise InvalidInput(message, field_errors={"people": [message]})
    return customer_ids, advocate_ids
