"""Advocate metrics (M1): invitations, advocate conversion, joins, participation, engagement.

"Advocates of the period" are those who had joined by the period's last day (joined_at
before the end); rates divide by them. An advocate's channel is the invitation channel they
joined through (their enrolment: the channel's link, else the channel of their invitation).
"""

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from chorus.advocates.models import Advocate
from chorus.campaigns.models import Completion
from chorus.invitations.models import Invitation
from chorus.referrals.models import Click
from chorus.rewards.models import Redemption

from .common import (
    Monthly,
    bounds,
    counted,
    define,
    grouped,
    invitation_channel,
    rates,
    referred_in_subquery,
)

ADVOCATE_KEYS = {"channel": invitation_channel(), "segment": F("language")}


def advocates_by_end(program, last):
    return Advocate.objects.filter(program=program, joined_at__lt=last)


def advocate_rate(program, start, end, by, condition) -> dict:
    """Percent of the advocates of the period (per group) for whom `condition(first, last)` holds."""
    first, last = bounds(start, end)
    queryset = advocates_by_end(program, last).annotate(hit=condition(first, last))
    totals = grouped(queryset, ADVOCATE_KEYS.get(by), n=Count("pk"), hits=Count("pk", filter=Q(hit=True)))
    return rates({group: row["hits"] for group, row in totals.items()},
                 {group: row["n"] for group, row in totals.items()})


def approved_completion(first, last):
    return Exists(Completion.objects.filter(advocate=OuterRef("pk"), status=Completion.Status.APPROVED,
                                            decided_at__gte=first, decided_at__lt=last))


def active(first, last):
    clicked = Click.objects.filter(link__advocate=OuterRef("pk"), is_bot=False, created_at__gte=first,
                                   created_at__lt=last)
    converted = referred_in_subquery().filter(referral__advocate=OuterRef("pk"), occurred_at__gte=first,
                                               occurred_at__lt=last)
    redeemed = Redemption.objects.filter(advocate=OuterRef("pk"), created_at__gte=first, created_at__lt=last)
    return Exists(clicked) | Exists(converted) | approved_completion(first, last) | Exists(redeemed)


def _invitations(program, start, end):
    first, last = bounds(start, end)
    return Invitation.objects.filter(program=program, status=Invitation.Status.SENT, created_at__gte=first,
                                     created_at__lt=last)


def invitations_sent(program, start, end, by):
    key = Monthly("created_at") if by == "month" else F("channel_id") if by else None
    return counted(_invitations(program, start, end), key)


def advocate_conversion(program, start, end, by):
    totals = grouped(_invitations(program, start, end), F("channel_id") if by else None,
                     n=Count("pk"), joined=Count("pk", filter=Q(joined_at__isnull=False)))
    return rates({group: row["joined"] for group, row in totals.items()},
                 {group: row["n"] for group, row in totals.items()})


def advocates_joined(program, start, end, by):
    first, last = bounds(start, end)
    return counted(Advocate.objects.filter(program=program, joined_at__gte=first, joined_at__lt=last),
                   Monthly("joined_at") if by == "month" else ADVOCATE_KEYS.get(by))


def ask_participation(program, start, end, by):
    if by != "ask":
        return advocate_rate(program, start, end, by, approved_completion)
    first, last = bounds(start, end)
    whole = advocates_by_end(program, last).count()
    completions = Completion.objects.filter(ask__program=program, status=Completion.Status.APPROVED,
                                            decided_at__gte=first, decided_at__lt=last, advocate__joined_at__lt=last)
    parts = counted(completions, F("ask_id"), field="advocate", distinct=True)
    return rates(parts, dict.fromkeys(parts, whole))


def engagement_rate(program, start, end, by):
    return advocate_rate(program, start, end, by, active)


define(key="invitations_sent", label=_("Invitations sent"), group="advocates", unit="count", cumulative=True,
       formula=_("Invitations to join the program emailed in the period (first sending; suppressed or failed ones "
                 "left out)."),
       function=invitations_sent, family="advocates", groupings=("channel",), monthly=True)
define(key="advocate_conversion", label=_("Advocate conversion (invited → joined)"), group="advocates",
       unit="percent",
       formula=_("Invitations sent in the period whose invitee has joined (so far) ÷ invitations sent in the period "
                 "× 100."),
       function=advocate_conversion, family="advocates", groupings=("channel",))
define(key="advocates_joined", label=_("Advocates joined"), group="advocates", unit="count", cumulative=True,
       formula=_("Advocates whose membership started in the period."),
       function=advocates_joined, family="advocates", groupings=("channel", "segment"), monthly=True)
define(key="ask_participation", label=_("Ask participation"), group="advocates", unit="percent",
       formula=_("Advocates with an approved ask completion decided in the period ÷ advocates who had joined by the "
                 "period's end × 100. Per ask: advocates who completed that ask ÷ the same advocates."),
       function=ask_participation, family="advocates", groupings=("ask", "channel", "segment"))
define(key="engagement_rate", label=_("Engagement rate"), group="advocates", unit="percent",
       formula=_("Advocates active in the period ÷ advocates who had joined by the period's end × 100. Active: a "
                 "human click on their link, a referred signup, purchase or refund of theirs, an approved ask "
                 "completion, or a redemption request in the period."),
       function=engagement_rate, family="advocates", groupings=("channel", "segment"))
