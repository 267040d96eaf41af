"""API of the content vault (`/content`) and of exclusive events & clubs (`/access-events`)."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chorus.core.api_errors import ErrorOut
from chorus.core.errors import InvalidInput, NotFound
from chorus.core.idempotency import idempotent
from chorus.core.pagination import CURSOR, LIMIT, UPDATED_SINCE, paginate

from . import content as content_services
from . import events as event_services
from .community_schemas import (
    AccessEventIn,
    AccessEventOut,
    AccessEventPageOut,
    AccessEventPatch,
    CheckInIn,
    CheckInOut,
    ContentIn,
    ContentOut,
    ContentPageOut,
    ContentPatch,
    InvitationOut,
    InvitationPageOut,
    InvitationsIn,
    InvitationsOut,
)
from .models import ContentItem, Event

router = Router(tags=["content & access events"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _content_out(item: ContentItem, numbers: dict, program) -> ContentOut:
    counted = numbers.get(item.pk, content_services.ContentNumbers())
    image_url = ""
    if item.image:
        image_url = settings.CHORUS_BASE_URL + reverse("hub:content_image", kwargs={"slug": program.slug, "item_id": item.pk})
    return ContentOut(
        id=item.pk, kind=item.kind, title=item.title, titles=item.titles, description=item.description,
        descriptions=item.descriptions, share_text=item.share_text, share_texts=item.share_texts,
        destination_url=item.destination_url, image_url=image_url, is_active=item.is_active, order=item.order,
        clicks=counted.clicks, unique_clicks=counted.unique_clicks, signups=counted.signups, purchases=counted.purchases,
        created_at=item.created_at)


@router.get("/content", response={200: ContentPageOut, **ERRORS}, summary="Content vault items")
def list_content(request, cursor: str | None = CURSOR, limit: int = LIMIT, updated_since: datetime | None = UPDATED_SINCE):
    """The program's content items, newest first, with their clicks, signups and purchases."""
    program = request.auth.program
    found = paginate(ContentItem.objects.filter(program=program), cursor, limit, updated_since)
    numbers = content_services.content_numbers(program)
    return found.as_dict(lambda item: _content_out(item, numbers, program))


@router.post("/content", response={201: ContentOut, **ERRORS}, summary="Add a content item")
@idempotent
def create_content(request, payload: ContentIn):
    """A new vault item. Its `destination_url` must be one of the program's allowed destinations (422 otherwise)."""
    program = request.auth.program
    item = content_services.create_content(program, **payload.model_dump())
    return Status(201, _content_out(item, {}, program))


def _content_for_program(program, item_id: int) -> ContentItem:
    item = ContentItem.objects.select_related("program").filter(program=program, pk=item_id).first()
    if item is None:
        raise NotFound(_("No content item with this id in this program."))
    return item


def _refuse_nulls(fields: dict, nullable: set[str] = frozenset()) -> None:
    nulls = sorted(name for name, value in fields.items() if value is None and name not in nullable)
    if nulls:
        raise InvalidInput(_("These fields may not be null: %(names)s.") % {"names": ", ".join(nulls)},
                           field_errors={name: [_("May not be null.")] for name in nulls})


@router.get("/content/{int:item_id}", response={200: ContentOut, **ERRORS}, summary="A content item")
def get_content(request, item_id: int):
    """The item with its clicks, signups and purchases."""
    program = request.auth.program
    return _content_out(_content_for_program(program, item_id), content_services.content_numbers(program), program)


@router.patch("/content/{int:item_id}", response={200: ContentOut, **ERRORS}, summary="Change a content item")
def update_content(request, item_id: int, payload: ContentPatch):
    """Change the fields sent (validated with the others, as the console does)."""
    program = request.auth.program
    fields = payload.model_dump(exclude_unset=True)
    _refuse_nulls(fields)
    item = content_services.update_content(_content_for_program(program, item_id), **fields)
    return _content_out(item, content_services.content_numbers(program), program)


@router.delete("/content/{int:item_id}", response={204: None, **ERRORS}, summary="Delete a content item")
def delete_content(request, item_id: int):
    """The item goes; its clicks stay in the numbers, no longer tied to an item."""
    content_services.delete_content(_content_for_program(request.auth.program, item_id))
    return Status(204, None)


def _event_out(event: Event) -> AccessEventOut:
    return AccessEventOut(
        id=event.pk, kind=event.kind, title=event.title, titles=event.titles, description=event.description,
        descriptions=event.descriptions, starts_at=event.starts_at, ends_at=event.ends_at, location=event.location,
        online_url=event.online_url, capacity=event.capacity, points=event.points, is_active=event.is_active,
        invited=event.invited_count, attending=event.yes_count, checked_in=event.checked_in_count,
        created_at=event.created_at)


