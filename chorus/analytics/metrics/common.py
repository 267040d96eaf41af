"""Shared pieces of the metric modules: date bounds, grouped aggregates, group labels.

A metric function takes `(program, start, end, by)` and returns `{group key: value}`;
`by` None means the whole range (one key, None). Groups are formed in the database
(`values(...).annotate(...)`); Python only merges the few grouped rows (e.g. many Referer
hosts into one channel) and divides.
"""

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.referrals.models import Click

from .. import channels
from ..catalogue import Metric, Row, months, register
from ..services import _bounds, rate

NO_CLICK = "no_click"
NONE = "none"

# What "channel" and "segment" mean for each family of metrics (shown on the glossary).
BREAKDOWN_NOTES = {
    "program": _("Program: the whole program in one row."),
    "ask": _("Ask: one row per ask (its title)."),
    "channel": _("Channel: for advocate metrics, the invitation channel the advocate joined through; for "
                 "referral metrics, where the click on the advocate's link came from (read from its Referer: "
                 "email, Facebook, X, LinkedIn, WhatsApp, search…; “No click” for codes, names and leads); for "
                 "costs, the channel the cost was entered for."),
    "segment": _("Segment: the advocate's language (the advocate who referred, for referral metrics); "
                 "“Not set” when the advocate has none."),
    "month": _("Month: each calendar month of the range, clipped to the range."),
}


def bounds(start: date, end: date):
    return _bounds(start, end)


def referred_in_subquery():
    """Referred conversions for use inside a subquery (an inner join: `exclude` across the
    referral would open a nested query that OuterRef cannot reach through)."""
    from chorus.referrals.models import Conversion, Referral
    kept = [review for review in Referral.Review.values if review != Referral.Review.DENIED]
    return Conversion.objects.filter(referral__review__in=kept)


def referrer_of(token_field: str):
    """The Referer of the click a referral came from (NULL when it did not come from a click)."""
    return Subquery(Click.objects.filter(token=OuterRef(token_field)).values("referrer")[:1])


def click_channel(referrer) -> str:
    return NO_CLICK if referrer is None else channels.channel_of(referrer)


def invitation_channel(prefix: str = ""):
    """The invitation channel an advocate came in through (via their enrolment)."""
    return Coalesce(f"{prefix}enrolment__channel_id", f"{prefix}enrolment__invitation__channel_id")


class Monthly:
    """A group key: the calendar month (current time zone) of a date-time field, as "YYYY-MM"."""

    def __init__(self, field: str):
        self.field = field


def _month_label(value) -> str:
    return value.strftime("%Y-%m")


def grouped(queryset, key, mapper: Callable | None = None, **aggregates) -> dict:
    """`{key: {aggregate: value}}`, grouped in the database; `key` None → one group (None).

    `mapper` folds raw keys into fewer (summing), e.g. Referer strings into channels."""
    if isinstance(key, Monthly):
        key, mapper = TruncMonth(key.field, tzinfo=timezone.get_current_timezone()), _month_label
    if key is None:
        return {None: queryset.aggregate(**aggregates)}
    rows = queryset.annotate(group_key=key).values("group_key").annotate(**aggregates).order_by()
    result: dict = {}
    for row in rows:
        group = row.pop("group_key")
        group = mapper(group) if mapper else (NONE if group is None else group)
        totals = result.setdefault(group, dict.fromkeys(aggregates, 0))
        for name, amount in row.items():
            totals[name] += amount or 0
    return result


def counted(queryset, key, mapper=None, field: str = "pk", distinct: bool = False) -> dict:
    return {group: row["n"] for group, row in grouped(queryset, key, mapper,
                                                     n=Count(field, distinct=distinct)).items()}


def rates(parts: dict, wholes: dict) -> dict:
    """Percent per group: parts over wholes (None where the whole is 0)."""
    return {group: rate(parts.get(group, 0) or 0, whole or 0) for group, whole in wholes.items()} | {
        group: None for group in parts if group not in wholes}


def ratio(part, whole) -> float | None:
    return part / whole if whole and part is not None else None


