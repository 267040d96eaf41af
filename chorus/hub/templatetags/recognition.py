from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def number(value) -> str:
    """An integer with the language's digit grouping (1,200 / 1.200 / 1 200)."""
    return number_format(int(value or 0), use_l10n=True, force_grouping=True)
