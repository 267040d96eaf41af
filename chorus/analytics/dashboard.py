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

Money in minor units. This first version computes from the source tables; the rollups
(issue 5 §7) replace the inside without changing the shape.
"""

from datetime import date, timedelta

from django.db.models import Count, Q, Sum

from . import services


def _trend(funnel, start: date, end: date) -> list[dict]:
    keys = ("clicks", "unique_clicks", "signups", "purchases", "revenue")
    weekly = (end - start).days + 1 > 92
    buckets: dict[date, dict] = {}
    for row in funnel.days:
        period = row.day - timedelta(days=row.day.weekday()) if weekly else row.day
        bucket = buckets.setdefault(period, {"period": period, **{key: 0 for key in keys}})
        for key in keys:
            bucket[key] += getattr(row, key)
    return list(buckets.values())


def _asks(program, start: date, end: date) -> list[dict]:
    from chorus.campaigns.models import Completion

    first, last = services._bounds(start, end)
    rows = (Completion.objects.filter(ask__program=program, created_at__gte=first, created_at__lt=last)
            .values("ask_id", "ask__title")
            .annotate(completions=Count("pk"), approved=Count("pk", filter=Q(status="approved")),
                      points=Sum("points", filter=Q(status="approved")))
            .order_by("-completions", "ask_id"))
    return [{"ask_id": row["ask_id"], "title": row["ask__title"], "completions": row["completions"],
             "approved": row["approved"], "points": row["points"] or 0} for row in rows]


def program_dashboard(program, start: date, end: date) -> dict:
    funnel = services.funnel(program, start, end)
    totals = funnel.totals
    return {
        "start": start, "end": end, "currency": program.currency,
        "funnel": {"clicks": totals.clicks, "unique_clicks": totals.unique_clicks, "signups": totals.signups,
                   "purchases": totals.purchases, "revenue": totals.revenue},
        "trend": _trend(funnel, start, end),
        "top_advocates": [],
        "asks": _asks(program, start, end),
        "channels": [],
    }
