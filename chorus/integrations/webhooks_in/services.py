"""Receiving events from other systems exactly once, and keeping a log of what they did.

A provider adapter (Stripe, Segment) turns its event into calls of the domain services
(the conversion ingest, the customer upsert); this module gives it the once-only frame:
the event's row is inserted under a unique key in the same transaction as its effects, so
a redelivery finds the row and acts no more.
"""

import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from chorus.core.errors import ChorusError

from .models import InboundEvent

logger = logging.getLogger("chorus.integrations")

Handler = Callable[[InboundEvent], None]


def receive(program, provider: str, external_id: str, event_type: str, handler: Handler) -> tuple[InboundEvent, bool]:
    """Record the event and let `handler` act on it, once: (event, duplicate).

    The handler sets the event's status and reason; a domain error it raises (bad fields,
    another currency) marks the event failed with the error's message, and whatever the
    handler wrote before it is rolled back. A delivery of an id already received returns
    the first delivery's row with duplicate=True and changes nothing."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = InboundEvent.objects.create(program=program, provider=provider, external_id=external_id[:255],
                                                    event_type=event_type[:100])
        except IntegrityError:
            if not external_id:
                raise
            return InboundEvent.objects.get(program=program, provider=provider, external_id=external_id[:255]), True
        act(event, handler)
    return event, False


def act(event: InboundEvent, handler: Handler) -> None:
    """Run `handler` on a claimed event and save its outcome."""
    try:
        with transaction.atomic():
            handler(event)
    except ChorusError as error:
        event.status, event.reason = InboundEvent.Status.FAILED, InboundEvent.Reason.INVALID
        event.detail = _describe(error)[:500]
        event.conversion = None
    if event.status == InboundEvent.Status.RECEIVED:
        raise AssertionError(f"handler left {event} unprocessed")
    if event.status == InboundEvent.Status.IGNORED:
        logger.info("ignored %s event %s (%s): %s", event.provider, event.external_id, event.event_type, event.reason)
    event.processed_at = timezone.now() if event.status != InboundEvent.Status.WAITING else None
    event.save()


def _describe(error: ChorusError) -> str:
    fields = "; ".join(f"{name}: {' '.join(str(message) for message in messages)}"
                       for name, messages in (error.field_errors or {}).items())
    return f"{error.message} {fields}".strip()


def mark(event: InboundEvent, status: str, reason: str, **fields) -> None:
    event.status, event.reason = status, reason
    for name, value in fields.items():
        setattr(event, name, value)


def recent_events(program, limit: int = 25) -> list[InboundEvent]:
    return list(InboundEvent.objects.filter(program=program).select_related("conversion")[:limit])
