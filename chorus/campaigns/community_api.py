"""API of the content vault (`/content`) and of exclusive events & clubs (`/access-events`)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chorus.core.api_errors import ErrorOut
from chorus.core.errors import NotFound
from chorus.core.idempotency import idempotent

from . import content as content_services
from . import events as event_services
from .community_schemas import (
    AccessEventIn,
    AccessEventOut,
    AccessEventPageOut,
    CheckInIn,
    CheckInOut,
    ContentIn,
    ContentOut,
    ContentPageOut,
    InvitationOut,
    InvitationsIn,
    InvitationsOut,
)
from .models import ContentItem, Event

router = Router(tags=["content & access events"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}
CURSOR = Query(None, pattern=r"^[0-9]{1,18}$", description="`next_cursor` of the previous page.")
LIMIT = Query(50, ge=1, le=200, description="Items per page (1–200).")


def _page(queryset, cursor: str | None, limit: int) -> tuple[list, str | None]:
    if cursor:
        queryset = queryset.filter(pk__lt=int(cursor))
    items = list(queryset.order_by("-pk")[: limit + 1])
    return items[:limit], str(items[limit - 1].pk) if len(items) > limit else None


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
def list_content(request, cursor: str | None = CURSOR, limit: int = LIMIT):
    """The program's content items, newest first, with their clicks, signups and purchases."""
    program = request.auth.program
    items, next_cursor = _page(ContentItem.objects.filter(program=program), cursor, limit)
    numbers = content_services.content_numbers(program)
    return {"items": [_content_out(item, numbers, program) for item in items], "next_cursor": next_cursor}


@router.post("/content", response={201: ContentOut, **ERRORS}, summary="Add a content item")
@idempotent
def create_content(request, payload: ContentIn):
    """A new vault item. Its `destination_url` must be one of the program's allowed destinations (422 otherwise)."""
    program = request.auth.program
    item = content_services.create_content(program, **payload.model_dump())
    return Status(201, _content_out(item, {}, program))


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
def list_access_events(request, cursor: str | None = CURSOR, limit: int = LIMIT):
    """Events and clubs, newest first, with how many were invited, said yes and checked in."""
    queryset = event_services.with_counts(Event.objects.filter(program=request.auth.program))
    items, next_cursor = _page(queryset, cursor, limit)
    return {"items": [_event_out(event) for event in items], "next_cursor": next_cursor}


@router.post("/access-events", response={201: AccessEventOut, **ERRORS}, summary="Create an event or a club")
@idempotent
def create_access_event(request, payload: AccessEventIn):
    event = event_services.create_event(request.auth.program, **payload.model_dump())
    return Status(201, _event_out(_event_for_program(request.auth.program, event.pk)))


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


@router.post("/access-events/{int:event_id}/check-ins", response={201: CheckInOut, **ERRORS}, summary="Check in by code")
@idempotent
def check_in(request, event_id: int, payload: CheckInIn):
    """Check the holder of an access code in and credit the event's points once. An unknown
    code is a 404; a code of another event, or one already checked in, a 409 (nothing changes)."""
    event = _event_for_program(request.auth.program, event_id)
    result = event_services.check_in(event, payload.code)
    return Status(201, CheckInOut(invitation=InvitationOut.model_validate(result.invitation),
                                  advocate_id=result.invitation.advocate_id, points_credited=result.points_credited))
