"""Reward and email metrics (M7): the share of advocates redeeming rewards and unsubscribing."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from chorus.notifications.models import ALL_CATEGORIES, Consent
from chorus.rewards.models import Redemption

from .advocates import advocate_rate
from .common import define


def redeemed(first, last):
    return Exists(Redemption.objects.filter(advocate=OuterRef("pk"), created_at__gte=first, created_at__lt=last)
                  .exclude(status__in=Redemption.CLOSED_WITH_RETURN))


def unsubscribed(first, last):
    return Exists(Consent.objects.filter(program=OuterRef("program"), email_normalized=OuterRef("email_normalized"),
                                         category=ALL_CATEGORIES, granted=False, at__gte=first, at__lt=last))


def redeeming_rate(program, start, end, by):
    return advocate_rate(program, start, end, by, redeemed)


def unsubscribe_rate(program, start, end, by):
    return advocate_rate(program, start, end, by, unsubscribed)


define(key="redeeming_advocates", label=_("Advocates redeeming rewards"), group="rewards", unit="percent",
       formula=_("Advocates who asked to redeem points in the period (requests later rejected or cancelled left "
                 "out) ÷ advocates who had joined by the period's end × 100."),
       function=redeeming_rate, family="advocates", groupings=("channel", "segment"))
define(key="unsubscribing_advocates", label=_("Advocates unsubscribing"), group="rewards", unit="percent",
       higher_is_better=False,
       formula=_("Advocates who unsubscribed from all of the program's email in the period (one-click link, "
                 "unsubscribe page, preference centre or hub) ÷ advocates who had joined by the period's end × 100."),
       function=unsubscribe_rate, family="advocates", groupings=("channel", "segment"))
