"""Acquisition costs a marketer enters (for CAC): add, delete, list, and sums per channel.

Costs are monthly: each belongs to the month whose first day is `month`, and counts in a
date range when that first day lies inside it (so the costs of disjoint ranges add up).
"""

from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext as _

from chorus.core.errors import InvalidInput, NotFound
from chorus.core.models import audit

from .models import AcquisitionCost

MAX_AMOUNT = 10**13  # minor units: 100 billion in a two-decimal currency


def add_cost(program, *, month: date, channel: str, category: str, amount: int, note: str = "",
             user=None) -> AcquisitionCost:
    errors: dict[str, list[str]] = {}
    channel = " ".join((channel or "").split())
    if not channel:
        errors["channel"] = [_("Name the channel, or choose the referral program.")]
    if month is None:
        errors["month"] = [_("Choose a month.")]
    if category not in AcquisitionCost.Category.values:
        errors["category"] = [_("Choose a category.")]
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        errors["amount"] = [_("Enter an amount greater than zero.")]
    if errors:
        raise InvalidInput(_("The cost needs attention."), field_errors=errors)
    if channel.casefold() == AcquisitionCost.REFERRAL_CHANNEL:
        channel = AcquisitionCost.REFERRAL_CHANNEL
    with transaction.atomic():
        cost = AcquisitionCost.objects.create(program=program, month=month.replace(day=1), channel=channel,
                                              category=category, amount=amount, note=(note or "").strip()[:300],
                                              created_by=user if getattr(user, "is_authenticated", False) else None)
        audit(action="acquisition_cost.added", target=cost, actor=user, workspace=program.workspace,
              month=str(cost.month), channel=channel, amount=amount)
    return cost


def delete_cost(program, cost_id: int, *, user=None) -> None:
    with transaction.atomic():
        cost = AcquisitionCost.objects.filter(program=program, pk=cost_id).first()
        if cost is None:
            raise NotFound(_("This cost does not exist (any more)."))
        audit(action="acquisition_cost.deleted", target=cost, actor=user, workspace=program.workspace,
              month=str(cost.month), channel=cost.channel, amount=cost.amount)
        cost.delete()


def costs_for(program):
    return AcquisitionCost.objects.filter(program=program).select_related("created_by")


def channel_totals(program, start: date, end: date) -> dict[str, int]:
    """Entered costs per channel (lower-cased, trimmed) whose month begins inside start..end."""
    rows = (AcquisitionCost.objects.filter(program=program, month__gte=start, month__lte=end)
            .annotate(key=Lower(Trim("channel"))).values("key").annotate(total=Sum("amount")).order_by())
    return {row["key"]: row["total"] for row in rows}


def channel_names(program) -> list[str]:
    """The other channels costs were entered for, as first typed."""
    names: dict[str, str] = {}
    for name in (AcquisitionCost.objects.filter(program=program).exclude(channel=AcquisitionCost.REFERRAL_CHANNEL)
                 .order_by("channel").values_list("channel", flat=True).distinct()):
        names.setdefault(name.strip().casefold(), name)
    return sorted(names.values(), key=str.casefold)
