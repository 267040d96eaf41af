"""Conversions API: the merchant's server reports signups, purchases and refunds."""

import logging
from datetime import datetime

import pydantic
from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chorus.core import ratelimit
from chorus.core.api_errors import ErrorOut, ServerError, error_body, invalid_input
from chorus.core.errors import ChorusError, NotFound
from chorus.core.idempotency import idempotent
from chorus.core.pagination import CURSOR, LIMIT, UPDATED_SINCE, paginate

from .models import Conversion, ReferralLink
from .schemas import (
    BatchItemOut,
    ConversionBatchIn,
    ConversionBatchOut,
    ConversionIn,
    ConversionOut,
    ConversionPageOut,
)
from .services.conversions import record_conversion, record_conversions
from .services.links import link_url, qr_code

logger = logging.getLogger("chorus.api")
router = Router(tags=["conversions"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@router.post("/conversions", response={201: ConversionOut, 200: ConversionOut, 404: ErrorOut, **ERRORS},
             summary="Record a conversion")
@idempotent
def create_conversion(request, payload: ConversionIn):
    """Record a signup, purchase or refund, attribute it, and compute the rewards it earns.

    201 when recorded now, 200 with `duplicate: true` when the same event (order id, or a
    second signup of the customer) was recorded before. A refund of an unknown order is 404.
    """
    result = record_conversion(request.auth.program, payload.to_input())
    return Status(200 if result.duplicate else 201, ConversionOut.from_result(result))


@router.get("/conversions", response={200: ConversionPageOut, **ERRORS}, summary="List conversions")
def list_conversions(request, type: str | None = Query(None, pattern="^(signup|purchase|refund|lead_won)$"),
                     advocate_id: int | None = None, order_id: str = Query("", max_length=100),
                     cursor: str | None = CURSOR, limit: int = LIMIT, updated_since: datetime | None = UPDATED_SINCE):
    """Recorded conversions, newest first; filter by `type`, the credited `advocate_id` or `order_id`.
    Conversions never change (a refund is a new one), so `updated_since` filters on `created_at`."""
    conversions = Conversion.objects.filter(program=request.auth.program).select_related("customer", "referral")
    if type:
        conversions = conversions.filter(type=type)
    if advocate_id is not None:
        conversions = conversions.filter(referral__advocate_id=advocate_id)
    if order_id:
        conversions = conversions.filter(order_id=order_id)
    return paginate(conversions, cursor, limit, updated_since, "created_at").as_dict()


def _item_result(index: int, outcome) -> BatchItemOut:
    if isinstance(outcome, ChorusError):
        return BatchItemOut(index=index, ok=False, status=outcome.status_code, error=error_body(outcome))
    if isinstance(outcome, Exception):  # logged where it happened; the other items keep their results
        problem = ServerError(_("This item could not be recorded; it has been logged."))
        return BatchItemOut(index=index, ok=False, status=problem.status_code, error=error_body(problem))
    status = 200 if outcome.duplicate else 201
    return BatchItemOut.model_construct(index=index, ok=True, status=status, result=ConversionOut.from_result(outcome))


def _parse_items(items: list) -> tuple[dict, dict]:
    """Each item as a ConversionInput, or its validation error (by position)."""
    inputs, errors = {}, {}
    for index, item in enumerate(items):
        try:
            inputs[index] = ConversionIn.model_validate(item).to_input()
        except pydantic.ValidationError as error:
            errors[index] = invalid_input(error.errors(include_url=False))
    return inputs, errors


@router.post("/conversions/batch", response={200: ConversionBatchOut, **ERRORS}, summary="Record up to 1,000 conversions")
@idempotent
def create_conversions_batch(request, payload: ConversionBatchIn):
    """Record many conversions (backfills). Each item is validated on its own, so bad items
    don't affect good ones, and the good ones are recorded exactly as if they had been sent
    one by one, in order: the answer is 200 with one result per item, in order — check each
    item's `ok` and `status` (201, 200, 404, 422…)."""
    inputs, outcomes = _parse_items(payload.conversions)
    recorded = record_conversions(request.auth.program, list(inputs.values()))
    outcomes.update(zip(inputs, recorded, strict=True))
    results = [_item_result(index, outcomes[index]) for index in range(len(payload.conversions))]
    return Status(200, ConversionBatchOut.model_construct(
        recorded=sum(1 for item in results if item.status == 201),
        duplicates=sum(1 for item in results if item.status == 200),
        failed=sum(1 for item in results if not item.ok),
        results=results,
    ))


def _qr(request, code: str, kind: str) -> HttpResponse:
    ratelimit.hit(f"public:qr:{ratelimit.client_ip(request)}", settings.CHORUS_PUBLIC_RATE_LIMIT_PER_MINUTE)
    link = ReferralLink.objects.filter(code=code.lower()).first() if len(code) <= 32 else None
    if link is None:
        raise NotFound(_("No referral link has this code."))
    image, content_type = qr_code(link_url(link), kind)
    response = HttpResponse(image, content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


@router.get("/links/{code}/qr.svg", auth=None, response={404: ErrorOut, 429: ErrorOut}, summary="QR code of a referral link (SVG)")
def link_qr_svg(request, code: str):
    """Public: the QR code of `CHORUS_BASE_URL/r/<code>`, for printing or emails."""
    return _qr(request, code, "svg")


@router.get("/links/{code}/qr.png", auth=None, response={404: ErrorOut, 429: ErrorOut}, summary="QR code of a referral link (PNG)")
def link_qr_png(request, code: str):
    """Public: the QR code of `CHORUS_BASE_URL/r/<code>` as a PNG."""
    return _qr(request, code, "png")
