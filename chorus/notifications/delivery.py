"""Deliver queued program emails: claim them, render each in its language, send them over
one SMTP connection, and record the outcome.

A task may be delivered twice: emails are claimed with a conditional UPDATE carrying a
fresh claim token, so a second run finds nothing to send. The address is checked again
against suppression and opt-outs at send time (a bounce may have arrived meanwhile)."""

import logging
import re
import secrets
import smtplib
from email.utils import formataddr, make_msgid, parseaddr
from html import escape as html_escape
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connections, router, transaction
from django.db.models import F
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation

from .consent import suppression_reasons
from .models import ALL_CATEGORIES, OutboundEmail, Recipient
from .services import _sender
from .templates import Rendered, render_texts, texts_for
from .tokens import click_url, unsubscribe_token

logger = logging.getLogger("chorus.notifications")
_MESSAGE_DOMAIN = urlparse(settings.CHORUS_BASE_URL).hostname or "chorus.local"


def render_email(email: OutboundEmail, *, subject_override: dict | None = None, track: bool = True) -> Rendered:
    """The email's subject, texts and links for its recipient, in its language."""
    template = email.template
    language, texts = texts_for(template, email.language)
    if subject_override:
        texts["subject"] = subject_override.get(language) or subject_override.get("en") or texts["subject"]
    values = dict(email.context)
    buttons = values.pop("buttons", None) or []
    links = [link for link in [values.get("link", ""), *(button["url"] for button in buttons)] if link]
    tracked = {link: (click_url(email.pk, index) if track else link) for index, link in enumerate(links)}
    if values.get("link"):
        values["link"] = tracked[values["link"]]
    subject, preheader, text, body_html, cta = render_texts(texts, values)
    rendered = Rendered(subject=subject, preheader=preheader, text=text, html=body_html, cta_label=cta,
                        language=language, links=links)
    rendered.buttons = [{"label": button["label"], "url": tracked[button["url"]]} for button in buttons]
    rendered.link = values.get("link", "")
    return rendered


class _Slot:
    """A stand-in rendered into the layout once; each email's value replaces it."""

    def __init__(self, name: str):
        self.name = name

    def __str__(self) -> str:
        return f"\x00{self.name}\x00"

    __html__ = __str__  # Django treats it as safe: the value is escaped when it is put in


_SLOT = re.compile("\x00([a-z_0-9]+)\x00")
_FRAMES: dict[tuple, list[str]] = {}


def _frame(kind: str, program, language: str, buttons: int, has_cta: bool, has_preheader: bool) -> list[str]:
    """The layout rendered once per program, language and shape, split at its slots: the
    template engine and the translations run once, not for each of 100,000 emails."""
    key = (kind, program.pk, program.name, language, buttons, has_cta, has_preheader)
    frame = _FRAMES.get(key)
    if frame is None:
        slots = Rendered(subject="", preheader=_Slot("preheader") if has_preheader else "", text=_Slot("text"),
                         html=_Slot("html"), cta_label=_Slot("cta_label") if has_cta else "", language=language)
        slots.link = _Slot("link") if has_cta else ""
        slots.buttons = [{"label": _Slot(f"button_label_{n}"), "url": _Slot(f"button_url_{n}")} for n in range(buttons)]
        with translation.override(language):
            context = {"program": program, "email": slots, "unsubscribe_url": _Slot("unsubscribe_url"),
                       "preferences_url": _Slot("preferences_url"), "LANGUAGE_CODE": language,
                       "LANGUAGE_BIDI": translation.get_language_bidi()}
            frame = _SLOT.split(get_template(f"emails/marketing.{kind}").render(context))
        if len(_FRAMES) > 2000:
            _FRAMES.clear()
        _FRAMES[key] = frame
    return frame


def _fill(frame: list[str], values: dict, *, escape: bool) -> str:
    parts = []
    for index, part in enumerate(frame):
        if index % 2 == 0:
            parts.append(part)
        elif part == "html" or not escape:
            parts.append(str(values[part]))
        else:
            parts.append(html_escape(str(values[part])))
    return "".join(parts)


