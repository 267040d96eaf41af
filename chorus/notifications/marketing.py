"""Program emails to people (marketing, reminders, surveys, invitations): queue one after
checking suppression, consent and the frequency cap; delivery runs in a background task
once the transaction commits (see `delivery.py`).

Every row says what happened: `queued` → `sent`/`failed`, or `suppressed`/`capped` with
the reason, so the console can show why someone did not get an email."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.emails import normalize_email
from chorus.core.errors import InvalidInput, NotFound

from .consent import recipient_for, suppression_reasons
from .models import (
    CAP_EXEMPT_CATEGORIES,
    Category,
    EmailSettings,
    EmailTemplate,
    OutboundEmail,
)

logger = logging.getLogger("chorus.notifications")
COUNTED_STATUSES = (OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING, OutboundEmail.Status.SENT)
TASK_BATCH = 200  # emails per delivery task (one SMTP connection each)


def email_settings(program) -> EmailSettings:
    found = EmailSettings.objects.filter(program=program).first()
    if found is None:
        found, _created = EmailSettings.objects.get_or_create(program=program)
    return found


def pick_language(language: str = "", *people) -> str:
    known = {code for code, _label in settings.LANGUAGES}
    candidates = [language, *(getattr(person, "language", "") for person in people if person is not None)]
    return next((candidate for candidate in candidates if candidate in known), settings.LANGUAGE_CODE)


def _values(program, name: str, context: dict) -> dict:
    values = {key: ("" if value is None else str(value)) for key, value in (context or {}).items() if key != "buttons"}
    values.setdefault("name", name)
    values.setdefault("first_name", (name or "").split()[0] if (name or "").split() else "")
    values.setdefault("program", program.name)
    buttons = [{"label": str(button["label"]), "url": str(button["url"])} for button in (context or {}).get("buttons", [])]
    if buttons:
        values["buttons"] = buttons
    return values


def _verdict(program, recipient, category: str, now) -> tuple[str, str]:
    """(status, reason) for a new email to this recipient; the recipient row is locked."""
    reason = suppression_reasons(program, [recipient.email_normalized]).get(recipient.email_normalized)
    if reason is not None:
        return OutboundEmail.Status.SUPPRESSED, f"suppressed: {reason}"
    if not recipient.accepts(category):
        return OutboundEmail.Status.SUPPRESSED, f"unsubscribed: {category if category in recipient.opted_out else 'all'}"
    if category in CAP_EXEMPT_CATEGORIES:
        return OutboundEmail.Status.QUEUED, ""
    rules = email_settings(program)
    recent = (OutboundEmail.objects.filter(program=program, email_normalized=recipient.email_normalized,
                                           status__in=COUNTED_STATUSES,
                                           created_at__gte=now - timedelta(days=rules.frequency_window_days))
              .exclude(category__in=CAP_EXEMPT_CATEGORIES).exclude(tracking_key="test").count())
    if recent >= rules.frequency_cap:
        return OutboundEmail.Status.CAPPED, (f"frequency cap: {recent} emails in the last "
                                             f"{rules.frequency_window_days} days")
    return OutboundEmail.Status.QUEUED, ""


def template_for(program, template_key: str) -> EmailTemplate:
    template = EmailTemplate.objects.filter(program=program, key=template_key).first()
    if template is None:
        raise NotFound(_("There is no email template “%(key)s” in this program.") % {"key": template_key})
    return template


def send_marketing_email(program, *, to_email: str, name: str = "", language: str = "", template_key: str,
                         context: dict | None = None, category: str | None = None, advocate=None, customer=None,
                         tracking_key: str = "", campaign=None, variant: int | None = None,
                         template: EmailTemplate | None = None) -> OutboundEmail | None:
    """Queue one personalised email, delivered by a background task after commit.

    Returns the queued OutboundEmail, or None when the address is suppressed or opted out of
    `category`, or the frequency cap (default 3 per 7 days, `EmailSettings`) is reached; a
    row with status `suppressed`/`capped` records why. `category` defaults to the template's.
    Invitations and NPS surveys are exempt from the cap (never from suppression).

    `context` fills the placeholders ({{ name }}, {{ link }}, {{ points }}, {{ ask }}, …);
    `link` is the call to action. `context["buttons"]` = [{"label", "url"}, …] renders a
    row of buttons instead of the single one (e.g. NPS scores 0–10). Every link is tracked
    through /e/c/<token>."""
    template = template or template_for(program, template_key)
    category = category or template.category
    if category not in Category.values:
        raise InvalidInput(_("Unknown email category “%(name)s”.") % {"name": category})
    email_normalized = normalize_email(to_email)
    if "@" not in email_normalized:
        raise InvalidInput(_("Enter a valid email address."), field_errors={"to_email": [_("Enter a valid email address.")]})
    now = timezone.now()
    with transaction.atomic():
        recipient = recipient_for(program, email_normalized, lock=True)
        status, reason = _verdict(program, recipient, category, now)
        email = OutboundEmail.objects.create(
            program=program, template=template, template_key=template.key, category=category,
            to_email=to_email.strip(), email_normalized=email_normalized, name=name or "",
            language=pick_language(language, advocate, customer), advocate=advocate, customer=customer,
            context=_values(program, name, context or {}), tracking_key=tracking_key[:100], campaign=campaign,
            variant=variant, status=status, status_reason=reason)
    if status != OutboundEmail.Status.QUEUED:
        logger.info("email %s to %s not sent: %s", template.key, email_normalized, reason)
        return None
    transaction.on_commit(lambda: enqueue_delivery([email.pk]))
    return email


def enqueue_delivery(email_ids: list[int]) -> None:
    """One delivery task per TASK_BATCH emails (each task opens one SMTP connection)."""
    from .tasks import deliver_emails_task

    for start in range(0, len(email_ids), TASK_BATCH):
        deliver_emails_task.enqueue(email_ids[start:start + TASK_BATCH])


def send_test_email(program, template: EmailTemplate, *, to_email: str, language: str = "en",
                    context: dict | None = None) -> OutboundEmail:
    """A test of a template to the marketer's own address, with sample values for what
    `context` leaves out. Suppression applies; the frequency cap does not (and a test
    does not count against it)."""
    from chorus.core.emails import clean_email

    from .templates import sample_values

    try:
        to_email = clean_email(to_email)
    except ValueError as error:
        raise InvalidInput(_("Enter a valid email address."), field_errors={"to_email": [str(error)]}) from None
    language = pick_language(language)
    given = {key: str(value) for key, value in (context or {}).items()}
    if given.get("name") and "first_name" not in given:
        given["first_name"] = given["name"].split()[0]
    values = {**sample_values(program, language), **given}
    email_normalized = normalize_email(to_email)
    suppression = suppression_reasons(program, [email_normalized]).get(email_normalized)
    status = OutboundEmail.Status.SUPPRESSED if suppression else OutboundEmail.Status.QUEUED
    email = OutboundEmail.objects.create(
        program=program, template=template, template_key=template.key, category=template.category,
        to_email=to_email, email_normalized=email_normalized, name=values.get("name", ""), language=language,
        context=values, tracking_key="test", status=status,
        # a test never counts against the recipient's cap
        status_reason=f"suppressed: {suppression}" if suppression else "")
    if status == OutboundEmail.Status.QUEUED:
        transaction.on_commit(lambda: enqueue_delivery([email.pk]))
    return email


def update_email_settings(program, *, frequency_cap: int, frequency_window_days: int) -> EmailSettings:
    errors = {}
    if not isinstance(frequency_cap, int) or not 1 <= frequency_cap <= 50:
        errors["frequency_cap"] = [_("Between 1 and 50.")]
    if not isinstance(frequency_window_days, int) or not 1 <= frequency_window_days <= 90:
        errors["frequency_window_days"] = [_("Between 1 and 90 days.")]
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), field_errors=errors)
    rules = email_settings(program)
    rules.frequency_cap, rules.frequency_window_days = frequency_cap, frequency_window_days
    rules.save(update_fields=["frequency_cap", "frequency_window_days", "updated_at"])
    return rules
