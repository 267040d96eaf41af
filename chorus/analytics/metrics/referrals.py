"""Referral and lead metrics (M2): referred signups and their conversion, referred revenue,
referred B2B leads, their conversion and average deal value.

Referred conversions are those of `services.funnel` (attributed to an advocate, referrals
denied after review left out). Channel: where the click behind the referral came from;
segment: the referring advocate's language.
"""

from django.db.models import Avg, Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from chorus.referrals.models import Conversion, Lead

from ..services import _referred_conversions
from .common import (
    Monthly,
    bounds,
    click_channel,
    counted,
    define,
    grouped,
    rates,
    referred_in_subquery,
    referrer_of,
)

ZERO = Value(0, output_field=IntegerField())


def conversion_key(by, prefix: str = "referral__", month_field: str = "occurred_at"):
    """(key expression, mapper) of a breakdown of referred conversions (or referrals, prefix "")."""
    if by == "month":
        return Monthly(month_field), None
    if by == "channel":
        return referrer_of(f"{prefix}click_token"), click_channel
    if by == "segment":
        return F(f"{prefix}advocate__language"), None
    return None, None


def _conversions(program, start, end, kind):
    first, last = bounds(start, end)
    return _referred_conversions().filter(program=program, type=kind, occurred_at__gte=first, occurred_at__lt=last)


def referred_signups(program, start, end, by):
    key, mapper = conversion_key(by)
    return counted(_conversions(program, start, end, Conversion.Type.SIGNUP), key, mapper)


def referred_revenue(program, start, end, by):
    first, last = bounds(start, end)
    key, mapper = conversion_key(by)
    queryset = _referred_conversions().filter(program=program, occurred_at__gte=first, occurred_at__lt=last)
    totals = grouped(queryset, key, mapper,
                     purchased=Coalesce(Sum("amount", filter=Q(type=Conversion.Type.PURCHASE)), ZERO),
                     refunded=Coalesce(Sum("amount", filter=Q(type=Conversion.Type.REFUND)), ZERO))
    return {group: row["purchased"] - row["refunded"] for group, row in totals.items()}


def referred_signup_conversion(program, start, end, by):
    _first, last = bounds(start, end)
    bought = referred_in_subquery().filter(customer=OuterRef("customer"), type=Conversion.Type.PURCHASE,
                                           occurred_at__lt=last)
    queryset = _conversions(program, start, end, Conversion.Type.SIGNUP).annotate(has_bought=Exists(bought))
    key, mapper = conversion_key(by)
    totals = grouped(queryset, key, mapper, n=Count("pk"), bought=Count("pk", filter=Q(has_bought=True)))
    return rates({group: row["bought"] for group, row in totals.items()},
                 {group: row["n"] for group, row in totals.items()})


def _leads(program):
    return Lead.objects.filter(program=program, source=Lead.Source.REFERRAL)


def _lead_key(by):
    return F("advocate__language") if by == "segment" else None


def referred_leads(program, start, end, by):
    first, last = bounds(start, end)
    return counted(_leads(program).filter(submitted_at__gte=first, submitted_at__lt=last),
                   Monthly("submitted_at") if by == "month" else _lead_key(by))


def _closed_leads(program, start, end):
    first, last = bounds(start, end)
    return _leads(program).filter(stage__in=(Lead.Stage.WON, Lead.Stage.LOST), closed_at__gte=first,
                                  closed_at__lt=last)


def referred_lead_conversion(program, start, end, by):
    totals = grouped(_closed_leads(program, start, end), _lead_key(by),
                     n=Count("pk"), won=Count("pk", filter=Q(stage=Lead.Stage.WON)))
    return rates({group: row["won"] for group, row in totals.items()},
                 {group: row["n"] for group, row in totals.items()})


def average_referred_deal_value(program, start, end, by):
    won = _closed_leads(program, start, end).filter(stage=Lead.Stage.WON)
    totals = grouped(won, _lead_key(by), average=Avg("deal_value"))
    return {group: None if row["average"] is None else float(row["average"]) for group, row in totals.items()}


define(key="referred_signups", label=_("Referred signups"), group="referrals", unit="count", cumulative=True,
       formula=_("Signups attributed to an advocate's link or code in the period (referrals denied after review "
                 "left out)."),
       function=referred_signups, family="referrals", groupings=("channel", "segment"), monthly=True)
define(key="referred_signup_conversion", label=_("Referred signup conversion"), group="referrals", unit="percent",
       formula=_("Referred friends who signed up in the period and made a referred purchase by the period's end ÷ "
                 "referred signups in the period × 100."),
       function=referred_signup_conversion, family="referrals", groupings=("channel", "segment"))
define(key="referred_revenue", label=_("Referred revenue"), group="referrals", unit="money", cumulative=True,
       formula=_("Referred purchases minus referred refunds in the period, each on its own day."),
       function=referred_revenue, family="referrals", groupings=("channel", "segment"), monthly=True)
define(key="referred_leads", label=_("Referred leads"), group="referrals", unit="count", cumulative=True,
       formula=_("B2B leads referred by an advocate and submitted in the period."),
       function=referred_leads, family="referrals", groupings=("segment",), monthly=True)
define(key="referred_lead_conversion", label=_("Referred lead conversion"), group="referrals", unit="percent",
       formula=_("Referred leads won in the period ÷ referred leads closed (won or lost) in the period × 100."),
       function=referred_lead_conversion, family="referrals", groupings=("segment",))
define(key="average_referred_deal_value", label=_("Average referred deal value"), group="referrals", unit="money",
       formula=_("The deal values of referred leads won in the period added up ÷ their number."),
       function=average_referred_deal_value, family="referrals", groupings=("segment",))