def render_layout(program, rendered: Rendered, unsubscribe: str) -> tuple[str, str]:
    """The full plain-text and HTML bodies of an email in the layout (`emails/marketing.*`)."""
    buttons = getattr(rendered, "buttons", [])
    has_cta = bool(getattr(rendered, "link", "") and rendered.cta_label)
    values = {"preheader": rendered.preheader, "text": rendered.text, "html": rendered.html,
              "cta_label": rendered.cta_label, "link": getattr(rendered, "link", ""),
              "unsubscribe_url": unsubscribe, "preferences_url": f"{unsubscribe.rstrip('/')}/preferences/"}
    for number, button in enumerate(buttons):
        values[f"button_label_{number}"], values[f"button_url_{number}"] = button["label"], button["url"]
    shape = (program, rendered.language, len(buttons), has_cta, bool(rendered.preheader))
    return (_fill(_frame("txt", *shape), values, escape=False), _fill(_frame("html", *shape), values, escape=True))


class _Message(EmailMultiAlternatives):
    def message(self):
        message = super().message()
        # a random boundary set here spares the generator its search of the whole body for one
        message.set_boundary(f"=_chorus_{secrets.token_hex(16)}")
        return message


def build_message(email: OutboundEmail, rendered: Rendered, *, program, connection=None) -> EmailMultiAlternatives:
    token = unsubscribe_token(program.pk, email.email_normalized)
    unsubscribe = settings.CHORUS_BASE_URL + reverse("hub:unsubscribe", kwargs={"token": token})
    text, html = render_layout(program, rendered, unsubscribe)
    sender = _sender(program)
    _name, sender_address = parseaddr(sender)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>, <mailto:{sender_address}?subject=unsubscribe%20{token}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": email.message_id,
        "X-Chorus-Email": str(email.pk),
    }
    name = " ".join(email.name.split())
    recipient = formataddr((name, email.to_email)) if name else email.to_email
    message = _Message(subject=rendered.subject, body=text, from_email=sender, to=[recipient],
                       headers=headers, connection=connection)
    message.attach_alternative(html, "text/html")
    return message


def _claim(email_ids: list[int]) -> list[OutboundEmail]:
    claim = secrets.token_hex(8)
    with transaction.atomic():
        OutboundEmail.objects.filter(pk__in=email_ids, status=OutboundEmail.Status.QUEUED).update(
            status=OutboundEmail.Status.SENDING, status_reason=f"claim:{claim}", attempts=F("attempts") + 1)
    return list(OutboundEmail.objects.select_related("program", "template", "campaign")
                .filter(pk__in=email_ids, status=OutboundEmail.Status.SENDING, status_reason=f"claim:{claim}")
                .order_by("pk"))


def _drop_unwanted(emails: list[OutboundEmail]) -> list[OutboundEmail]:
    """Mark emails to addresses suppressed or opted out since they were queued."""
    if not emails:
        return emails
    program_id = emails[0].program_id
    addresses = {email.email_normalized for email in emails}
    suppressed = suppression_reasons(emails[0].program, addresses)
    opted_out = dict(Recipient.objects.filter(program_id=program_id, email_normalized__in=addresses)
                     .exclude(opted_out=[]).values_list("email_normalized", "opted_out"))
    keep, dropped = [], []
    for email in emails:
        categories = opted_out.get(email.email_normalized) or []
        if email.email_normalized in suppressed:
            email.status_reason = f"suppressed: {suppressed[email.email_normalized]}"
        elif ALL_CATEGORIES in categories or email.category in categories:
            email.status_reason = f"unsubscribed: {email.category if email.category in categories else 'all'}"
        else:
            keep.append(email)
            continue
        email.status = OutboundEmail.Status.SUPPRESSED
        dropped.append(email)
    OutboundEmail.objects.bulk_update(dropped, ["status", "status_reason"])
    return keep


