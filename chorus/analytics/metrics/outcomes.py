"""Outcome counts (M5): referrals, reviews, references, testimonials, social shares.

Asks produce the outcomes; each ask type maps to at most one outcome (`OUTCOME_ASK_TYPES`,
shown on the glossary). Only approved completions count, on the day they were approved.
"""

from django.db.models import F, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from chorus.campaigns.models import Ask, Completion
from chorus.referrals.models import Conversion, Referral

from .common import Filled, Monthly, bounds, counted, define
from .referrals import conversion_key

OUTCOME_ASK_TYPES = {
    "reviews": (Ask.Type.REVIEW,),
    "references": (Ask.Type.FORUM_ANSWER,),
    "testimonials": (Ask.Type.UGC, Ask.Type.VIDEO),
    "social_shares": (Ask.Type.SOCIAL_SHARE, Ask.Type.SOCIAL_MENTION),
}


def referrals_made(program, start, end, by):
    first, last = bounds(start, end)
    first_conversion = Conversion.objects.filter(referral=OuterRef("pk")).order_by("occurred_at").values(
        "occurred_at")[:1]
    queryset = (Referral.objects.filter(program=program).exclude(review=Referral.Review.DENIED)
                .annotate(first_at=Subquery(first_conversion)).filter(first_at__gte=first, first_at__lt=last))
    key, mapper = conversion_key(by, prefix="", month_field="first_at")
    return counted(queryset, key, mapper)


def completions_of(outcome: str):
    def count(program, start, end, by):
        first, last = bounds(start, end)
        queryset = Completion.objects.filter(ask__program=program, ask__type__in=OUTCOME_ASK_TYPES[outcome],
                                             status=Completion.Status.APPROVED, decided_at__gte=first,
                                             decided_at__lt=last)
        key = {"ask": F("ask_id"), "segment": F("advocate__language"), "month": Monthly("decided_at")}.get(by)
        return counted(queryset, key)
    return count


def _types(outcome: str) -> str:
    labels = {value: str(label) for value, label in Ask.Type.choices}
    return ", ".join(f"“{labels[kind]}”" for kind in OUTCOME_ASK_TYPES[outcome])



define(key="outcome_referrals", label=_("Referrals"), group="outcomes", unit="count", cumulative=True,
       formula=_("Friends referred by an advocate whose first signup, purchase or won lead fell in the period "
                 "(referrals denied after review left out)."),
       function=referrals_made, family="referrals", groupings=("channel", "segment"), monthly=True)
for _key, _label, _text in (
    ("reviews", _("Reviews"), _("Approved completions of asks of the types %(types)s, approved in the period.")),
    ("references", _("References"),
     _("Approved completions of asks of the types %(types)s (an advocate vouching for the product to peers; "
       "Chorus has no separate reference-call ask), approved in the period.")),
    ("testimonials", _("Testimonials"),
     _("Approved completions of asks of the types %(types)s, approved in the period.")),
    ("social_shares", _("Social shares"),
     _("Approved completions of asks of the types %(types)s, approved in the period.")),
):
    define(key=f"outcome_{_key}", label=_label, group="outcomes", unit="count", cumulative=True,
           formula=Filled(_text, types=lambda outcome=_key: _types(outcome)), function=completions_of(_key), family="outcomes",
           groupings=("ask", "segment"), monthly=True)
