"""Template helpers for asks: texts per language, form values and errors by field name."""

from django import template
from django.utils import timezone

from ..models.asks import localized

register = template.Library()

URGENT_DAYS = 3


@register.filter
def in_language(value, fallback=""):
    """The current language's text of a {language: text} dict (or the string itself)."""
    return localized(value, fallback or "")


@register.filter
def item(mapping, key):
    if hasattr(mapping, "getlist"):
        return mapping.get(key, "")
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


@register.filter
def items_of(mapping, key) -> list:
    """All values of `key` (a QueryDict's list, or a stored list answer)."""
    if hasattr(mapping, "getlist"):
        return mapping.getlist(key)
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, list) else ([] if value in (None, "") else [value])


@register.filter
def is_urgent(ends_at) -> bool:
    return bool(ends_at) and (ends_at - timezone.now()).days < URGENT_DAYS


@register.filter
def str_value(value) -> str:
    return "" if value is None else str(value)


@register.filter
def as_answer(value) -> str:
    """A stored answer as text: lists joined, nothing as a dash."""
    if value in (None, "", []):
        return "—"
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
