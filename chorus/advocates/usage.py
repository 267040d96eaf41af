"""Product-usage events of customers (I1): what the health score counts.

An event is stored once per sender id (`event_id`, a unique key per program), with the time
it happened; the customer's `last_event_at` moves forward with it."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.errors import InvalidInput

from .models import Customer, UsageEvent

EVENT_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
FUTURE_TOLERANCE = timedelta(minutes=10)


@dataclass
class RecordedUsage:
    event: UsageEvent
    created: bool


def check_usage_event(name: str, properties, event_id: str, occurred_at: datetime, now: datetime) -> None:
    errors = {}
    if not isinstance(name, str) or not EVENT_NAME.match(name):
        errors["name"] = [_("Use letters, digits and . _ : - (at most 100), e.g. milestone.reached.")]
    if not isinstance(properties, dict):
        errors["properties"] = [_("Must be a JSON object.")]
    if len(event_id) > 100:
        errors["id"] = [_("At most 100 characters.")]
    if occurred_at > now + FUTURE_TOLERANCE:
        errors["time"] = [_("The event cannot have happened in the future.")]
    if errors:
        raise InvalidInput(_("The event has invalid fields."), field_errors=errors)


def record_usage_event(customer: Customer, name: str, properties: dict | None = None, *,
                       occurred_at: datetime | None = None, event_id: str = "", now: datetime | None = None
                       ) -> RecordedUsage:
    """Store the event for the customer (once per `event_id`)."""
    now = now or timezone.now()
    occurred_at = occurred_at or now
    properties = {} if properties is None else properties
    event_id = (event_id or "").strip()
    check_usage_event(name, properties, event_id, occurred_at, now)
    if event_id:
        existing = UsageEvent.objects.filter(program_id=customer.program_id, event_id=event_id).first()
        if existing is not None:
            return RecordedUsage(existing, created=False)
    try:
        with transaction.atomic():
            event = UsageEvent.objects.create(program_id=customer.program_id, customer=customer, name=name,
                                              properties=properties, occurred_at=occurred_at, event_id=event_id)
            Customer.objects.filter(pk=customer.pk).filter(
                Q(last_event_at__isnull=True) | Q(last_event_at__lt=occurred_at)).update(last_event_at=occurred_at)
    except IntegrityError:  # the same event id, recorded concurrently
        return RecordedUsage(UsageEvent.objects.get(program_id=customer.program_id, event_id=event_id), created=False)
    return RecordedUsage(event, created=True)
