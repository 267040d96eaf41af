"""The program dashboard's data, in one call (console page, API, exports, weekly email).

Contract (the console page, the weekly summary email and `bench/dashboard.py` rely on it):

    program_dashboard(program, start: date, end: date) -> dict
    {
      "start": date, "end": date, "currency": str,
      "funnel": {"clicks", "unique_clicks", "signups", "purchases", "revenue"},   # totals, ints
      "trend": [{"period": date, "clicks", "unique_clicks", "signups", "purchases", "revenue"}, ...],
                 # one row per day (per ISO week starting Monday when the range is over 92 days)
      "top_advocates": [{"advocate_id", "name", "signups", "purchases", "revenue"}, ...],  # 10, by revenue
      "asks": [{"ask_id", "title", "completions", "approved", "points"}, ...],
      "channels": [{"channel", "label", "clicks", "unique_clicks", "signups", "purchases", "revenue"}, ...],
    }

Money in minor units. Every part is read from the rollups (`chorus.analytics.rollups`), kept
up to date as clicks, conversions, reviews and completions are written: a handful of indexed
queries whatever the traffic. Days are calendar days in settings.TIME_ZONE.

`top_advocates`: the 10 advocates with the most referred revenue in the range (then most
purchases, most signups, lowest id), among those with a signup, purchase or refund in it.
`channels`: one row per channel with clicks or conversions in the range, most clicks first;
a conversion's channel is the channel of the click its referral came through ("direct"
without one). `_from_sources` computes the same dict from the source tables (the tests'
reference, and what the rollups are checked against).
"""

from datetime import date, timedelta

from django.db.models import Count, Q, Sum

from . import services
from .channels import CHANNELS, channel_of, label
from .models import AdvocateDayRollup, AdvocateRollup, AskDayRollup, ProgramDayRollup
from .services import FunnelRow

TOP_ADVOCATES = 10
FUNNEL_KEYS = ("clicks", "unique_clicks", "signups", "purchases", "revenue")


def _trend(days: list[FunnelRow], start: date, end: date) -> list[dict]:
    weekly = (end - start).days + 1 > 92
    buckets: dict[date, dict] = {}
    for row in days:
        period = row.day - timedelta(days=row.day.weekday()) if weekly else row.day
        bucket = buckets.setdefault(period, {"period": period, **{key: 0 for key in FUNNEL_KEYS}})
        for key in FUNNEL_KEYS:
            bucket[key] += getattr(row, key)
    return list(buckets.values())


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise ValueError("end is before start")


def _channel_rows(per_channel: dict[str, dict]) -> list[dict]:
    rows = [{"channel": channel, "label": label(channel), **values} for channel, values in per_channel.items()
            if any(values.values())]
    order = {channel: index for index, channel in enumerate(CHANNELS)}
    rows.sort(key=lambda row: (-row["clicks"], -row["revenue"], order.get(row["channel"], len(order)), row["channel"]))
    return rows


def _ranked(per_advocate: dict[int, dict]) -> list[dict]:
    """The top advocates of {advocate_id: {signups, purchases, revenue}}, with their names."""
    from chorus.advocates.models import Advocate

    active = [(advocate_id, values) for advocate_id, values in per_advocate.items() if any(values.values())]
    active.sort(key=lambda item: (-item[1]["revenue"], -item[1]["purchases"], -item[1]["signups"], item[0]))
    top = active[:TOP_ADVOCATES]
    names = dict(Advocate.objects.filter(pk__in=[advocate_id for advocate_id, _values in top])
                 .values_list("pk", "name"))
    return [{"advocate_id": advocate_id, "name": names.get(advocate_id, ""), **values} for advocate_id, values in top]


# --- from the rollups ----------------------------------------------------------------------------

def _funnel_parts(program, start: date, end: date) -> tuple[dict, list[FunnelRow], list[dict]]:
    """Summed in the database: one row per day, one per channel (not one per day and channel)."""
    days = {start + timedelta(days=offset): FunnelRow(day=start + timedelta(days=offset))
            for offset in range((end - start).days + 1)}
    in_range = ProgramDayRollup.objects.filter(program=program, day__gte=start, day__lte=end)
    sums = {"c": Sum("clicks"), "u": Sum("unique_clicks"), "s": Sum("signups"), "p": Sum("purchases"),
            "b": Sum("purchased"), "r": Sum("refunded")}
    totals = FunnelRow()
    for day, clicks, unique, signups, purchases, purchased, refunded in (
            in_range.values("day").annotate(**sums).values_list("day", *sums).order_by()):
        row = FunnelRow(day=day, clicks=clicks, unique_clicks=unique, signups=signups, purchases=purchases,
                        revenue=purchased - refunded)
        days[day].add(row)
        totals.add(row)
    per_channel = {channel: {"clicks": clicks, "unique_clicks": unique, "signups": signups, "purchases": purchases,
                             "revenue": purchased - refunded}
                   for channel, clicks, unique, signups, purchases, purchased, refunded in (
                       in_range.values("channel").annotate(**sums).values_list("channel", *sums).order_by())}
    funnel = {key: getattr(totals, key) for key in FUNNEL_KEYS}
    return funnel, list(days.values()), _channel_rows(per_channel)


def _sums_by_advocate(rows) -> dict[int, dict]:
    return {advocate_id: {"signups": signups, "purchases": purchases, "revenue": purchased - refunded}
            for advocate_id, signups, purchases, purchased, refunded in rows}


