"""Emails to advocates: built in the recipient's language, sent after the transaction commits.

Each email has a plain-text and an HTML part and one clear call to action. Sending is
scheduled with `transaction.on_commit`, so a rolled-back request never mails anyone and
a token is never emailed before its row exists.
"""

import logging
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger("chorus.notifications")


def _sender(program) -> str:
    """The configured From address, shown under the program's name."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((program.name, address)) if address else settings.DEFAULT_FROM_EMAIL


def _language_for(advocate, fallback: str) -> str:
    languages = {code for code, _label in settings.LANGUAGES}
    for candidate in (advocate.language, fallback, settings.LANGUAGE_CODE):
        if candidate and candidate in languages:
            return candidate
    return settings.LANGUAGE_CODE


def send_email(*, to: str, subject: str, template: str, context: dict, sender: str, language: str) -> None:
    """Render `emails/<template>.txt` and `.html` in `language` and send them now."""
    with translation.override(language):
        context = {**context, "LANGUAGE_CODE": language, "LANGUAGE_BIDI": translation.get_language_bidi()}
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=sender, to=[to],
                                     headers={"Auto-Submitted": "auto-generated"})
    message.attach_alternative(html, "text/html")
    message.send()


def magic_link_url(program, raw_token: str) -> str:
    path = reverse("hub:magic_link", kwargs={"slug": program.slug, "token": raw_token})
    return f"{settings.CHORUS_BASE_URL}{path}"


def send_magic_link(advocate, raw_token: str, purpose: str) -> None:
    """Email a login link (or a join confirmation) once the current transaction commits."""
    fallback_language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: _deliver_magic_link(advocate.pk, raw_token, purpose, fallback_language))


def _deliver_magic_link(advocate_id: int, raw_token: str, purpose: str, fallback_language: str) -> None:
    from chorus.advocates.models import Advocate, LoginToken

    advocate = Advocate.objects.select_related("program").filter(pk=advocate_id).first()
    if advocate is None:
        return
    program = advocate.program
    language = _language_for(advocate, fallback_language)
    confirming = purpose == LoginToken.Purpose.CONFIRM
    context = {
        "advocate": advocate, "program": program, "url": magic_link_url(program, raw_token),
        "minutes": settings.CHORUS_MAGIC_LINK_MINUTES,
    }
    with translation.override(language):
        if confirming:
            subject = _("Confirm your email to join %(program)s") % {"program": program.name}
        else:
            subject = _("Your login link for %(program)s") % {"program": program.name}
    try:
        send_email(to=advocate.email, subject=subject, template="join_confirm" if confirming else "login_link",
                   context=context, sender=_sender(program), language=language)
    except Exception:  # a mail outage must not turn the page into an error; the person can ask again
        logger.exception("could not send the %s email to advocate %s", purpose, advocate_id)
