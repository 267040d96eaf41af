"""Acquisition cost, CAC and CLV (M6), referred customers versus the other channels.

- Reward costs come from the ledger: credit (money) entries of issued rewards minus their
  clawbacks, on the day they were written. Points have no money value in Chorus: a marketer
  enters what points rewards cost as an acquisition cost of the referral program.
- Entered costs (`AcquisitionCost`) count in the range that holds their month's first day.
- New customers: customers whose signup date (else the day they were first seen) falls in
  the range; referred ones have a referral (not denied after review), the others are
  everyone else, per channel by the `channel` column of the customer import.
"""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Lower, Trim
from django.utils.translation import gettext_lazy as _

from chorus.advocates.models import Customer
from chorus.referrals.models import Conversion, Referral
from chorus.rewards.models import LedgerEntry

from .. import costs
from ..catalogue import months
from ..models import AcquisitionCost
from .common import Filled, Monthly, bounds, counted, define, ratio

ZERO = Value(0, output_field=IntegerField())
REFERRAL = AcquisitionCost.REFERRAL_CHANNEL


def _referred():
    return Exists(Referral.objects.filter(customer=OuterRef("pk")).exclude(review=Referral.Review.DENIED))


def _customers(program, referred: bool):
    customers = Customer.objects.filter(program=program)
    return customers.filter(_referred()) if referred else customers.filter(~_referred())


def _new(program, start, end, referred: bool):
    first, last = bounds(start, end)
    return _customers(program, referred).annotate(since=Coalesce("signed_up_at", "first_seen_at")).filter(
        since__gte=first, since__lt=last)


def _channel_key(by):
    return Lower(Trim(KeyTextTransform("channel", "attributes"))) if by == "channel" else None


def reward_costs(program, start, end) -> int:
    first, last = bounds(start, end)
    return LedgerEntry.objects.filter(
        program=program, unit=LedgerEntry.Unit.CREDIT, reason__in=(LedgerEntry.Reason.REWARD, LedgerEntry.Reason.CLAWBACK),
        created_at__gte=first, created_at__lt=last).aggregate(total=Sum("amount"))["total"] or 0


def referral_cost(program, start, end, by):
    return {None: reward_costs(program, start, end) + costs.channel_totals(program, start, end).get(REFERRAL, 0)}


def new_referred(program, start, end, by):
    return counted(_new(program, start, end, referred=True), Monthly("since") if by == "month" else None)


def cac_referral(program, start, end, by):
    return {None: ratio(referral_cost(program, start, end, None)[None], new_referred(program, start, end, None)[None])}


def other_cost(program, start, end, by):
    totals = {channel: amount for channel, amount in costs.channel_totals(program, start, end).items()
              if channel != REFERRAL}
    return totals if by == "channel" else {None: sum(totals.values())}


def new_other(program, start, end, by):
    return counted(_new(program, start, end, referred=False),
                   Monthly("since") if by == "month" else _channel_key(by))


def cac_other(program, start, end, by):
    spent, customers = other_cost(program, start, end, by), new_other(program, start, end, by)
    return {group: ratio(spent.get(group, 0), customers.get(group, 0)) for group in spent | customers}


def lifetime_value(referred: bool):
    def compute(program, start, end, by):
        first, last = bounds(start, end)
        customers = _customers(program, referred)
        in_range = Conversion.objects.filter(customer__in=customers, occurred_at__gte=first, occurred_at__lt=last)
        totals = in_range.aggregate(
            purchased=Coalesce(Sum("amount", filter=Q(type=Conversion.Type.PURCHASE)), ZERO),
            refunded=Coalesce(Sum("amount", filter=Q(type=Conversion.Type.REFUND)), ZERO),
            payers=Count("customer", distinct=True, filter=Q(type=Conversion.Type.PURCHASE)))
        purchases = Conversion.objects.filter(customer=OuterRef("pk"), type=Conversion.Type.PURCHASE,
                                              occurred_at__lt=last).values("occurred_at")
        spans = customers.annotate(
            first_at=Subquery(purchases.order_by("occurred_at")[:1]),
            last_at=Subquery(purchases.order_by("-occurred_at")[:1]),
        ).filter(first_at__isnull=False).annotate(
            span=ExtractYear("last_at") * 12 + ExtractMonth("last_at") - ExtractYear("first_at") * 12
            - ExtractMonth("first_at") + 1,
        ).aggregate(months=Sum("span"), customers=Count("pk"))
        monthly_value = ratio(ratio(totals["purchased"] - totals["refunded"], totals["payers"]), len(months(start, end)))
        lifespan = ratio(spans["months"], spans["customers"])
        return {None: None if monthly_value is None or lifespan is None else monthly_value * lifespan}
    return compute


define(key="acquisition_cost_referral", label=_("Acquisition cost: referral program"), group="costs", unit="money",
       cumulative=True, higher_is_better=False,
       formula=_("Money rewards issued in the period (credit entries of the ledger, clawbacks subtracted) + the "
                 "costs entered for the referral program for the months that begin in the period."),
       function=referral_cost)
define(key="new_customers_referred", label=_("New referred customers"), group="costs", unit="count",
       cumulative=True,
       formula=_("Referred customers (referrals denied after review left out) whose signup date, else the day they "
                 "were first seen, falls in the period."),
       function=new_referred, monthly=True)
define(key="cac_referral", label=_("CAC: referral program"), group="costs", unit="money", higher_is_better=False,
       formula=_("Acquisition cost of the referral program ÷ new referred customers."),
       function=cac_referral)
define(key="acquisition_cost_other", label=_("Acquisition cost: other channels"), group="costs", unit="money",
       cumulative=True, higher_is_better=False,
       formula=_("Costs entered for channels other than the referral program, for the months that begin in the "
                 "period."),
       function=other_cost, family="costs", groupings=("channel",))
define(key="new_customers_other", label=_("New customers from other channels"), group="costs", unit="count",
       cumulative=True,
       formula=_("Customers who were not referred whose signup date, else the day they were first seen, falls in the "
                 "period; per channel by the “channel” column of the customer import."),
       function=new_other, family="costs", groupings=("channel",), monthly=True)
define(key="cac_other", label=_("CAC: other channels"), group="costs", unit="money", higher_is_better=False,
       formula=_("Acquisition cost of the other channels ÷ new customers from other channels; per channel, the "
                 "channel's costs ÷ its new customers (names matched ignoring case)."),
       function=cac_other, family="costs", groupings=("channel",))
_CLV = _("Average customer value × average lifespan. Value: the group's purchases minus refunds in the period ÷ "
         "its customers who bought in the period ÷ the calendar months the period touches. Lifespan: for the "
         "group's customers who bought by the period's end, the average number of calendar months from the "
         "first purchase's month to the last one's, both included. Group: %(group)s.")


define(key="clv_referred", label=_("CLV: referred customers"), group="costs", unit="money",
       formula=Filled(_CLV, group=_("customers referred by an advocate")), function=lifetime_value(referred=True))
define(key="clv_non_referred", label=_("CLV: non-referred customers"), group="costs", unit="money",
       formula=Filled(_CLV, group=_("every other customer")), function=lifetime_value(referred=False))
