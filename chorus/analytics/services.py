"""Referral metrics: the funnel per day, and per-advocate counts for lists.

Everything here is a read: aggregate queries grouped in the database (one query per
source table), never a Python loop over clicks or conversions.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from chorus.advocates.models import Advocate
from chorus.referrals.models import Click, Conversion, Referral
from chorus.rewards.models import LedgerEntry

MAX_FUNNEL_DAYS = 366


@dataclass
class FunnelRow:
    """One day of the funnel (or the totals, with `day` None). Revenue is in minor units."""

    day: date | None = None
    clicks: int = 0
    unique_clicks: int = 0
    signups: int = 0
    purchases: int = 0
    revenue: int = 0

    def add(self, other: "FunnelRow") -> None:
        self.clicks += other.clicks
        self.unique_clicks += other.unique_clicks
        self.signups += other.signups
        self.purchases += other.purchases
        self.revenue += other.revenue


def rate(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`, or None when there is nothing to divide by."""
    return part * 100 / whole if whole else None


@dataclass
class Funnel:
    start_date: date
    end_date: date
    currency: str
    days: list[FunnelRow] = field(default_factory=list)
    totals: FunnelRow = field(default_factory=FunnelRow)

    @property
    def signup_rate(self) -> float | None:
        """Signups per unique click, in percent."""
        return rate(self.totals.signups, self.totals.unique_clicks)

    @property
    def purchase_rate(self) -> float | None:
        """Purchases per signup, in percent."""
        return rate(self.totals.purchases, self.totals.signups)

    @property
    def click_to_purchase_rate(self) -> float | None:
        return rate(self.totals.purchases, self.totals.unique_clicks)


def _bounds(start_date: date, end_date: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(start_date, time.min), zone)
    end = timezone.make_aware(datetime.combine(end_date + timedelta(days=1), time.min), zone)
    return start, end


def _referred_conversions():
    """Conversions attributed to an advocate, except referrals a marketer denied after review."""
    return Conversion.objects.filter(referral__isnull=False).exclude(referral__review=Referral.Review.DENIED)


def _click_days(program, start: datetime, end: datetime) -> dict[date, dict]:
    rows = (
        Click.objects.filter(program=program, created_at__gte=start, created_at__lt=end, is_bot=False)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(clicks=Count("pk"), unique_clicks=Count("pk", filter=Q(is_unique=True)))
        .order_by()
    )
    return {row["day"]: row for row in rows}


def _conversion_days(program, start: datetime, end: datetime) -> dict[date, dict]:
    zero = Value(0, output_field=IntegerField())
    rows = (
        _referred_conversions().filter(program=program, occurred_at__gte=start, occurred_at__lt=end)
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            signups=Count("pk", filter=Q(type=Conversion.Type.SIGNUP)),
            purchases=Count("pk", filter=Q(type=Conversion.Type.PURCHASE)),
            purchased=Coalesce(Sum("amount", filter=Q(type=Conversion.Type.PURCHASE)), zero),
            refunded=Coalesce(Sum("amount", filter=Q(type=Conversion.Type.REFUND)), zero),
        )
        .order_by()
    )
    return {row["day"]: row for row in rows}


def funnel(program, start_date: date, end_date: date) -> Funnel:
    """Clicks → unique clicks → signups → purchases → referred revenue, per day and in total.

    Days are calendar days in the current time zone, both ends included. Clicks are human
    clicks (bots left out); unique clicks only a visitor's first click on a link within an
    hour. Conversions count only when they were referred (attributed to an advocate, and
    not denied after review); revenue is referred purchases minus referred refunds, each
    on its own day. The same definitions as `chorus.referrals.services.stats`.
    """
    if end_date < start_date:
        raise ValueError("end_date is before start_date")
    start, end = _bounds(start_date, end_date)
    clicks = _click_days(program, start, end)
    conversions = _conversion_days(program, start, end)
    result = Funnel(start_date=start_date, end_date=end_date, currency=program.currency)
    for offset in range((end_date - start_date).days + 1):
        day = start_date + timedelta(days=offset)
        click_row, conversion_row = clicks.get(day, {}), conversions.get(day, {})
        row = FunnelRow(
            day=day,
            clicks=click_row.get("clicks", 0),
            unique_clicks=click_row.get("unique_clicks", 0),
            signups=conversion_row.get("signups", 0),
            purchases=conversion_row.get("purchases", 0),
            revenue=conversion_row.get("purchased", 0) - conversion_row.get("refunded", 0),
        )
        result.days.append(row)
        result.totals.add(row)
    return result


# --- advocates ---------------------------------------------------------------------------

def _count_per_advocate(queryset, advocate_field: str):
    """A correlated COUNT for each advocate row (no join fan-out between the counts)."""
    counted = (
        queryset.filter(**{advocate_field: OuterRef("pk")}).order_by()
        .values(advocate_field).annotate(total=Count("pk")).values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_advocate_stats(advocates):
    """Annotate advocates with clicks, signups, purchases (counted as in `funnel`) and points balance."""
    points = (
        LedgerEntry.objects.filter(advocate=OuterRef("pk"), unit=LedgerEntry.Unit.POINTS).order_by()
        .values("advocate").annotate(total=Sum("amount")).values("total")
    )
    referred = _referred_conversions()
    return advocates.annotate(
        click_count=_count_per_advocate(Click.objects.filter(is_bot=False), "link__advocate"),
        signup_count=_count_per_advocate(referred.filter(type=Conversion.Type.SIGNUP), "referral__advocate"),
        purchase_count=_count_per_advocate(referred.filter(type=Conversion.Type.PURCHASE), "referral__advocate"),
        points_balance=Coalesce(Subquery(points, output_field=IntegerField()), 0),
    )


def search_advocates(program, text: str = ""):
    """The program's advocates matching `text` in name, email, customer id or any of their codes."""
    advocates = Advocate.objects.filter(program=program).select_related("link")
    text = (text or "").strip()
    if text:
        advocates = advocates.filter(
            Q(name__icontains=text) | Q(email__icontains=text) | Q(external_id__iexact=text)
            | Q(link__code__icontains=text) | Q(link__vanity_code__icontains=text) | Q(link__promo_code__icontains=text)
        )
    return with_advocate_stats(advocates).order_by("name", "email", "pk")