def _event_for_program(program, event_id: int) -> Event:
    event = event_services.with_counts(Event.objects.filter(program=program, pk=event_id)).first()
    if event is None:
        raise NotFound(_("No event or club with this id in this program."))
    return event


@router.get("/access-events", response={200: AccessEventPageOut, **ERRORS}, summary="Invite-only events and clubs")
def list_access_events(request, cursor: str | None = CURSOR, limit: int = LIMIT,
                       updated_since: datetime | None = UPDATED_SINCE):
    """Events and clubs, newest first, with how many were invited, said yes and checked in."""
    queryset = event_services.with_counts(Event.objects.filter(program=request.auth.program))
    return paginate(queryset, cursor, limit, updated_since).as_dict(_event_out)


@router.post("/access-events", response={201: AccessEventOut, **ERRORS}, summary="Create an event or a club")
@idempotent
def create_access_event(request, payload: AccessEventIn):
    """A new invite-only event (with `starts_at`) or club; invite advocates next."""
    event = event_services.create_event(request.auth.program, **payload.model_dump())
    return Status(201, _event_out(_event_for_program(request.auth.program, event.pk)))


@router.get("/access-events/{int:event_id}", response={200: AccessEventOut, **ERRORS}, summary="An event or a club")
def get_access_event(request, event_id: int):
    """The event with how many were invited, said yes and checked in."""
    return _event_out(_event_for_program(request.auth.program, event_id))


NULLABLE_EVENT_FIELDS = {"starts_at", "ends_at", "capacity"}


@router.patch("/access-events/{int:event_id}", response={200: AccessEventOut, **ERRORS}, summary="Change an event or a club")
def update_access_event(request, event_id: int, payload: AccessEventPatch):
    """Change the fields sent (validated with the others as the console does); `capacity: null` lifts the limit."""
    event = _event_for_program(request.auth.program, event_id)
    fields = payload.model_dump(exclude_unset=True)
    _refuse_nulls(fields, NULLABLE_EVENT_FIELDS)
    event_services.update_event(event, **fields)
    return _event_out(_event_for_program(request.auth.program, event_id))


@router.post("/access-events/{int:event_id}/invitations", response={200: InvitationsOut, 201: InvitationsOut, **ERRORS},
             summary="Invite advocates")
@idempotent
def invite_advocates(request, event_id: int, payload: InvitationsIn):
    """Invite advocates by id or email; each gets a personal access code. Advocates invited
    before keep their code (200 when nobody new was invited). An unknown id or email is a 422
    and invites nobody."""
    event = _event_for_program(request.auth.program, event_id)
    result = event_services.invite_selection(event, identifiers=[*map(str, payload.advocate_ids), *payload.emails])
    body = InvitationsOut(invited=[InvitationOut.model_validate(invitation) for invitation in result.invited],
                          already_invited=result.already_invited, skipped=result.skipped)
    return Status(201 if result.invited else 200, body)


@router.get("/access-events/{int:event_id}/invitations", response={200: InvitationPageOut, **ERRORS},
            summary="An event's invitations and RSVPs")
def list_event_invitations(request, event_id: int, rsvp: str | None = Query(None, pattern="^(none|yes|no)$"),
                           cursor: str | None = CURSOR, limit: int = LIMIT, updated_since: datetime | None = UPDATED_SINCE):
    """Who was invited, their access code, RSVP and check-in, newest first; filter by `rsvp`."""
    invitations = _event_for_program(request.auth.program, event_id).invitations.all()
    if rsvp:
        invitations = invitations.filter(rsvp=rsvp)
    return paginate(invitations, cursor, limit, updated_since).as_dict()


@router.post("/access-events/{int:event_id}/check-ins", response={201: CheckInOut, **ERRORS}, summary="Check in by code")
@idempotent
def check_in(request, event_id: int, payload: CheckInIn):
    """Check the holder of an access code in and credit the event's points once. An unknown
    code is a 404; a code of another event, or one already checked in, a 409 (nothing changes)."""
    event = _event_for_program(request.auth.program, event_id)
    result = event_services.check_in(event, payload.code)
    return Status(201, CheckInOut(invitation=InvitationOut.model_validate(result.invitation),
                                  advocate_id=result.invitation.advocate_id, points_credited=result.points_credited))
