"""Goal numbers in their metric's unit: money from minor units, percentages, counts."""

from django import template
from django.utils.formats import number_format

from .console_format import money, percent

register = template.Library()


@register.filter
def in_unit(value, progress) -> str:
    """`value` shown in the unit of `progress`'s metric (an en dash when there is none)."""
    if value is None:
        return "–"
    unit = progress.metric.unit
    if unit == "money":
        return money(round(value), progress.goal.program.currency)
    if unit == "percent":
        return percent(float(value))
    if unit == "count":
        return number_format(round(value), use_l10n=True, force_grouping=True)
    return number_format(round(float(value), 2), decimal_pos=2, use_l10n=True, force_grouping=True)


@register.filter
def per_week(value, progress) -> str:
    """A weekly rate: counts with one decimal, money in minor units rounded."""
    if value is None:
        return "–"
    if progress.metric.unit == "money":
        return money(round(value), progress.goal.program.currency)
    return number_format(round(float(value), 1), decimal_pos=1, use_l10n=True, force_grouping=True)