def _advocate_sums(queryset):
    return (queryset.values("advocate_id")
            .annotate(s=Sum("signups"), p=Sum("purchases"), b=Sum("purchased"), r=Sum("refunded"))
            .values_list("advocate_id", "s", "p", "b", "r").order_by())


def _top_advocates(program, start: date, end: date, *, chunk: int = 100) -> list[dict]:
    """The top advocates of the range without summing every advocate's days.

    An advocate's revenue in any range is at most their purchases of all time
    (`AdvocateRollup.purchased`), so advocates are read in that order, a growing chunk at a
    time, until the tenth best so far has more revenue than anyone left could have. Ranges
    where that takes long (few advocates with purchases in them) sum every advocate's days."""
    in_range = AdvocateDayRollup.objects.filter(program=program, day__gte=start, day__lte=end)
    ranked = AdvocateRollup.objects.filter(program=program).order_by("-purchased", "advocate_id")
    seen: dict[int, dict] = {}
    offset, size = 0, chunk
    while offset < 30 * chunk:
        candidates = list(ranked.values_list("advocate_id", "purchased")[offset : offset + size + 1])
        batch, following = candidates[:size], candidates[size:]
        seen.update(_sums_by_advocate(_advocate_sums(in_range.filter(advocate_id__in=[pk for pk, _bound in batch]))))
        if not following:  # everyone with a conversion was read
            return _ranked(seen)
        best = sorted((values["revenue"] for values in seen.values() if any(values.values())), reverse=True)
        if len(best) >= TOP_ADVOCATES and best[TOP_ADVOCATES - 1] > following[0][1]:
            return _ranked(seen)
        offset += size
        size *= 2
    return _ranked(_sums_by_advocate(_advocate_sums(in_range)))


def _asks(program, start: date, end: date) -> list[dict]:
    rows = (AskDayRollup.objects.filter(program=program, day__gte=start, day__lte=end)
            .values("ask_id", "ask__title")
            .annotate(total=Sum("completions"), approved_total=Sum("approved"), points_total=Sum("points"))
            .filter(total__gt=0).order_by("-total", "ask_id"))
    return [{"ask_id": row["ask_id"], "title": row["ask__title"], "completions": row["total"],
             "approved": row["approved_total"], "points": row["points_total"]} for row in rows]


def program_dashboard(program, start: date, end: date) -> dict:
    _check_range(start, end)
    funnel, days, channels = _funnel_parts(program, start, end)
    return {
        "start": start, "end": end, "currency": program.currency,
        "funnel": funnel,
        "trend": _trend(days, start, end),
        "top_advocates": _top_advocates(program, start, end),
        "asks": _asks(program, start, end),
        "channels": channels,
    }


# --- from the source tables (the reference the rollups are checked against) -----------------------

def _source_asks(program, start: date, end: date) -> list[dict]:
    from chorus.campaigns.models import Completion

    first, last = services._bounds(start, end)
    rows = (Completion.objects.filter(ask__program=program, created_at__gte=first, created_at__lt=last)
            .values("ask_id", "ask__title")
            .annotate(completions=Count("pk"), approved=Count("pk", filter=Q(status="approved")),
                      points=Sum("points", filter=Q(status="approved")))
            .order_by("-completions", "ask_id"))
    return [{"ask_id": row["ask_id"], "title": row["ask__title"], "completions": row["completions"],
             "approved": row["approved"], "points": row["points"] or 0} for row in rows]


def _source_advocates_and_channels(program, start: date, end: date) -> tuple[list[dict], list[dict]]:
    from chorus.referrals.models import Click

    first, last = services._bounds(start, end)
    per_channel: dict[str, dict] = {}

    def channel_row(channel: str) -> dict:
        return per_channel.setdefault(channel, {key: 0 for key in FUNNEL_KEYS})

    clicks = Click.objects.filter(program=program, created_at__gte=first, created_at__lt=last, is_bot=False)
    for referrer, is_unique in clicks.values_list("referrer", "is_unique"):
        row = channel_row(channel_of(referrer))
        row["clicks"] += 1
        row["unique_clicks"] += int(is_unique)
    referrers = dict(Click.objects.filter(program=program).values_list("token", "referrer"))
    per_advocate: dict[int, dict] = {}
    conversions = (services._referred_conversions()
                   .filter(program=program, occurred_at__gte=first, occurred_at__lt=last)
                   .values_list("referral__advocate_id", "referral__click_token", "type", "amount"))
    for advocate_id, token, kind, amount in conversions:
        if kind not in ("signup", "purchase", "refund"):
            continue
        advocate = per_advocate.setdefault(advocate_id, {"signups": 0, "purchases": 0, "revenue": 0})
        row = channel_row(channel_of(referrers[token]) if token in referrers else "direct")
        for into in (advocate, row):
            if kind == "signup":
                into["signups"] += 1
            elif kind == "purchase":
                into["purchases"] += 1
                into["revenue"] += amount
            else:
                into["revenue"] -= amount
    return _ranked(per_advocate), _channel_rows(per_channel)


def _from_sources(program, start: date, end: date) -> dict:
    """`program_dashboard` computed from the source tables (slow; for tests and checks)."""
    _check_range(start, end)
    funnel = services.funnel(program, start, end)
    totals = funnel.totals
    top_advocates, channels = _source_advocates_and_channels(program, start, end)
    return {
        "start": start, "end": end, "currency": program.currency,
        "funnel": {key: getattr(totals, key) for key in FUNNEL_KEYS},
        "trend": _trend(funnel.days, start, end),
        "top_advocates": top_advocates,
        "asks": _source_asks(program, start, end),
        "channels": channels,
    }
