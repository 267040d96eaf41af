"""How referred B2B deals compare with deals from other channels: win rate, time to close,
deal value, and the pipeline's value by stage.

Definitions (also on the console page):
* win rate = won ÷ (won + lost) of the closed leads, in percent;
* time to close = days from `submitted_at` to `closed_at` of the won leads (median and mean);
* average deal value = mean `deal_value` of the won leads;
* pipeline by stage = number of leads and sum of their deal values per stage.
A program's leads are B2B deals (hundreds to thousands), read in one query each.
"""

from dataclasses import dataclass, field
from statistics import mean, median

from django.db.models import Count, Sum

from ..models import Lead
from .leads import days_between


@dataclass
class SourceReport:
    source: str
    label: str
    leads: int = 0
    open: int = 0
    won: int = 0
    lost: int = 0
    won_value: int = 0
    close_days: list[float] = field(default_factory=list)

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return round(100 * self.won / closed, 1) if closed else None

    @property
    def median_days_to_close(self) -> float | None:
        return round(median(self.close_days), 1) if self.close_days else None

    @property
    def average_days_to_close(self) -> float | None:
        return round(mean(self.close_days), 1) if self.close_days else None

    @property
    def average_deal_value(self) -> int | None:
        return self.won_value // self.won if self.won else None


@dataclass
class StageTotal:
    stage: str
    label: str
    count: int
    value: int


@dataclass
class LeadReport:
    currency: str
    sources: list[SourceReport]
    stages: list[StageTotal]

    def source(self, source: str) -> SourceReport:
        return next(report for report in self.sources if report.source == source)


def lead_report(program) -> LeadReport:
    leads = Lead.objects.filter(program=program)
    sources = {source: SourceReport(source=source, label=str(label)) for source, label in Lead.Source.choices}
    for source, stage, count in leads.values_list("source", "stage").annotate(count=Count("pk")).order_by():
        report = sources[source]
        report.leads += count
        if stage == Lead.Stage.WON:
            report.won += count
        elif stage == Lead.Stage.LOST:
            report.lost += count
        else:
            report.open += count
    for source, value, submitted_at, closed_at in leads.filter(stage=Lead.Stage.WON).values_list(
            "source", "deal_value", "submitted_at", "closed_at"):
        sources[source].won_value += value
        if closed_at is not None:
            sources[source].close_days.append(days_between(submitted_at, closed_at))
    by_stage = {row["stage"]: row for row in leads.values("stage").annotate(count=Count("pk"), value=Sum("deal_value")).order_by()}
    stages = [StageTotal(stage=stage, label=str(label), count=by_stage.get(stage, {}).get("count", 0),
                         value=by_stage.get(stage, {}).get("value") or 0) for stage, label in Lead.Stage.choices]
    return LeadReport(currency=program.currency, sources=list(sources.values()), stages=stages)
