"""A metric's value in its unit, for the metrics page."""

from django import template

from .analytics_format import decimal
from .console_format import money, percent

register = template.Library()


@register.simple_tag
def metric_value(value, unit: str, currency: str) -> str:
    """`{% metric_value 4000 "money" "USD" %}` → "40.00 USD"; percent → "66.7 %"; none → an en dash."""
    if value is None:
        return "–"
    if unit == "money":
        return money(round(value), currency)
    if unit == "percent":
        return percent(value)
    if unit == "count":
        return decimal(value, 0)
    return decimal(value, 2)
