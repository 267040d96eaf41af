"""Virality (K-factor and cycle time per month), a forecast of new customers, and the
"how many advocates do we need" calculator.

Definitions (calendar months in the current time zone):
  * advocates — the program's advocates who had joined by the end of the month (not disabled);
  * invites — shares of referral links: distinct (advocate's link, visitor) pairs among the
    month's human clicks (bots left out; a visitor clicking the same link twice is one invite);
    there is no invitations app yet, so clicks by unique visitors stand for invites;
  * signups — referred signups in the month (new customers from the program), referrals denied
    after review left out;
  * invites per advocate = invites ÷ advocates; conversion rate = signups ÷ invites;
  * K-factor = invites per advocate × conversion rate (= signups ÷ advocates): the new customers
    one advocate brings in a month;
  * cycle time — median days from an advocate joining to their first referred signup, over the
    advocates whose first referred signup fell in the month.

Forecast, from the last three full months before the current one:
  * baseline B = their average monthly new customers;
  * growth g = the average of their month-over-month growth rates (a month after a month
    with none is skipped), kept between −50 % and +50 %;
  * K = their pooled K-factor (signups ÷ advocate-months);
  * month t brings B × (1 + g)^t customers from today's advocates, plus K × the customers of month
    t − 1: each month's new customers refer like an average advocate does, once, the month after
    they join (the K-factor compounding with a cycle of one month).

Calculator: needed active advocates = goal ÷ (months × invites per advocate per month ×
conversion rate), rounded up, where months = days until the deadline ÷ 30.
"""

import math
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.advocates.models import Advocate
from chorus.core.errors import InvalidInput
from chorus.referrals.models import Click, Conversion, Referral

MAX_MONTHS = 60
MAX_FORECAST_MONTHS = 36
TRAILING_MONTHS = 3
GROWTH_LIMIT = Fraction(1, 2)
DAYS_PER_MONTH = 30


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def ratio(part, whole) -> Fraction | None:
    return Fraction(part, whole) if whole else None


@dataclass
class Month:
    month: date
    advocates: int = 0
    sharing_advocates: int = 0
    invites: int = 0
    signups: int = 0
    cycle_days: list = field(default_factory=list)

    @property
    def invites_per_advocate(self) -> Fraction | None:
        return ratio(self.invites, self.advocates)

    @property
    def conversion_rate(self) -> Fraction | None:
        return ratio(self.signups, self.invites)

    @property
    def k_factor(self) -> Fraction | None:
        return ratio(self.signups, self.advocates)

    @property
    def cycle_time_days(self) -> float | None:
        return statistics.median(self.cycle_days) if self.cycle_days else None


def months_between(start_date: date, end_date: date) -> list[date]:
    if end_date < start_date:
        raise InvalidInput(_("The start date must be on or before the end date."),
                           field_errors={"from": [_("After the end date.")]})
    months, month = [], month_start(start_date)
    while month <= end_date:
        months.append(month)
        month = next_month(month)
    if len(months) > MAX_MONTHS:
        raise InvalidInput(_("Choose at most %(months)d months.") % {"months": MAX_MONTHS},
                           field_errors={"from": [_("The range is too long.")]})
    return months


def _advocates_by_month(program, months: list[date]) -> dict[date, int]:
    """One query: for each month, the advocates who had joined by its end."""
    advocates = Advocate.objects.filter(program=program).exclude(status=Advocate.Status.DISABLED).annotate(
        since=Coalesce("joined_at", "created_at"))
    counts = advocates.aggregate(**{
        f"m{index}": Count("pk", filter=Q(since__lt=_aware(next_month(month)))) for index, month in enumerate(months)})
    return {month: counts[f"m{index}"] for index, month in enumerate(months)}


def monthly(program, start_date: date, end_date: date) -> list[Month]:
    """One row per calendar month touching the range (whole months are counted)."""
    months = months_between(start_date, end_date)
    start, end = _aware(months[0]), _aware(next_month(months[-1]))
    zone = timezone.get_current_timezone()
    rows = {month: Month(month=month) for month in months}
    for month, advocates in _advocates_by_month(program, months).items():
        rows[month].advocates = advocates
    clicks = (Click.objects.filter(program=program, is_bot=False, created_at__gte=start, created_at__lt=end)
              .annotate(month=TruncMonth("created_at", tzinfo=zone)).values("month", "link_id")
              .annotate(visitors=Count("visitor_hash", distinct=True)).order_by())
    for row in clicks:
        month = rows[row["month"].date() if isinstance(row["month"], datetime) else row["month"]]
        month.invites += row["visitors"]
        month.sharing_advocates += 1
    signups = (Conversion.objects.filter(program=program, type=Conversion.Type.SIGNUP, referral__isnull=False,
                                         occurred_at__gte=start, occurred_at__lt=end)
               .exclude(referral__review=Referral.Review.DENIED)
               .annotate(month=TruncMonth("occurred_at", tzinfo=zone)).values("month")
               .annotate(total=Count("pk")).order_by())
    for row in signups:
        rows[row["month"].date() if isinstance(row["month"], datetime) else row["month"]].signups = row["total"]
    _add_cycle_times(program, rows, start, end)
    return [rows[month] for month in months]


