"""Leads API: log leads and deals, list them, move them through the pipeline.
Conventions as in `chorus/advocates/api.py`."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chorus.advocates.api import ERRORS
from chorus.advocates.models import Advocate
from chorus.core.errors import NotFound
from chorus.core.idempotency import idempotent
from chorus.core.pagination import CURSOR, LIMIT, UPDATED_SINCE, paginate

from .leads_schemas import LeadIn, LeadOut, LeadPageOut, LeadPatch
from .models import Lead
from .services.leads import LeadInput, create_lead, update_lead

router = Router(tags=["leads"])
WRITE_ERRORS = {**ERRORS, 409: ERRORS[404]}


def get_lead_for_program(program, lead_id: int) -> Lead:
    lead = Lead.objects.select_related("program__workspace", "advocate").filter(program=program, pk=lead_id).first()
    if lead is None:
        raise NotFound(_("No lead with this id in this program."))
    return lead


@router.post("/leads", response={201: LeadOut, **WRITE_ERRORS}, summary="Log a lead")
@idempotent
def create_lead_endpoint(request, payload: LeadIn):
    """A referred lead on an advocate's behalf, or a deal from another channel. 409
    `duplicate_lead` when the email is already a lead (or, for referred leads, a customer
    or an advocate) of the program; nothing is stored then."""
    program = request.auth.program
    advocate = None
    if payload.advocate_id is not None:
        advocate = Advocate.objects.filter(program=program, pk=payload.advocate_id).first()
        if advocate is None:
            raise NotFound(_("No advocate with this id in this program."),
                           field_errors={"advocate_id": [_("Unknown advocate.")]})
    data = LeadInput(**payload.model_dump(exclude={"advocate_id"}), advocate=advocate)
    lead = create_lead(program, data, entered_via=Lead.EnteredVia.API)
    lead.program = program
    return Status(201, LeadOut.from_orm(lead))


@router.get("/leads", response={200: LeadPageOut, **ERRORS}, summary="Leads")
def list_leads(request, stage: str | None = Query(None, pattern="^(submitted|qualified|won|lost)$"),
               source: str | None = Query(None, pattern="^(referral|other)$"), advocate_id: int | None = None,
               cursor: str | None = CURSOR, limit: int = LIMIT, updated_since: datetime | None = UPDATED_SINCE):
    """Leads newest first, optionally of one stage, source or advocate."""
    found = Lead.objects.filter(program=request.auth.program).select_related("program")
    if stage:
        found = found.filter(stage=stage)
    if source:
        found = found.filter(source=source)
    if advocate_id is not None:
        found = found.filter(advocate_id=advocate_id)
    return paginate(found, cursor, limit, updated_since).as_dict()


@router.get("/leads/{int:lead_id}", response={200: LeadOut, **ERRORS}, summary="A lead")
def get_lead(request, lead_id: int):
    """The lead with its stage, value, source and advocate."""
    return get_lead_for_program(request.auth.program, lead_id)


@router.patch("/leads/{int:lead_id}", response={200: LeadOut, **WRITE_ERRORS}, summary="Move a lead or set its value")
def patch_lead(request, lead_id: int, payload: LeadPatch):
    """409 for a move the pipeline forbids (e.g. won → submitted, or submitted → won before
    qualifying) or a lead changed meanwhile. Winning a referred lead records a `lead_won`
    conversion and the rewards of the program's `lead_won` rules, once."""
    lead = get_lead_for_program(request.auth.program, lead_id)
    return update_lead(lead, stage=payload.stage, deal_value=payload.deal_value, lost_reason=payload.lost_reason,
                       at=payload.at)
