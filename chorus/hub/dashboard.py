"""What the hub dashboard reads: rewards, ledger history with running balances."""

from django.db.models import BigIntegerField, Case, F, RowRange, Sum, Value, When, Window

from chorus.rewards.models import LedgerEntry, Reward

LEDGER_ROWS = 50
REWARD_ROWS = 50


def advocate_rewards(advocate) -> list[Reward]:
    return list(
        Reward.objects.filter(advocate=advocate).select_related("rule", "conversion")
        .order_by("-created_at", "-pk")[:REWARD_ROWS]
    )


def _running_total(unit: str) -> Window:
    amount = Case(When(unit=unit, then=F("amount")), default=Value(0), output_field=BigIntegerField())
    return Window(Sum(amount), order_by=[F("created_at").asc(), F("pk").asc()], frame=RowRange(start=None, end=0))


def ledger_history(advocate) -> list[LedgerEntry]:
    """The latest entries, newest first, each annotated with both balances right after it
    (`points_balance`, `credit_balance`), computed by the database over the whole history."""
    return list(
        LedgerEntry.objects.filter(advocate=advocate)
        .annotate(points_balance=_running_total(LedgerEntry.Unit.POINTS),
                  credit_balance=_running_total(LedgerEntry.Unit.CREDIT))
        .order_by("-created_at", "-pk")[:LEDGER_ROWS]
    )
