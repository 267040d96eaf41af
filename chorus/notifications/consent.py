"""Consent and suppression: who may receive which emails, and the record of why.

`Recipient.opted_out` is the current state (what sending reads); every change appends a
`Consent` row with the time and the source, so the history is never rewritten."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chorus.core.emails import clean_email, normalize_email
from chorus.core.errors import InvalidInput, NotFound

from .models import ALL_CATEGORIES, Category, Consent, Recipient, Suppression


def recipient_for(program, email_normalized: str, *, lock: bool = False) -> Recipient:
    recipient, _created = Recipient.objects.get_or_create(program=program, email_normalized=email_normalized)
    if lock:
        recipient = Recipient.objects.select_for_update().get(pk=recipient.pk)
    return recipient


def current_preferences(program, email_normalized: str) -> dict[str, bool]:
    """{category: wants it} for the preference centre ("all" is False when unsubscribed)."""
    recipient = Recipient.objects.filter(program=program, email_normalized=email_normalized).first()
    opted_out = set(recipient.opted_out) if recipient else set()
    return {ALL_CATEGORIES: ALL_CATEGORIES not in opted_out,
            **{category: category not in opted_out for category in Category.values}}


@transaction.atomic
def set_preferences(program, email_normalized: str, wanted: dict[str, bool], *, source: str) -> list[Consent]:
    """Set the categories the address wants (missing ones unchanged) and record each change.

    `wanted` keys are categories or "all" (False = unsubscribed from everything)."""
    unknown = set(wanted) - {ALL_CATEGORIES, *Category.values}
    if unknown:
        raise InvalidInput(_("Unknown email categories: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    recipient = recipient_for(program, email_normalized, lock=True)
    opted_out = set(recipient.opted_out)
    changes = []
    for category, granted in wanted.items():
        if granted == (category not in opted_out):
            continue
        (opted_out.discard if granted else opted_out.add)(category)
        changes.append(Consent(program=program, email_normalized=email_normalized, category=category,
                               granted=bool(granted), source=source))
    if changes:
        recipient.opted_out = sorted(opted_out)
        recipient.save(update_fields=["opted_out", "updated_at"])
        Consent.objects.bulk_create(changes)
    return changes


def unsubscribe_all(program, email_normalized: str, *, source: str) -> bool:
    """Withdraw consent for every email of the program; True when it changed anything."""
    return bool(set_preferences(program, email_normalized, {ALL_CATEGORIES: False}, source=source))


@transaction.atomic
def record_consent(program, email: str, *, source: str, categories=(ALL_CATEGORIES,)) -> list[Consent]:
    """Record that the person agreed (e.g. when confirming their email to join), always as a
    new row with its time and source, and subscribe them to those categories."""
    address = normalize_email(email)
    recipient = recipient_for(program, address, lock=True)
    if set(recipient.opted_out) & set(categories):
        recipient.opted_out = sorted(set(recipient.opted_out) - set(categories))
        recipient.save(update_fields=["opted_out", "updated_at"])
    return Consent.objects.bulk_create([Consent(program=program, email_normalized=address, category=category,
                                                granted=True, source=source) for category in categories])


# --- suppression ---------------------------------------------------------------------------

def erased_key(email_normalized: str) -> str:
    """The suppression key of an erased person: a keyed hash, never the address (see chorus.privacy)."""
    from chorus.privacy.registry import (
        email_hash,  # privacy registers notifications' models: import late
    )

    return f"erased:{email_hash(email_normalized)}"


def suppression_reasons(program, addresses) -> dict[str, str]:
    """{address: reason} for the addresses on the suppression list, by address or as erased people."""
    keys = {address: erased_key(address) for address in addresses}
    found = dict(Suppression.objects.filter(program=program, email_normalized__in=[*keys, *keys.values()])
                 .values_list("email_normalized", "reason"))
    return {address: found.get(address) or found[key] for address, key in keys.items()
            if address in found or key in found}


def is_suppressed(program, email_normalized: str) -> bool:
    return bool(suppression_reasons(program, [email_normalized]))


def suppress(program, email: str, *, reason: str, detail: str = "", source: str = "") -> tuple[Suppression, bool]:
    """Put an address on the program's suppression list (idempotent); (row, created)."""
    try:
        cleaned = clean_email(email)
    except ValueError as error:
        raise InvalidInput(_("Enter a valid email address."), field_errors={"email": [str(error)]}) from None
    if reason not in Suppression.Reason.values:
        raise InvalidInput(_("Unknown reason."), field_errors={"reason": [_("Choose one of: %(names)s.")
                                                                           % {"names": ", ".join(Suppression.Reason.values)}]})
    normalized = normalize_email(cleaned)
    existing = Suppression.objects.filter(program=program, email_normalized=normalized).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Suppression.objects.create(program=program, email_normalized=normalized, reason=reason,
                                              detail=(detail or "")[:500], source=source), True
    except IntegrityError:
        return Suppression.objects.get(program=program, email_normalized=normalized), False


def unsuppress(program, email: str) -> None:
    deleted, _rows = Suppression.objects.filter(program=program, email_normalized=normalize_email(email)).delete()
    if not deleted:
        raise NotFound(_("This address is not on the suppression list."))
