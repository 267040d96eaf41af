"""Advocates API: enrol (upsert), read an advocate with their link and numbers, rewards, ledger."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chorus.core.api_errors import ErrorOut
from chorus.core.emails import normalize_email
from chorus.core.errors import NotFound
from chorus.core.idempotency import idempotent
from chorus.core.pagination import CURSOR, LIMIT, UPDATED_SINCE, paginate
from chorus.referrals.services.links import ensure_link, link_url, set_vanity_code, vanity_url
from chorus.referrals.services.stats import advocate_stats
from chorus.rewards.models import LedgerEntry, Reward
from chorus.rewards.services import balance

from .models import Advocate
from .schemas import (
    AdvocateIn,
    AdvocateOut,
    AdvocatePageOut,
    AdvocateStatsOut,
    LedgerPageOut,
    LinkOut,
    RewardPageOut,
    VanityCodeIn,
)
from .services import reinstate_advocate, suspend_advocate, upsert_advocate

router = Router(tags=["advocates"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


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


@router.post("/advocates", response={201: AdvocateOut, 200: AdvocateOut, **ERRORS}, summary="Create or update an advocate")
@idempotent
def upsert_advocate_endpoint(request, payload: AdvocateIn):
    """Enrol an advocate, or update the one with the same `external_id` (else `email`).
    201 when created, 200 when an existing advocate was updated."""
    advocate, created = upsert_advocate(request.auth.program, email=payload.email, name=payload.name,
                                        external_id=payload.external_id, language=payload.language)
    advocate.program = request.auth.program
    return Status(201 if created else 200, advocate_out(advocate))


@router.get("/advocates", response={200: AdvocatePageOut, **ERRORS}, summary="List advocates")
def list_advocates(request, status: str | None = Query(None, pattern="^(pending|active|disabled)$"),
                   email: str = Query("", max_length=254), external_id: str = Query("", max_length=100),
                   cursor: str | None = CURSOR, limit: int = LIMIT, updated_since: datetime | None = UPDATED_SINCE):
    """The program's advocates, newest first; filter by `status`, `email` (any spelling) or
    `external_id`. With `updated_since`, the advocates changed since then, oldest change first."""
    advocates = Advocate.objects.filter(program=request.auth.program).select_related("link")
    if status:
        advocates = advocates.filter(status=status)
    if email:
        advocates = advocates.filter(email_normalized=normalize_email(email))
    if external_id:
        advocates = advocates.filter(external_id=external_id)
    return paginate(advocates, cursor, limit, updated_since).as_dict()


@router.patch("/advocates/{int:advocate_id}/link", response={200: AdvocateOut, 409: ErrorOut, **ERRORS},
              summary="Set an advocate's vanity code")
def set_link_vanity_code(request, advocate_id: int, payload: VanityCodeIn):
    """Give the advocate's link a readable code (unique in the program, any case; 409 when taken,
    422 when reserved or malformed), or remove it with an empty string."""
    advocate = get_advocate_for_program(request.auth.program, advocate_id)
    set_vanity_code(ensure_link(advocate), payload.vanity_code)
    return advocate_out(get_advocate_for_program(request.auth.program, advocate_id))


@router.post("/advocates/{int:advocate_id}/suspend", response={200: AdvocateOut, **ERRORS}, summary="Suspend an advocate")
def suspend(request, advocate_id: int):
    """Disable the advocate: no hub login or login links, and their link earns no credit for
    new clicks. Their history stays. Suspending again changes nothing. Audited."""
    suspend_advocate(get_advocate_for_program(request.auth.program, advocate_id))
    return advocate_out(get_advocate_for_program(request.auth.program, advocate_id))


@router.post("/advocates/{int:advocate_id}/reinstate", response={200: AdvocateOut, 409: ErrorOut, **ERRORS},
             summary="Reinstate a suspended advocate")
def reinstate(request, advocate_id: int):
    """Active again (pending if they never joined). An advocate whose data was erased cannot be reinstated (409)."""
    reinstate_advocate(get_advocate_for_program(request.auth.program, advocate_id))
    return advocate_out(get_advocate_for_program(request.auth.program, advocate_id))


@router.get("/advocates/{int:advocate_id}", response={200: AdvocateOut, **ERRORS}, summary="An advocate")
def get_advocate(request, advocate_id: int):
    """The advocate's link, vanity code, promo code, QR code and numbers."""
    return advocate_out(get_advocate_for_program(request.auth.program, advocate_id))


@router.get("/advocates/{int:advocate_id}/rewards", response={200: RewardPageOut, **ERRORS},
            summary="An advocate's rewards")
def list_advocate_rewards(request, advocate_id: int, cursor: str | None = CURSOR, limit: int = LIMIT,
                          updated_since: datetime | None = UPDATED_SINCE):
    """The advocate's rewards, newest first, with their status."""
    advocate = get_advocate_for_program(request.auth.program, advocate_id)
    rewards = Reward.objects.filter(advocate=advocate).select_related("rule")
    return paginate(rewards, cursor, limit, updated_since).as_dict()


@router.get("/advocates/{int:advocate_id}/ledger", response={200: LedgerPageOut, **ERRORS},
            summary="An advocate's ledger")
def list_advocate_ledger(request, advocate_id: int, cursor: str | None = CURSOR, limit: int = LIMIT,
                         updated_since: datetime | None = UPDATED_SINCE):
    """Every point and credit movement, newest first (append-only: `updated_since` filters on `created_at`)."""
    advocate = get_advocate_for_program(request.auth.program, advocate_id)
    return paginate(LedgerEntry.objects.filter(advocate=advocate), cursor, limit, updated_since, "created_at").as_dict()
