"""Retention metrics (M4): repeat-purchase, renewal and upsell rates of three customer groups.

Groups of the program's customers (a customer can be both an advocate and referred):
- advocates: customers whose email address is an advocate's of the program;
- referred: customers referred by an advocate (referrals denied after review left out);
- others ("everyone else"): neither — imported customers and those who came another way.

Chorus stores no subscription records, so renewals and upsells are read from the usage events
the merchant sends (`POST /api/v1/events`) under the names in `RENEWAL_EVENTS` and
`UPSELL_EVENTS`; repeat purchases from purchase conversions (referred or not).
"""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from chorus.advocates.models import Advocate, Customer, UsageEvent
from chorus.referrals.models import Conversion, Referral

from ..services import rate
from .common import Filled, bounds, define

RENEWAL_EVENTS = ("subscription.renewed", "renewal")
UPSELL_EVENTS = ("subscription.upgraded", "plan.upgraded", "upsell")
CUSTOMER_GROUPS = ("advocates", "referred", "others")


def customers_of(program, group: str):
    referred = Exists(Referral.objects.filter(customer=OuterRef("pk")).exclude(review=Referral.Review.DENIED))
    advocate = Exists(Advocate.objects.filter(program=program, email_normalized=OuterRef("email_normalized")))
    customers = Customer.objects.filter(program=program)
    if group == "advocates":
        return customers.filter(advocate)
    if group == "referred":
        return customers.filter(referred)
    return customers.filter(~advocate, ~referred)


def repeat_purchase(group: str):
    def compute(program, start, end, by):
        first, last = bounds(start, end)
        purchases = Conversion.objects.filter(customer=OuterRef("pk"), type=Conversion.Type.PURCHASE)
        until_end = (purchases.filter(occurred_at__lt=last).order_by().values("customer")
                     .annotate(n=Count("pk")).values("n"))
        buyers = customers_of(program, group).filter(
            Exists(purchases.filter(occurred_at__gte=first, occurred_at__lt=last))).annotate(
            purchases=Coalesce(Subquery(until_end, output_field=IntegerField()), 0))
        totals = buyers.aggregate(n=Count("pk"), repeat=Count("pk", filter=Q(purchases__gte=2)))
        return {None: rate(totals["repeat"], totals["n"])}
    return compute


def usage_rate(group: str, names: tuple[str, ...]):
    def compute(program, start, end, by):
        first, last = bounds(start, end)
        event = UsageEvent.objects.filter(customer=OuterRef("pk"), name__in=names, occurred_at__gte=first,
                                          occurred_at__lt=last)
        existing = customers_of(program, group).annotate(since=Coalesce("signed_up_at", "first_seen_at")).filter(
            since__lt=first).annotate(hit=Exists(event))
        totals = existing.aggregate(n=Count("pk"), hits=Count("pk", filter=Q(hit=True)))
        return {None: rate(totals["hits"], totals["n"])}
    return compute


GROUP_LABELS = {"advocates": _("advocates"), "referred": _("referred customers"), "others": _("everyone else")}
GROUP_TEXTS = {
    "advocates": _("customers whose email address is an advocate's"),
    "referred": _("customers referred by an advocate"),
    "others": _("customers who are neither advocates nor referred"),
}



for _group in CUSTOMER_GROUPS:
    define(key=f"repeat_purchase_rate_{_group}", group="retention", unit="percent",
           label=Filled(_("Repeat-purchase rate: %(group)s"), group=GROUP_LABELS[_group]),
           formula=Filled(_("Of the %(who)s who bought in the period, those with at least two purchases by the "
                           "period's end (earlier purchases included) × 100 ÷ all of them."), who=GROUP_TEXTS[_group]),
           function=repeat_purchase(_group))
for _group in CUSTOMER_GROUPS:
    define(key=f"renewal_rate_{_group}", group="retention", unit="percent",
           label=Filled(_("Renewal rate: %(group)s"), group=GROUP_LABELS[_group]),
           formula=Filled(_("Of the %(who)s known before the period (signup date, else first seen), those with a "
                           "usage event named %(names)s in the period × 100 ÷ all of them."),
                         who=GROUP_TEXTS[_group], names=" / ".join(RENEWAL_EVENTS)),
           function=usage_rate(_group, RENEWAL_EVENTS))
for _group in CUSTOMER_GROUPS:
    define(key=f"upsell_rate_{_group}", group="retention", unit="percent",
           label=Filled(_("Upsell rate: %(group)s"), group=GROUP_LABELS[_group]),
           formula=Filled(_("Of the %(who)s known before the period (signup date, else first seen), those with a "
                           "usage event named %(names)s in the period × 100 ÷ all of them."),
                         who=GROUP_TEXTS[_group], names=" / ".join(UPSELL_EVENTS)),
           function=usage_rate(_group, UPSELL_EVENTS))
