"""NPS API: record an answer (idempotent) and read the summary."""

from datetime import timedelta

from django.utils import timezone
from ninja import Query, Router, Status

from chorus.core.api_errors import ErrorOut
from chorus.core.idempotency import idempotent

from . import reports
from .nps import record_api_response
from .schemas import NpsResponseIn, NpsResponseOut, NpsSummaryOut

router = Router(tags=["nps"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@router.post("/nps-responses", response={201: NpsResponseOut, 200: NpsResponseOut, **ERRORS},
             summary="Record an NPS answer")
@idempotent
def record_nps_response(request, payload: NpsResponseIn):
    """201 when recorded; 200 with the stored answer when the same answer (same `external_id`,
    or same person, time and score) was already recorded; 409 when `external_id` names a
    different answer; 422 for a score outside 0–10 or an unknown person (nothing stored)."""
    response, created = record_api_response(request.auth.program, **payload.dict())
    return Status(201 if created else 200, NpsResponseOut.from_orm(response))


@router.get("/nps", response={200: NpsSummaryOut, **ERRORS}, summary="NPS summary")
def nps_summary(request, days: int = Query(90, ge=1, le=3660, description="The last N days (default 90)."),
                period: str = Query("week", pattern="^(week|month)$", description="week or month")):
    """The NPS, its distribution and its trend per week or month over the last `days` days."""
    end = timezone.now()
    start = end - timedelta(days=days)
    result = reports.summary(request.auth.program, start, end)
    periods = reports.over_time(request.auth.program, period=period, start=start, end=end)
    return {"start": start, "end": end, "nps": result.nps, "total": result.total, "promoters": result.promoters,
            "passives": result.passives, "detractors": result.detractors, "distribution": result.distribution,
            "periods": [{"start": p.start, "promoters": p.promoters, "passives": p.passives,
                         "detractors": p.detractors, "total": p.total, "nps": p.nps} for p in periods]}
