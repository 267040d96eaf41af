"""Numbers on console pages: money from minor units, rates, bar widths."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from chorus.programs.currencies import minor_unit_exponent

register = template.Library()


@register.filter
def money(minor_units, currency: str) -> str:
    """12345, "USD" → "123.45 USD" (in the reader's number format)."""
    if minor_units is None or minor_units == "":
        return ""
    exponent = minor_unit_exponent(currency)
    value = Decimal(int(minor_units)).scaleb(-exponent)
    return f"{number_format(value, decimal_pos=exponent, use_l10n=True, force_grouping=True)} {currency}"


@register.filter
def percent(value) -> str:
    """A percentage (already × 100) with one decimal, or an en dash when there is none."""
    if value is None:
        return "–"
    return f"{number_format(round(value, 1), decimal_pos=1, use_l10n=True)} %"


@register.filter
def share_of(part, whole) -> int:
    """`part` as a whole percentage of `whole`, 0–100, for a bar's width."""
    try:
        return max(0, min(100, round(int(part) * 100 / int(whole)))) if int(whole) else 0
    except (TypeError, ValueError):
        return 0


@register.filter
def grouped(value) -> str:
    return number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def basis_points(value) -> str:
    """1250 → "12.5 %"."""
    if value is None:
        return ""
    return f"{number_format(Decimal(int(value)).scaleb(-2).normalize(), use_l10n=True)} %"
