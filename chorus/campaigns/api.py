"""Asks API: list, create and update asks; submit, approve and reject completions; send the
named events (milestones) that open asks to an advocate. Thin: each endpoint calls one service."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chorus.advocates.models import Advocate
from chorus.core.api_errors import ErrorOut
from chorus.core.emails import normalize_email
from chorus.core.errors import ChorusError, InvalidInput, NotFound
from chorus.core.idempotency import idempotent
from chorus.core.pagination import CURSOR, LIMIT, UPDATED_SINCE, paginate

from .models import Ask, Completion
from .schemas import (
    AskIn,
    AskOut,
    AskPageOut,
    CompletionIn,
    CompletionOut,
    CompletionPageOut,
    EventIn,
    EventOut,
    RejectIn,
)
from .services.asks import delete_ask, save_ask
from .services.completions import approve_completion, reject_completion, submit_completion
from .services.events import record_api_event

router = Router(tags=["asks"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut,
          413: ErrorOut, 422: ErrorOut, 429: ErrorOut}
API_NAMES = {"segment_min_level": "segment_min_level_id", "named_advocates": "named_advocate_ids"}


def _get_ask(program, ask_id: int) -> Ask:
    ask = Ask.objects.filter(program=program, pk=ask_id).prefetch_related("named_advocates").first()
    if ask is None:
        raise NotFound(_("No ask with this id in this program."))
    return ask


def _get_advocate(program, *, advocate_id: int | None = None, email: str = "") -> Advocate:
    advocates = Advocate.objects.select_related("program").filter(program=program)
    advocate = (advocates.filter(pk=advocate_id).first() if advocate_id is not None
                else advocates.filter(email_normalized=normalize_email(email)).first() if email else None)
    if advocate is None:
        raise NotFound(_("No advocate with this id or email in this program."))
    return advocate


def _values(payload: AskIn) -> dict:
    values = payload.model_dump(exclude_unset=True)
    for service_name, api_name in API_NAMES.items():
        if api_name in values:
            values[service_name] = values.pop(api_name)
    return values


def _save(program, payload: AskIn, ask: Ask | None = None) -> Ask:
    try:
        saved = save_ask(program, _values(payload), ask=ask)
    except ChorusError as error:
        error.field_errors = {API_NAMES.get(key, key): messages for key, messages in error.field_errors.items()}
        raise
    return _get_ask(program, saved.pk)


@router.get("/asks", response={200: AskPageOut, **ERRORS}, summary="List asks")
def list_asks(request, type: str | None = None, status: str | None = None, cursor: str | None = CURSOR,
              limit: int = LIMIT, updated_since: datetime | None = UPDATED_SINCE):
    """The program's asks and posts, newest first; filter by `type` and `status`."""
    asks = Ask.objects.filter(program=request.auth.program).prefetch_related("named_advocates")
    if type:
        asks = asks.filter(type=type)
    if status:
        asks = asks.filter(status=status)
    return paginate(asks, cursor, limit, updated_since).as_dict()


@router.post("/asks", response={201: AskOut, **ERRORS}, summary="Create an ask")
@idempotent
def create_ask(request, payload: AskIn):
    """Create an ask or post. `type` and `title` are required; the body is sanitised."""
    return Status(201, AskOut.from_orm(_save(request.auth.program, payload)))


@router.get("/asks/{int:ask_id}", response={200: AskOut, **ERRORS}, summary="An ask")
def get_ask(request, ask_id: int):
    """The ask with its type, texts, audience, schedule, limits and points."""
    return _get_ask(request.auth.program, ask_id)


@router.patch("/asks/{int:ask_id}", response={200: AskOut, **ERRORS}, summary="Update an ask")
def update_ask(request, ask_id: int, payload: AskIn):
    """Change the fields sent; the others stay as they are."""
    return _save(request.auth.program, payload, _get_ask(request.auth.program, ask_id))


@router.delete("/asks/{int:ask_id}", response={204: None, 200: AskOut, **ERRORS}, summary="Delete an ask")
def delete_ask_endpoint(request, ask_id: int):
    """Delete an ask nobody has completed (204). One with completions keeps its history: it is
    archived instead and returned (200, `status: archived`)."""
    ask = _get_ask(request.auth.program, ask_id)
    if delete_ask(ask):
        return Status(204, None)
    return Status(200, AskOut.from_orm(_get_ask(request.auth.program, ask_id)))


@router.get("/asks/{int:ask_id}/completions", response={200: CompletionPageOut, **ERRORS},
            summary="An ask's completions")