# --- labels ----------------------------------------------------------------------------------

def _language_label(code) -> str:
    if code in (None, "", NONE):
        return str(_("Not set"))
    return str(dict(settings.LANGUAGES).get(code, code))


def labels_for(program, by: str, family: str, keys) -> dict:
    """Each group key's label (names of channels and asks in one query each)."""
    names: dict = {}
    if by == "channel" and family == "advocates":
        from chorus.invitations.models import Channel
        names = dict(Channel.objects.filter(program=program, pk__in=[key for key in keys if key != NONE])
                     .values_list("pk", "name"))
        names[NONE] = str(_("Not through a channel"))
    elif by == "channel" and family == "referrals":
        names = {key: channels.label(key) for key in keys} | {NO_CLICK: str(_("No click (code, name or lead)"))}
    elif by == "channel" and family == "costs":
        from ..costs import channel_names
        names = {name.casefold(): name for name in channel_names(program)} | {NONE: str(_("No channel given"))}
    elif by == "ask":
        from chorus.campaigns.models import Ask
        names = dict(Ask.objects.filter(program=program, pk__in=list(keys)).values_list("pk", "title"))
    elif by == "segment":
        names = {key: _language_label(key) for key in keys}
    return {key: str(names.get(key, key)) for key in keys}


def _order(by: str, family: str, key):
    if by == "channel" and family == "referrals":
        return (channels.CHANNELS.index(key) if key in channels.CHANNELS else len(channels.CHANNELS), "")
    if key in (NONE, "", None):
        return (1, "")
    return (0, key if isinstance(key, str) else f"{key:020d}")


def rows(program, by: str, family: str, values: dict) -> list[Row]:
    labels = labels_for(program, by, family, values)
    return [Row("" if key is None else str(key), labels[key], values[key])
            for key in sorted(values, key=lambda key: _order(by, family, key))]


class Filled:
    """A lazy text whose %(name)s parts are filled in when shown (so both follow the language).

    A part may be a lazy text or a function returning the text."""

    def __init__(self, text, **parts):
        self.text, self.parts = text, parts

    def __str__(self) -> str:
        return str(self.text) % {name: str(part() if callable(part) else part) for name, part in self.parts.items()}


# --- registering -----------------------------------------------------------------------------

def month_rows(function: Callable) -> Callable:
    """A month breakdown from one grouped query (months without data are 0)."""
    def breakdown(program, start, end):
        values = function(program, start, end, "month")
        keys = [first.strftime("%Y-%m") for first, _last in months(start, end)]
        return [Row(key, key, values.get(key, 0)) for key in keys]
    return breakdown


def define(*, key: str, label, formula, unit: str, group: str, function: Callable, family: str = "",
           groupings: tuple[str, ...] = (), cumulative: bool = False, higher_is_better: bool = True,
           monthly: bool = False) -> Metric:
    """Register a metric whose `function(program, start, end, by)` returns `{group: value}`.

    `groupings` are the breakdowns the function handles itself (ask, channel, segment); program
    and month come from the catalogue's generic breakdowns (one computation per month) unless
    `monthly`: then the function groups by month itself (counts and sums only)."""

    def compute(program, start, end):
        return function(program, start, end, None).get(None)

    def breakdown_for(by):
        return lambda program, start, end: rows(program, by, family, function(program, start, end, by))

    return register(Metric(
        key=key, label=label, formula=formula, unit=unit, group=group, compute=compute, cumulative=cumulative,
        higher_is_better=higher_is_better, breakdowns=("program", *groupings, "month"),
        breakdown_functions={**{by: breakdown_for(by) for by in groupings},
                             **({"month": month_rows(function)} if monthly else {})},
    ))


GROUPS = {
    "advocates": _("Advocates"),
    "referrals": _("Referrals and leads"),
    "retention": _("Retention: advocates and referred customers versus everyone else"),
    "outcomes": _("Outcomes"),
    "rewards": _("Rewards and email"),
    "costs": _("Acquisition cost and lifetime value"),
}
