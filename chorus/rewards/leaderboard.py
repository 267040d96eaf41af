"""The leaderboard: advocates ranked by points earned this month or all time, per program.

Ranked by points *earned* (`points.earned_filter()`), never by balance, so spending does
not drop anyone down. One aggregate query over the ledger per board; advocates who opted
out (`Advocate.show_on_leaderboard`) and inactive ones are left out. Ties share a rank and
are listed deterministically: who reached the total first, then the advocate id.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.errors import InvalidInput

from . import points
from .models import LedgerEntry

MONTH = "month"
ALL_TIME = "all"
PERIODS = (MONTH, ALL_TIME)
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Row:
    rank: int
    advocate_id: int
    name: str
    points: int
    shown: bool = True  # False: the advocate opted out (only the console lists them)


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The calendar month `now` falls in (site time zone): [start, next month's start)."""
    local = timezone.localtime(now)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, following


def _display_name(name: str, email: str) -> str:
    """First name and initial: the board is seen by other advocates, so no emails."""
    parts = (name or email.split("@")[0]).split()
    return f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else (parts[0] if parts else "")


def _entries(program, period: str, now: datetime | None, *, include_hidden: bool):
    if period not in PERIODS:
        raise InvalidInput(_("Choose this month or all time."), field_errors={"period": [_("Use month or all.")]})
    entries = LedgerEntry.objects.filter(points.earned_filter(), program=program, advocate__isnull=False,
                                         advocate__status="active")
    if not include_hidden:
        entries = entries.filter(advocate__show_on_leaderboard=True)
    if period == MONTH:
        start, end = month_bounds(now or timezone.now())
        entries = entries.filter(created_at__gte=start, created_at__lt=end)
    return entries


def leaderboard(program, period: str = MONTH, *, limit: int = DEFAULT_LIMIT, now: datetime | None = None,
                include_hidden: bool = False) -> list[Row]:
    """The top `limit` advocates with more than zero points earned in the period."""
    totals = (
        _entries(program, period, now, include_hidden=include_hidden)
        .values("advocate_id", "advocate__name", "advocate__email", "advocate__show_on_leaderboard")
        .annotate(total=Sum("amount"), last_at=Max("created_at"))
        .filter(total__gt=0)
        .order_by("-total", "last_at", "advocate_id")[:limit]
    )
    rows, rank, previous = [], 0, None
    for position, item in enumerate(totals, start=1):
        if item["total"] != previous:
            rank, previous = position, item["total"]
        rows.append(Row(rank=rank, advocate_id=item["advocate_id"], points=item["total"],
                        name=_display_name(item["advocate__name"], item["advocate__email"]),
                        shown=item["advocate__show_on_leaderboard"]))
    return rows


def rank_of(advocate, period: str = MONTH, *, now: datetime | None = None) -> Row | None:
    """The advocate's own place (even below the top), or None without points or when opted out."""
    if not advocate.show_on_leaderboard:
        return None
    entries = _entries(advocate.program, period, now, include_hidden=False)
    mine = entries.filter(advocate=advocate).aggregate(total=Sum("amount"))["total"] or 0
    if mine <= 0:
        return None
    ahead = (entries.values("advocate_id").annotate(total=Sum("amount"))
             .filter(total__gt=mine).count())
    return Row(rank=ahead + 1, advocate_id=advocate.pk, points=mine, name=_display_name(advocate.name, advocate.email))
