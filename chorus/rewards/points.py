"""Points for activities: credited once per source, spent never below zero.

Every movement is a ledger entry. Exactly-once comes from the ledger's unique
(source_type, source_id, reason) key: crediting the same completion twice returns the
first entry. Spending locks the advocate's row first (pk order, one row), so two
redemptions at once cannot both spend the same points; on SQLite the IMMEDIATE
transaction already serialises writers."""

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from chorus.core.errors import Conflict, InvalidInput

from .models import LedgerEntry

POINTS = LedgerEntry.Unit.POINTS
# Entries that are spending or giving back what was spent: they never count as earned.
SPENDING = [LedgerEntry.Reason.REDEMPTION, LedgerEntry.Reason.REDEMPTION_RETURN]


def _source_key(source) -> tuple[str, str]:
    return source._meta.label_lower, str(source.pk)


def credit(advocate, amount: int, *, source, reason: str = LedgerEntry.Reason.ACTIVITY, note: str = "",
           created_by=None) -> tuple[LedgerEntry, bool]:
    """Credit `amount` points for `source` (a completion, a check-in, …) exactly once.

    Returns (entry, created); a second call for the same source and reason returns the
    first entry and False."""
    if amount <= 0:
        raise InvalidInput(_("Points to credit must be more than zero."))
    source_type, source_id = _source_key(source)
    existing = LedgerEntry.objects.filter(source_type=source_type, source_id=source_id, reason=reason).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                program_id=advocate.program_id, advocate=advocate, unit=POINTS, amount=amount, reason=reason,
                source_type=source_type, source_id=source_id, note=note[:300], created_by=created_by)
    except IntegrityError:
        return LedgerEntry.objects.get(source_type=source_type, source_id=source_id, reason=reason), False
    return entry, True


def debit(advocate, amount: int, *, source, reason: str = LedgerEntry.Reason.REDEMPTION, note: str = "",
          created_by=None) -> LedgerEntry:
    """Spend `amount` points for `source`; raises Conflict (409) if the balance is short.

    Must run inside the caller's transaction (with the redemption it pays for)."""
    if amount <= 0:
        raise InvalidInput(_("Points to spend must be more than zero."))
    lock_advocate(advocate)
    available = balance(advocate)
    if available < amount:
        raise Conflict(_("Not enough points: this costs %(cost)s and you have %(balance)s.")
                       % {"cost": amount, "balance": available}, code="insufficient_points")
    source_type, source_id = _source_key(source)
    return LedgerEntry.objects.create(
        program_id=advocate.program_id, advocate=advocate, unit=POINTS, amount=-amount, reason=reason,
        source_type=source_type, source_id=source_id, note=note[:300], created_by=created_by)


def lock_advocate(advocate) -> None:
    """Take the advocate's row lock for the rest of the transaction (no-op outside one on SQLite)."""
    type(advocate).objects.select_for_update().filter(pk=advocate.pk).values_list("pk", flat=True).first()


def balance(advocate) -> int:
    return LedgerEntry.objects.filter(advocate=advocate).balance(POINTS)


def earned_filter() -> Q:
    """Ledger entries that count as points earned (for levels and leaderboards)."""
    return Q(unit=POINTS) & ~Q(reason__in=SPENDING)


def lifetime_earned(advocate) -> int:
    """Points earned ever, less clawbacks; spending never lowers it."""
    total = LedgerEntry.objects.filter(earned_filter(), advocate=advocate).aggregate(total=Sum("amount"))["total"]
    return max(total or 0, 0)
