"""NPS numbers for the console and the API: the score, its distribution and its trend.

NPS = % promoters (9–10) − % detractors (0–6), over the responses in a period (every
response counts; a corrected answer counts once, with its latest score). It is reported
with one decimal, from −100 to 100, and is None when there is no response.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import NpsResponse

WEEK, MONTH = "week", "month"


def nps_value(promoters: int, detractors: int, total: int) -> float | None:
    if not total:
        return None
    return round(100 * (promoters - detractors) / total, 1)


@dataclass
class Summary:
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    distribution: list[int] = field(default_factory=lambda: [0] * 11)  # responses per score 0..10

    @property
    def total(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def nps(self) -> float | None:
        return nps_value(self.promoters, self.detractors, self.total)

    def share(self, count: int) -> float:
        return round(100 * count / self.total, 1) if self.total else 0.0

    @property
    def promoter_share(self) -> float:
        return self.share(self.promoters)

    @property
    def passive_share(self) -> float:
        return self.share(self.passives)

    @property
    def detractor_share(self) -> float:
        return self.share(self.detractors)

    @property
    def bars(self) -> list[dict]:
        """The distribution as rows for the page: score, count, bar length in %."""
        top = max(self.distribution) or 1
        return [{"score": score, "count": count, "length": round(100 * count / top),
                 "category": "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"}
                for score, count in enumerate(self.distribution)]


def _responses(program, start: datetime | None = None, end: datetime | None = None):
    responses = NpsResponse.objects.filter(program=program)
    if start is not None:
        responses = responses.filter(responded_at__gte=start)
    if end is not None:
        responses = responses.filter(responded_at__lt=end)
    return responses


def summary(program, start: datetime | None = None, end: datetime | None = None) -> Summary:
    result = Summary()
    for row in _responses(program, start, end).values("score").annotate(count=Count("pk")):
        result.distribution[row["score"]] = row["count"]
    result.promoters = sum(result.distribution[9:])
    result.passives = sum(result.distribution[7:9])
    result.detractors = sum(result.distribution[:7])
    return result


@dataclass
class Period:
    start: date
    promoters: int
    passives: int
    detractors: int

    @property
    def total(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def nps(self) -> float | None:
        return nps_value(self.promoters, self.detractors, self.total)


def _period_start(day: date, period: str) -> date:
    if period == MONTH:
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def _next(start: date, period: str) -> date:
    if period == MONTH:
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=7)


def over_time(program, *, period: str = WEEK, start: datetime, end: datetime | None = None) -> list[Period]:
    """One row per week (Monday) or month from `start` to `end`, empty periods included."""
    end = end or timezone.now()
    trunc = TruncMonth if period == MONTH else TruncWeek
    rows = (_responses(program, start, end).annotate(period=trunc("responded_at")).values("period").annotate(
        promoters=Count("pk", filter=Q(score__gte=9)), passives=Count("pk", filter=Q(score__gte=7, score__lte=8)),
        detractors=Count("pk", filter=Q(score__lte=6))))
    found = {}
    for row in rows:
        key = row["period"].date() if isinstance(row["period"], datetime) else row["period"]
        found[key] = Period(key, row["promoters"], row["passives"], row["detractors"])
    local_start = timezone.localtime(start).date() if timezone.is_aware(start) else start.date()
    local_end = timezone.localtime(end).date() if timezone.is_aware(end) else end.date()
    periods, cursor = [], _period_start(local_start, period)
    while cursor <= local_end:
        periods.append(found.get(cursor, Period(cursor, 0, 0, 0)))
        cursor = _next(cursor, period)
    return periods


def chart(periods: list[Period]) -> dict:
    """NPS per period for Chart.js (static/js/charts.js): −100 to 100, a gap where nobody answered."""
    return {"type": "line", "dates": True, "min": -100, "max": 100,
            "labels": [row.start.isoformat() for row in periods],
            "datasets": [{"label": _("NPS"), "data": [row.nps for row in periods]}]}


def _matching(responses, category: str, query: str):
    if category in NpsResponse.Category.values:
        responses = responses.filter(category=category)
    if query:
        responses = responses.filter(Q(comment__icontains=query) | Q(email_normalized__icontains=query)
                                     | Q(customer__name__icontains=query) | Q(advocate__name__icontains=query))
    return responses


def responses(program, start: datetime, end: datetime, *, category: str = "", query: str = ""):
    """Every answer in [start, end), with or without a comment, newest first (for the export)."""
    answers = NpsResponse.objects.filter(program=program, responded_at__gte=start, responded_at__lt=end)
    return _matching(answers.select_related("customer", "advocate"), category, query).order_by("-responded_at", "-pk")


def comments(program, *, category: str = "", query: str = ""):
    """Responses with a comment, newest first, optionally of one category and matching a search."""
    answers = NpsResponse.objects.filter(program=program).exclude(comment="").select_related("customer", "advocate")
    return _matching(answers, category, query).order_by("-responded_at", "-pk")
