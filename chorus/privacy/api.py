"""People API: export everything the program holds about a person, or erase them (X3)."""

from ninja import Query, Router, Status

from chorus.core.api_errors import ErrorOut
from chorus.core.idempotency import idempotent

from .schemas import ErasureOut, PersonIn
from .services import erase_person, export_person

router = Router(tags=["people"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@router.get("/people/export", response={200: dict, **ERRORS}, summary="Export a person's data")
def export_person_endpoint(request, email: str = Query(..., max_length=254, description="The person's email address.")):
    """Everything this program holds about the person with this address, as one JSON document:
    `schema_version`, `generated_at`, `program`, `person` and `sections` (one list of rows per
    kind of record; uploaded files as URLs a marketer of the program can download). 404 when
    the program holds nothing about the address. Audited."""
    return export_person(request.auth.program, email, via="api", api_key=request.auth)


@router.post("/people/erase", response={200: ErasureOut, **ERRORS}, summary="Erase a person")
@idempotent
def erase_person_endpoint(request, payload: PersonIn):
    """Remove or pseudonymise everything the program holds about the person, in one
    transaction: personal fields are blanked, uploads deleted, login links revoked and the
    referral link deactivated, while the ledger, conversions and funnel counts stay as they
    were. Erasing again answers 200 with `already_erased: true`. Audited."""
    result = erase_person(request.auth.program, payload.email, via="api", api_key=request.auth)
    erasure = result.erasure
    return Status(200, ErasureOut(
        already_erased=result.already_erased, erased_at=erasure.erased_at, email_hash=erasure.email_hash,
        advocate_ids=erasure.advocate_ids, customer_ids=erasure.customer_ids, sections=erasure.sections))