def _add_cycle_times(program, rows: dict[date, Month], start: datetime, end: datetime) -> None:
    firsts = (Conversion.objects.filter(program=program, type=Conversion.Type.SIGNUP, referral__isnull=False)
              .exclude(referral__review=Referral.Review.DENIED)
              .values("referral__advocate_id").annotate(first=Min("occurred_at"))
              .filter(Q(first__gte=start) & Q(first__lt=end)).order_by())
    first_by_advocate = {row["referral__advocate_id"]: row["first"] for row in firsts}
    advocates = Advocate.objects.filter(pk__in=list(first_by_advocate)).annotate(
        since=Coalesce("joined_at", "created_at")).values_list("pk", "since")
    for advocate_id, since in advocates:
        first = first_by_advocate[advocate_id]
        month = month_start(timezone.localtime(first).date())
        rows[month].cycle_days.append(max((first - since).total_seconds(), 0) / 86400)


# --- forecast -------------------------------------------------------------------------------------

@dataclass
class Trailing:
    """The last three full months' rates, pooled."""

    months: list[Month]
    baseline: Fraction
    growth: Fraction
    growth_rates: list[Fraction]
    k_factor: Fraction
    invites_per_advocate: Fraction
    conversion_rate: Fraction
    advocates: int


@dataclass
class Forecast:
    trailing: Trailing
    months: list[tuple[date, Fraction, Fraction, Fraction]]  # month, from advocates, from compounding, total

    @property
    def total(self) -> Fraction:
        return sum((row[3] for row in self.months), Fraction(0))


def trailing_rates(program, today: date) -> Trailing:
    current = month_start(today)
    first = current
    for _step in range(TRAILING_MONTHS + 1):
        first = month_start(first - timedelta(days=1))
    rows = monthly(program, first, current - timedelta(days=1))  # four months: one before, three trailing
    before, last = rows[0], rows[1:]
    rates, previous = [], before
    for row in last:
        if previous.signups:
            rates.append(Fraction(row.signups, previous.signups) - 1)
        previous = row
    growth = sum(rates, Fraction(0)) / len(rates) if rates else Fraction(0)
    growth = max(-GROWTH_LIMIT, min(GROWTH_LIMIT, growth))
    advocate_months = sum(row.advocates for row in last)
    invites, signups = sum(row.invites for row in last), sum(row.signups for row in last)
    return Trailing(
        months=last, baseline=Fraction(signups, len(last)), growth=growth, growth_rates=rates,
        k_factor=ratio(signups, advocate_months) or Fraction(0),
        invites_per_advocate=ratio(invites, advocate_months) or Fraction(0),
        conversion_rate=ratio(signups, invites) or Fraction(0),
        advocates=last[-1].advocates,
    )


def forecast(program, months_ahead: int, today: date | None = None) -> Forecast:
    if not isinstance(months_ahead, int) or not 1 <= months_ahead <= MAX_FORECAST_MONTHS:
        raise InvalidInput(_("Forecast 1 to %(months)d months.") % {"months": MAX_FORECAST_MONTHS},
                           field_errors={"months": [_("Between 1 and %(months)d.") % {"months": MAX_FORECAST_MONTHS}]})
    today = today or timezone.localdate()
    trailing = trailing_rates(program, today)
    rows, previous, month = [], Fraction(0), month_start(today)
    for step in range(1, months_ahead + 1):
        seeded = trailing.baseline * (1 + trailing.growth) ** step
        compounded = trailing.k_factor * previous
        previous = seeded + compounded
        rows.append((month, seeded, compounded, previous))
        month = next_month(month)
    return Forecast(trailing=trailing, months=rows)


# --- calculator -----------------------------------------------------------------------------------

@dataclass
class AdvocatesNeeded:
    goal: int
    deadline: date
    today: date
    invites_per_advocate: Fraction
    conversion_rate: Fraction  # 0–1
    current_advocates: int

    @property
    def months(self) -> Fraction:
        return Fraction((self.deadline - self.today).days, DAYS_PER_MONTH)

    @property
    def customers_per_advocate(self) -> Fraction:
        return self.months * self.invites_per_advocate * self.conversion_rate

    @property
    def needed(self) -> int:
        return math.ceil(Fraction(self.goal) / self.customers_per_advocate)

    @property
    def missing(self) -> int:
        return max(self.needed - self.current_advocates, 0)


def advocates_needed(*, goal, deadline, today: date, invites_per_advocate, conversion_rate,
                     current_advocates: int) -> AdvocatesNeeded:
    """How many active advocates reach `goal` new customers by `deadline` (InvalidInput when it cannot)."""
    errors = {}
    if not isinstance(goal, int) or goal < 1:
        errors["goal"] = [_("Give a goal of at least one new customer.")]
    if not isinstance(deadline, date) or deadline <= today:
        errors["deadline"] = [_("Choose a date after today.")]
    if invites_per_advocate is None or invites_per_advocate <= 0:
        errors["invites_per_advocate"] = [_("Give a number above 0.")]
    if conversion_rate is None or not 0 < conversion_rate <= 1:
        errors["conversion_rate"] = [_("Give a percentage above 0 and at most 100.")]
    if errors:
        raise InvalidInput(_("The calculator needs other inputs."), field_errors=errors)
    return AdvocatesNeeded(goal=goal, deadline=deadline, today=today,
                           invites_per_advocate=Fraction(invites_per_advocate),
                           conversion_rate=Fraction(conversion_rate), current_advocates=current_advocates)
