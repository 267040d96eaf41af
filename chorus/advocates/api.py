"""Advocates API: enrol (upsert), read an advocate with their link and numbers, rewards, ledger."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chorus.core.api_errors import ErrorOut
from chorus.core.errors import NotFound
from chorus.core.idempotency import idempotent
from chorus.referrals.services.links import ensure_link, link_url, vanity_url
from chorus.referrals.services.stats import advocate_stats
from chorus.rewards.models import LedgerEntry, Reward
from chorus.rewards.services import balance

from .models import Advocate
from .schemas import (
    AdvocateIn,
    AdvocateOut,
    AdvocateStatsOut,
    LedgerPageOut,
    LinkOut,
    RewardPageOut,
)
from .services import upsert_advocate

router = Router(tags=["advocates"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
CURSOR = Query(None, pattern=r"^[0-9]{1,18}$", description="`next_cursor` of the previous page.")
LIMIT = Query(50, ge=1, le=200, description="Items per page (1–200).")


def get_advocate_for_program(program, advocate_id: int) -> Advocate:
    """The advocate with this id in the key's program; any other program's is a 404."""
    advocate = Advocate.objects.select_related("program", "link").filter(program=program, pk=advocate_id).first()
    if advocate is None:
        raise NotFound(_("No advocate with this id in this program."))
    return advocate


def _absolute(path: str) -> str:
    return f"{settings.CHORUS_BASE_URL}{path}"


def advocate_out(advocate: Advocate) -> AdvocateOut:
    link = ensure_link(advocate)
    link.program = advocate.program
    stats = advocate_stats(advocate)
    return AdvocateOut(
        id=advocate.pk, email=advocate.email, name=advocate.name, external_id=advocate.external_id,
        language=advocate.language, status=advocate.status, joined_at=advocate.joined_at,
        created_at=advocate.created_at,
        link=LinkOut(
            url=link_url(link), code=link.code, vanity_code=link.vanity_code, vanity_url=vanity_url(link),
            promo_code=link.promo_code,
            qr_svg_url=_absolute(reverse("api:link_qr_svg", kwargs={"code": link.code})),
            qr_png_url=_absolute(reverse("api:link_qr_png", kwargs={"code": link.code})),
        ),
        stats=AdvocateStatsOut(
            **stats.as_dict(), points_balance=balance(advocate, LedgerEntry.Unit.POINTS),
            credit_balance=balance(advocate, LedgerEntry.Unit.CREDIT),
        ),
    )


def page(queryset, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """Newest first by id; the cursor is the last id of the previous page."""
    if cursor:
        queryset = queryset.filter(pk__lt=int(cursor))
    items = list(queryset.order_by("-pk")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return items, str(items[-1].pk) if more else None


@router.post("/advocates", response={201: AdvocateOut, 200: AdvocateOut, **ERRORS}, summary="Create or update an advocate")
@idempotent
def upsert_advocate_endpoint(request, payload: AdvocateIn):
    """Enrol an advocate, or update the one with the same `external_id` (else `email`).
    201 when created, 200 when an existing advocate was updated."""
    advocate, created = upsert_advocate(request.auth.program, email=payload.email, name=payload.name,
                                        external_id=payload.external_id, language=payload.language)
    advocate.program = request.auth.program
    return Status(201 if created else 200, advocate_out(advocate))


@router.get("/advocates/{int:advocate_id}", response={200: AdvocateOut, **ERRORS}, summary="An advocate")
def get_advocate(request, advocate_id: int):
    """The advocate's link, vanity code, promo code, QR code and numbers."""
    return advocate_out(get_advocate_for_program(request.auth.program, advocate_id))


@router.get("/advocates/{int:advocate_id}/rewards", response={200: RewardPageOut, **ERRORS},
            summary="An advocate's rewards")
def list_advocate_rewards(request, advocate_id: int, cursor: str | None = CURSOR, limit: int = LIMIT):
    """The advocate's rewards, newest first, with their status."""
    advocate = get_advocate_for_program(request.auth.program, advocate_id)
    items, next_cursor = page(Reward.objects.filter(advocate=advocate).select_related("rule"), cursor, limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/advocates/{int:advocate_id}/ledger", response={200: LedgerPageOut, **ERRORS},
            summary="An advocate's ledger")
def list_advocate_ledger(request, advocate_id: int, cursor: str | None = CURSOR, limit: int = LIMIT):
    """Every point and credit movement, newest first (append-only)."""
    advocate = get_advocate_for_program(request.auth.program, advocate_id)
    items, next_cursor = page(LedgerEntry.objects.filter(advocate=advocate), cursor, limit)
    return {"items": items, "next_cursor": next_cursor}