def _subject_override(email: OutboundEmail) -> dict | None:
    campaign = email.campaign
    if campaign is None or email.variant is None or email.variant >= len(campaign.subject_variants or []):
        return None
    return campaign.subject_variants[email.variant] or None


def deliver(email_ids: list[int]) -> int:
    """Send the queued emails among `email_ids` over one SMTP connection; returns how many were sent."""
    by_program: dict[int, list[OutboundEmail]] = {}
    for email in _claim(email_ids):
        by_program.setdefault(email.program_id, []).append(email)
    sent = 0
    for emails in by_program.values():
        sent += _deliver_program_batch(_drop_unwanted(emails))
    return sent


def _deliver_program_batch(emails: list[OutboundEmail]) -> int:
    if not emails:
        return 0
    connection = get_connection()
    done, sent = 0, 0
    try:
        connection.open()
        for email in emails:
            sent += _send_one(email, connection)
            done += 1
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection must not hide the outcome
            logger.warning("could not close the SMTP connection cleanly")
        for email in emails[done:]:  # interrupted: back to the queue for the next run
            email.status, email.status_reason = OutboundEmail.Status.QUEUED, ""
        _record_outcomes(emails)
    return sent


def _record_outcomes(emails: list[OutboundEmail]) -> None:
    """Write each email's outcome in one round of executemany (Django's bulk_update builds a
    CASE per column and row, which costs more than sending the batch)."""
    meta = OutboundEmail._meta
    columns = ["status", "status_reason", "subject", "message_id", "links", "sent_at"]
    fields = [meta.get_field(name) for name in columns]
    connection = connections[router.db_for_write(OutboundEmail)]
    assignments = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    sql = f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {assignments} WHERE {connection.ops.quote_name(meta.pk.column)} = %s"
    rows = [[field.get_db_prep_save(getattr(email, field.attname), connection) for field in fields] + [email.pk]
            for email in emails]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _send_one(email: OutboundEmail, connection) -> int:
    if email.template is None:
        email.status, email.status_reason = OutboundEmail.Status.FAILED, "the template was deleted"
        return 0
    email.message_id = make_msgid(domain=_MESSAGE_DOMAIN)
    rendered = render_email(email, subject_override=_subject_override(email))
    message = build_message(email, rendered, program=email.program, connection=connection)
    email.subject, email.links = rendered.subject[:300], rendered.links
    try:
        try:
            connection.send_messages([message])
        except smtplib.SMTPServerDisconnected:  # the server dropped a long-lived connection: once more
            connection.close()
            connection.open()
            connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as error:
        email.status, email.status_reason = OutboundEmail.Status.FAILED, f"{type(error).__name__}: {error}"[:300]
        logger.warning("could not send email %s: %s", email.pk, error)
        return 0
    email.status, email.status_reason, email.sent_at = OutboundEmail.Status.SENT, "", timezone.now()
    return 1


def preview_email(program, texts_by_language: dict, language: str) -> dict:
    """The email as a recipient would get it, with sample values, for the editor: subject,
    preheader, the full HTML and plain text; or the field errors that stop it."""
    from .templates import FIELDS, languages, sample_values, validate_texts

    texts_by_language = {code: {name: (texts.get(name) or "").strip() for name in FIELDS}
                         for code, texts in texts_by_language.items()}
    errors = validate_texts(texts_by_language)
    if errors:
        return {"errors": errors}
    language = language if language in languages() else "en"
    if not texts_by_language.get(language, {}).get("subject"):
        language = "en"
    texts = texts_by_language[language]
    values = sample_values(program, language)
    subject, preheader, text, body_html, cta = render_texts(texts, values)
    rendered = Rendered(subject=subject, preheader=preheader, text=text, html=body_html, cta_label=cta,
                        language=language)
    rendered.buttons, rendered.link = [], values["link"]
    text, html = render_layout(program, rendered, settings.CHORUS_BASE_URL + "/u/preview")
    return {"errors": {}, "language": language, "subject": subject, "preheader": preheader, "html": html, "text": text}
