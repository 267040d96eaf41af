"""The metric catalogue: every number Chorus reports to a marketer, with its formula.

A metric is registered once (`register`) with a key, a label, the formula in words (shown
on the console's glossary page), a unit and how it breaks down. Everything that shows a
metric — the metrics page, goals and the plan, the dashboard, the API, exports — reads it
through `value` / `breakdown`, so a number means the same thing everywhere.

Contract (other modules rely on it):
- `value(program, key, start, end)` → int | float | None for the calendar days
  start..end (both included, current time zone). None means "nothing to divide by".
- `breakdown(program, key, start, end, by)` → list of `Row(key, label, value)`; `by` is one
  of the metric's `breakdowns` ("program", "ask", "channel", "segment", "month").
- `Metric.cumulative` is True when values over disjoint ranges add up (counts, money):
  goals project those linearly; rates and averages are compared as they stand.
- Money is in minor units of the program's currency; percentages are 0–100 floats.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chorus.core.errors import InvalidInput

Number = int | float | None

UNITS = ("count", "percent", "money", "ratio", "days")
BREAKDOWNS = ("program", "ask", "channel", "segment", "month")


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: Number


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any  # lazy translation
    formula: Any  # lazy translation: the formula in words, for the glossary
    unit: str
    group: str
    compute: Callable[[Any, date, date], Number]
    cumulative: bool = False
    higher_is_better: bool = True
    breakdowns: tuple[str, ...] = ("month",)
    # by → function(program, start, end) -> list[Row]; "month" has a generic default.
    breakdown_functions: dict[str, Callable[[Any, date, date], list[Row]]] = field(default_factory=dict)


CATALOGUE: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    if metric.unit not in UNITS:
        raise ValueError(f"unknown unit {metric.unit!r}")
    unknown = set(metric.breakdowns) - set(BREAKDOWNS)
    if unknown:
        raise ValueError(f"unknown breakdowns {sorted(unknown)}")
    CATALOGUE[metric.key] = metric
    return metric


def get(key: str) -> Metric:
    _load()
    try:
        return CATALOGUE[key]
    except KeyError:
        raise InvalidInput(_("Unknown metric “%(key)s”.") % {"key": key},
                           field_errors={"metric": [_("Choose a metric from the catalogue.")]}) from None


def metrics() -> list[Metric]:
    """Every registered metric, in registration order."""
    _load()
    return list(CATALOGUE.values())


def value(program, key: str, start: date, end: date) -> Number:
    if end < start:
        raise InvalidInput(_("The start date must be on or before the end date."))
    return get(key).compute(program, start, end)


def months(start: date, end: date) -> list[tuple[date, date]]:
    """Calendar months overlapping start..end, each clipped to the range."""
    result, first = [], start
    while first <= end:
        following = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        last = min(end, following - timedelta(days=1))
        result.append((first, last))
        first = following
    return result


def breakdown(program, key: str, start: date, end: date, by: str) -> list[Row]:
    metric = get(key)
    if by not in metric.breakdowns:
        raise InvalidInput(_("“%(metric)s” cannot be broken down by %(by)s.") % {"metric": metric.label, "by": by},
                           field_errors={"by": [_("Not available for this metric.")]})
    if by in metric.breakdown_functions:
        return metric.breakdown_functions[by](program, start, end)
    if by == "month":
        return [Row(first.strftime("%Y-%m"), first.strftime("%Y-%m"), metric.compute(program, first, last))
                for first, last in months(start, end)]
    if by == "program":
        return [Row(program.slug, program.name, metric.compute(program, start, end))]
    raise InvalidInput(_("Not available for this metric."))


_LOADED = False


def _load() -> None:
    """Import the modules that register metrics (once)."""
    global _LOADED
    if not _LOADED:
        from . import metric_definitions  # noqa: F401  (registers on import)
        _LOADED = True


__all__ = ["BREAKDOWNS", "CATALOGUE", "Metric", "Row", "breakdown", "get", "gettext_lazy", "metrics",
           "months", "register", "value"]
