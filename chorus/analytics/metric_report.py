"""The metrics page and API: every metric of the catalogue (or one) over a range, each with its
breakdown when one is asked for."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chorus.core.errors import InvalidInput

from . import catalogue
from .metrics.common import BREAKDOWN_NOTES, GROUPS

MAX_DAYS = 731
BREAKDOWN_LABELS = {
    "program": gettext_lazy("Program"),
    "ask": gettext_lazy("Ask"),
    "channel": gettext_lazy("Channel"),
    "segment": gettext_lazy("Segment (language)"),
    "month": gettext_lazy("Month"),
}
UNIT_LABELS = {
    "count": gettext_lazy("Count"),
    "percent": gettext_lazy("Percent (0–100)"),
    "money": gettext_lazy("Money (program currency)"),
    "ratio": gettext_lazy("Ratio"),
    "days": gettext_lazy("Days"),
}


@dataclass
class MetricResult:
    metric: catalogue.Metric
    value: catalogue.Number
    rows: list[catalogue.Row] | None  # None: no breakdown asked for, or the metric has none of that kind


@dataclass
class Section:
    key: str
    label: str
    results: list[MetricResult]


def check_range(start: date, end: date) -> None:
    if start > end:
        raise InvalidInput(_("The start date must be on or before the end date."),
                           field_errors={"from": [_("After the end date.")]})
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(_("Choose at most %(days)d days.") % {"days": MAX_DAYS},
                           field_errors={"from": [_("Too long a range.")]})


def check_breakdown(by: str | None) -> None:
    if by and by not in catalogue.BREAKDOWNS:
        raise InvalidInput(_("Unknown breakdown “%(by)s”.") % {"by": by},
                           field_errors={"by": [_("Use one of: %(names)s.") % {"names": ", ".join(catalogue.BREAKDOWNS)}]})


def report(program, start: date, end: date, by: str | None = None, key: str | None = None) -> list[MetricResult]:
    """Each metric's value over start..end, and its rows per `by` where it breaks down so.

    With `key`, only that metric — and asking for a breakdown it lacks is an error."""
    check_range(start, end)
    check_breakdown(by)
    chosen = [catalogue.get(key)] if key else catalogue.metrics()
    results = []
    for metric in chosen:
        rows = None
        if by and (key or by in metric.breakdowns):
            rows = catalogue.breakdown(program, metric.key, start, end, by)
        results.append(MetricResult(metric, metric.compute(program, start, end), rows))
    return results


def sections(results: list[MetricResult]) -> list[Section]:
    grouped: dict[str, list[MetricResult]] = {}
    for result in results:
        grouped.setdefault(result.metric.group, []).append(result)
    return [Section(group, str(GROUPS.get(group, group)), items) for group, items in grouped.items()]


def glossary() -> list[Section]:
    """Every metric, by group, for the glossary page (label, formula, unit, breakdowns)."""
    return sections([MetricResult(metric, None, None) for metric in catalogue.metrics()])


def breakdown_notes() -> list[tuple[str, str]]:
    return [(str(BREAKDOWN_LABELS[by]), str(BREAKDOWN_NOTES[by])) for by in catalogue.BREAKDOWNS]
