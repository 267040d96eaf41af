"""Analytics API: the metric catalogue, revenue credit per advocate, influence ranking, K-factor and forecast."""

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from chorus.advocates.models import Advocate
from chorus.core.api_errors import ErrorOut
from chorus.core.errors import InvalidInput

from . import credits, influence, metric_report, virality
from .schemas import AttributionOut, InfluenceOut, MetricsOut, ViralityOut

router = Router(tags=["analytics"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut}
FROM = Query(None, alias="from", description="First day (YYYY-MM-DD), included. Default: 29 days before `to`.")
TO = Query(None, alias="to", description="Last day (YYYY-MM-DD), included. Default: today.")
DEFAULT_DAYS = 30


def _range(start: date | None, end: date | None, default_days: int = DEFAULT_DAYS) -> tuple[date, date]:
    end = end or timezone.localdate()
    start = start or end - timedelta(days=default_days - 1)
    if start > end:
        raise InvalidInput(_("The start date must be on or before the end date."),
                           field_errors={"from": [_("After the end date.")]})
    return start, end


def _round(value, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _number(value) -> int | float | None:
    """Counts and money sums stay whole numbers; rates and averages get four decimals."""
    return value if value is None or isinstance(value, int) else round(float(value), 4)


@router.get("/analytics/attribution", response={200: AttributionOut, **ERRORS}, summary="Revenue credit per advocate")
def attribution(request, start: date | None = FROM, end: date | None = TO,
                model: str | None = Query(None, description="last_touch, first_touch, linear or time_decay. "
                                                             "Default: the program's model."),
                half_life_days: int | None = Query(None, description="For time_decay. Default: the program's.")):
    """Referred revenue (purchases minus refunds, minor units) credited to each advocate in the
    range, split by the credit model among the advocates whose links the friend clicked."""
    program = request.auth.program
    start, end = _range(start, end)
    model = model or program.credit_model
    half_life = half_life_days if half_life_days is not None else program.credit_half_life_days
    credits.check_model(model, half_life)
    totals = credits.revenue_per_advocate(program, start, end, model=model, half_life_days=half_life)
    advocates = Advocate.objects.filter(program=program, pk__in=list(totals)).in_bulk()
    rows = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return {
        "start": start, "end": end, "model": model, "half_life_days": half_life, "currency": program.currency,
        "total": sum(totals.values()),
        "advocates": [{"advocate_id": pk, "name": advocates[pk].name, "email": advocates[pk].email, "amount": amount}
                      for pk, amount in rows if pk in advocates],
    }


@router.get("/analytics/influence", response={200: InfluenceOut, **ERRORS}, summary="Influence ranking")
def influence_ranking(request, start: date | None = FROM, end: date | None = TO,
                      limit: int = Query(100, ge=1, le=1000, description="Advocates to list (1–1000).")):
    """Advocates by influence score (0–100) with each part: its value, its scaled value (0–100
    against the best advocate) and the points it adds (scaled × weight ÷ 100)."""
    start, end = _range(start, end, default_days=90)
    result = influence.influence(request.auth.program, start, end)
    return {
        "start": start, "end": end, "currency": result.currency, "weights": result.weights,
        "advocates": [
            {"rank": rank, "advocate_id": row.advocate.pk, "name": row.advocate.name, "email": row.advocate.email,
             "score": _round(row.score, 2),
             "parts": {name: {"value": part.value, "scaled": _round(part.scaled, 2), "points": _round(part.points, 2)}
                       for name, part in row.parts.items()}}
            for rank, row in enumerate(result.rows[:limit], start=1)
        ],
    }


@router.get("/analytics/virality", response={200: ViralityOut, **ERRORS}, summary="K-factor, cycle time and forecast")
def virality_report(request, start: date | None = FROM, end: date | None = TO,
                    months: int = Query(6, ge=1, le=virality.MAX_FORECAST_MONTHS,
                                        description="Months to forecast.")):
    """Per calendar month: advocates, invites (link shares by unique visitors), referred signups,
    invites per advocate, conversion rate, K-factor and cycle time (median days from joining to
    the first referred signup); and the forecast of new customers for the coming months."""
    program = request.auth.program
    start, end = _range(start, end, default_days=180)
    rows = virality.monthly(program, start, end)
    result = virality.forecast(program, months)
    trailing = result.trailing
    return {
        "start": start, "end": end,
        "months": [{
            "month": row.month.strftime("%Y-%m"), "advocates": row.advocates,
            "sharing_advocates": row.sharing_advocates, "invites": row.invites, "signups": row.signups,
            "invites_per_advocate": _round(row.invites_per_advocate), "conversion_rate": _round(row.conversion_rate),
            "k_factor": _round(row.k_factor), "cycle_time_days": _round(row.cycle_time_days, 1),
        } for row in rows],
        "forecast": {
            "baseline": _round(trailing.baseline), "growth": _round(trailing.growth),
            "k_factor": _round(trailing.k_factor), "invites_per_advocate": _round(trailing.invites_per_advocate),
            "conversion_rate": _round(trailing.conversion_rate), "active_advocates": trailing.advocates,
            "months": [{"month": month.strftime("%Y-%m"), "from_advocates": _round(seeded, 2),
                        "from_compounding": _round(compounded, 2), "new_customers": _round(total, 2)}
                       for month, seeded, compounded, total in result.months],
            "total": _round(result.total, 2),
        },
    }


@router.get("/analytics/metrics", response={200: MetricsOut, **ERRORS}, summary="Metrics of the catalogue")
def metric_values(request, start: date | None = FROM, end: date | None = TO,
                  by: str | None = Query(None, description="Break each metric down by program, ask, channel, segment "
                                                           "or month (metrics without that breakdown get rows null)."),
                  metric: str | None = Query(None, description="One metric's key; default: every metric.")):
    """Every metric of the catalogue (the console's glossary explains each formula) over the range:
    counts, percentages (0–100) and money in minor units of the program's currency; `value`
    null when there is nothing to divide by."""
    program = request.auth.program
    start, end = _range(start, end)
    results = metric_report.report(program, start, end, by=by or None, key=metric or None)
    return {
        "start": start, "end": end, "currency": program.currency, "by": by or None,
        "metrics": [{
            "key": result.metric.key, "label": str(result.metric.label), "group": result.metric.group,
            "unit": result.metric.unit, "formula": str(result.metric.formula),
            "cumulative": result.metric.cumulative, "higher_is_better": result.metric.higher_is_better,
            "breakdowns": list(result.metric.breakdowns), "value": _number(result.value),
            "rows": None if result.rows is None else [
                {"key": row.key, "label": row.label, "value": _number(row.value)} for row in result.rows],
        } for result in results],
    }
