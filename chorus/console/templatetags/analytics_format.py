"""Fractions and rates on the analytics pages."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def decimal(value, digits=2) -> str:
    """A Fraction, float or int with `digits` decimals in the reader's format; an en dash for none."""
    if value is None or value == "":
        return "–"
    digits = int(digits)
    return number_format(round(float(value), digits), decimal_pos=digits, use_l10n=True, force_grouping=True)


@register.filter
def as_percent(value, digits=1) -> str:
    """A ratio (0.25) as a percentage ("25.0 %")."""
    if value is None or value == "":
        return "–"
    return f"{decimal(float(value) * 100, digits)} %"
