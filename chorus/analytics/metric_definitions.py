"""The metrics of the catalogue (see `catalogue.py` for the contract).

Seeded with the referral funnel's totals; the full catalogue (advocate conversion,
participation, engagement, retention, outcomes, redemption, unsubscribes, CAC, CLV) is
added here or in modules imported from here.
"""

from django.utils.translation import gettext_lazy as _

from chorus.advocates.models import Advocate

from . import services
from .catalogue import Metric, register


def _referred_signups(program, start, end):
    return services.funnel(program, start, end).totals.signups


def _referred_revenue(program, start, end):
    return services.funnel(program, start, end).totals.revenue


def _advocates_joined(program, start, end):
    first, last = services._bounds(start, end)
    return Advocate.objects.filter(program=program, joined_at__gte=first, joined_at__lt=last).count()


register(Metric(
    key="referred_signups", label=_("Referred signups"), group="referrals", unit="count", cumulative=True,
    formula=_("Signups attributed to an advocate's link or code in the period (referrals denied after review "
              "left out)."),
    compute=_referred_signups, breakdowns=("program", "month"),
))
register(Metric(
    key="referred_revenue", label=_("Referred revenue"), group="referrals", unit="money", cumulative=True,
    formula=_("Referred purchases minus referred refunds in the period, each on its own day."),
    compute=_referred_revenue, breakdowns=("program", "month"),
))
register(Metric(
    key="advocates_joined", label=_("Advocates joined"), group="advocates", unit="count", cumulative=True,
    formula=_("Advocates whose membership started in the period."),
    compute=_advocates_joined, breakdowns=("program", "month"),
))
