"""The invitation email: a program template (key "invitation", all five languages) sent
through the program's marketing email pipeline, which respects suppressions and opt-outs."""

from django.conf import settings
from django.urls import reverse

TEMPLATE_KEY = "invitation"
CATEGORY = "invitation"

# Texts of the default template, per language; the marketer edits them in the console.
INVITATION_TEXTS = {
    "en": {
        "subject": "{{ first_name }}, join the {{ program }} advocate program",
        "preheader": "One click and you are in: asks, points and rewards.",
        "body": "Hello {{ first_name }},\n\nYou know {{ program }} well, and we would love you to join our advocate "
                "program: share your experience, complete small asks, earn points and trade them for rewards.\n\n"
                "No password and no form: the button below takes you straight to your hub.",
        "cta": "Join now",
    },
    "ar": {
        "subject": "{{ first_name }}، انضم إلى برنامج سفراء {{ program }}",
        "preheader": "نقرة واحدة وتصبح معنا: مهام ونقاط ومكافآت.",
        "body": "مرحباً {{ first_name }}،\n\nأنت تعرف {{ program }} جيداً، ويسعدنا أن تنضم إلى برنامج السفراء: شارك تجربتك، "
                "وأكمل مهام صغيرة، واكسب نقاطاً واستبدلها بمكافآت.\n\n"
                "لا كلمة مرور ولا استمارة: الزر أدناه يأخذك مباشرة إلى مساحتك.",
        "cta": "انضم الآن",
    },
    "de": {
        "subject": "{{ first_name }}, werden Sie Botschafter von {{ program }}",
        "preheader": "Ein Klick und Sie sind dabei: Aufgaben, Punkte und Prämien.",
        "body": "Hallo {{ first_name }},\n\nSie kennen {{ program }} gut, und wir würden uns freuen, wenn Sie unserem "
                "Botschafterprogramm beitreten: Teilen Sie Ihre Erfahrungen, erledigen Sie kleine Aufgaben, "
                "sammeln Sie Punkte und tauschen Sie sie gegen Prämien.\n\n"
                "Kein Passwort, kein Formular: Die Schaltfläche unten bringt Sie direkt in Ihren Bereich.",
        "cta": "Jetzt beitreten",
    },
    "ja": {
        "subject": "{{ first_name }}様、{{ program }} のアドボケイトプログラムに参加しませんか",
        "preheader": "ワンクリックで参加完了：アスク、ポイント、特典。",
        "body": "{{ first_name }}様\n\n{{ program }} をよくご存じのあなたに、アドボケイトプログラムへの参加をご案内します。"
                "体験を共有し、小さなアスクを達成してポイントを獲得し、特典と交換できます。\n\n"
                "パスワードもフォームも不要です。下のボタンからそのままハブに移動できます。",
        "cta": "今すぐ参加",
    },
    "pl": {
        "subject": "{{ first_name }}, dołącz do programu ambasadorów {{ program }}",
        "preheader": "Jedno kliknięcie i jesteś z nami: zadania, punkty i nagrody.",
        "body": "Cześć {{ first_name }},\n\nZnasz {{ program }} dobrze i chcielibyśmy, żebyś dołączył(a) do naszego "
                "programu ambasadorów: dziel się doświadczeniem, wykonuj małe zadania, zbieraj punkty i wymieniaj "
                "je na nagrody.\n\nBez hasła i bez formularza: przycisk poniżej zabierze Cię prosto do Twojego panelu.",
        "cta": "Dołącz teraz",
    },
}


def invitation_url(program, raw_token: str) -> str:
    path = reverse("hub:invitation", kwargs={"slug": program.slug, "token": raw_token})
    return f"{settings.CHORUS_BASE_URL}{path}"


def install_invitation_template(program):
    """Register the program's "invitation" template in all five languages (idempotent)."""
    from chorus.notifications.templates import ensure_default_template

    return ensure_default_template(program, TEMPLATE_KEY, INVITATION_TEXTS, name="Invitation", category=CATEGORY)


def send_invitation_email(invitation, raw_token: str):
    """Queue the invitation email (it leaves after commit); None when the address is suppressed."""
    from chorus.notifications.marketing import send_marketing_email

    program = invitation.program
    install_invitation_template(program)
    return send_marketing_email(
        program, to_email=invitation.email, name=invitation.name or invitation.email.split("@")[0], language=invitation.language,
        template_key=TEMPLATE_KEY, category=CATEGORY, customer=invitation.customer,
        context=_context(invitation.customer, invitation_url(program, raw_token), program),
        tracking_key=f"invitation:{invitation.pk}",
    )


def _context(customer, link: str, program) -> dict:
    company = customer.account.name if customer is not None and customer.account_id else ""
    return {"link": link, "program": program.name, "company": company}


def preview_invitation(program, customer):
    """The invitation email this customer would get (subject, preheader, text, HTML body, button),
    in their language, with a sample link in place of their personal one."""
    from chorus.notifications.marketing import pick_language
    from chorus.notifications.templates import render_texts, texts_for

    template = install_invitation_template(program)
    language, texts = texts_for(template, pick_language(customer.language))
    name = customer.name or customer.email.split("@")[0]
    values = {"name": name, "first_name": name.split()[0] if name.split() else "",
              **_context(customer, invitation_url(program, "example"), program)}
    subject, preheader, text, html, cta = render_texts(texts, values)
    from django.utils.translation import get_language_info

    direction = "rtl" if get_language_info(language)["bidi"] else "ltr"
    return {"language": language, "direction": direction, "subject": subject, "preheader": preheader, "text": text, "html": html,
            "cta": cta, "link": values["link"]}