def list_completions(request, ask_id: int, status: str | None = None, cursor: str | None = CURSOR,
                     limit: int = LIMIT, updated_since: datetime | None = UPDATED_SINCE):
    """The ask's completions, newest first; filter by `status` (pending, approved, rejected)."""
    completions = Completion.objects.filter(ask=_get_ask(request.auth.program, ask_id))
    if status:
        completions = completions.filter(status=status)
    return paginate(completions, cursor, limit, updated_since).as_dict()


@router.post("/asks/{int:ask_id}/completions", response={201: CompletionOut, **ERRORS},
             summary="Submit a completion")
@idempotent
def submit(request, ask_id: int, payload: CompletionIn):
    """Complete the ask for an advocate with the type's fields in `data` (as the hub form sends them).
    Auto-moderated asks come back approved with the points credited; others pending."""
    program = request.auth.program
    ask = _get_ask(program, ask_id)
    advocate = _get_advocate(program, advocate_id=payload.advocate_id)
    return Status(201, CompletionOut.from_orm(submit_completion(ask, advocate, payload.data or {}).completion))


def _get_completion_id(program, completion_id: int) -> int:
    if not Completion.objects.filter(ask__program=program, pk=completion_id).exists():
        raise NotFound(_("No completion with this id in this program."))
    return completion_id


@router.get("/completions", response={200: CompletionPageOut, **ERRORS}, summary="All completions (moderation queue)")
def list_all_completions(request, status: str | None = Query(None, pattern="^(pending|approved|rejected)$"),
                         advocate_id: int | None = None, cursor: str | None = CURSOR, limit: int = LIMIT,
                         updated_since: datetime | None = UPDATED_SINCE):
    """Completions of every ask, newest first; `status=pending` is the moderation queue."""
    completions = Completion.objects.filter(ask__program=request.auth.program)
    if status:
        completions = completions.filter(status=status)
    if advocate_id is not None:
        completions = completions.filter(advocate_id=advocate_id)
    return paginate(completions, cursor, limit, updated_since).as_dict()


@router.post("/completions/{int:completion_id}/approve", response={200: CompletionOut, **ERRORS},
             summary="Approve a completion")
def approve(request, completion_id: int):
    """Approve a pending completion and credit its points. Approving again changes nothing."""
    program = request.auth.program
    return approve_completion(_get_completion_id(program, completion_id), program=program)


@router.post("/completions/{int:completion_id}/reject", response={200: CompletionOut, **ERRORS},
             summary="Reject a completion")
def reject(request, completion_id: int, payload: RejectIn):
    """Reject a pending completion with a reason the advocate sees."""
    program = request.auth.program
    return reject_completion(_get_completion_id(program, completion_id), reason=payload.reason, program=program)


@router.post("/events", response={201: EventOut, 200: EventOut, **ERRORS}, summary="Send an advocate or usage event")
def send_event(request, payload: EventIn):
    """Record a named event.

    * About an advocate (`advocate_id`, or `email` of an advocate), e.g. `milestone.reached`
      with `{"milestone": "first-100-orders"}`: asks waiting for it (trigger_event and matching
      trigger_properties) open to that advocate. If a customer record has the advocate's email,
      the event also counts as that customer's product usage.
    * About a customer (`customer_external_id`, with `email` if you have it; or the `email` of a
      known customer): product usage, e.g. `report.created`, at `time`. It counts towards the
      customer's health score. An unknown `customer_external_id` creates the customer.

    With an `id`, sending the event again changes nothing and answers 200 with `created: false`."""
    if payload.advocate_id is None and not payload.email and not payload.customer_external_id:
        message = _("Give advocate_id, customer_external_id or email.")
        raise InvalidInput(message, field_errors={"advocate_id": [message]})
    recorded = record_api_event(
        request.auth.program, name=payload.name, properties=payload.properties or {}, event_id=payload.id,
        advocate_id=payload.advocate_id, email=payload.email, customer_external_id=payload.customer_external_id,
        occurred_at=payload.time)
    return Status(201 if recorded.created else 200, _event_out(recorded))


def _event_out(recorded) -> EventOut:
    usage = recorded.usage
    event = recorded.advocate_event
    if event is None:
        return EventOut(id=usage.pk, name=usage.name, kind="customer", advocate_id=None, customer_id=usage.customer_id,
                        properties=usage.properties, time=usage.occurred_at, created=recorded.created,
                        opened_ask_ids=[], created_at=usage.created_at)
    opened = recorded.opened if recorded.created else list(event.openings.values_list("ask_id", flat=True))
    return EventOut(id=event.pk, name=event.name, kind="advocate", advocate_id=event.advocate_id,
                    customer_id=usage.customer_id if usage else None, properties=event.properties,
                    time=usage.occurred_at if usage else event.created_at, created=recorded.created,
                    opened_ask_ids=[a if isinstance(a, int) else a.pk for a in opened], created_at=event.created_at)
