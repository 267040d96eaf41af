"""Display helpers for hub pages: money in minor units, points, reward amounts."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import ngettext, pgettext

from chorus.programs.currencies import minor_unit_exponent

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """12345, "USD" → "123.45 USD" in the active language's number format."""
    exponent = minor_unit_exponent(currency)
    value = Decimal(int(amount or 0)).scaleb(-exponent)
    number = number_format(value, decimal_pos=exponent, use_l10n=True, force_grouping=True)
    return pgettext("money: amount then ISO currency code", "%(amount)s %(currency)s") % {
        "amount": number, "currency": (currency or "").upper()}


@register.filter
def points(amount) -> str:
    amount = int(amount or 0)
    number = number_format(amount, use_l10n=True, force_grouping=True)
    return ngettext("%(count)s point", "%(count)s points", abs(amount)) % {"count": number}


@register.filter
def reward_value(reward) -> str:
    """What a reward is worth, in its own unit."""
    if reward.kind == "points":
        return points(reward.amount)
    return money(reward.amount, reward.currency)


@register.filter
def ledger_amount(entry) -> str:
    return points(entry.amount) if entry.unit == "points" else money(entry.amount, entry.currency)
