"""Named events about an advocate (E7 milestone triggers): recorded once, and each opens
the asks waiting for it to that advocate.

An ask with `trigger_event = "milestone.reached"` and `trigger_properties =
{"milestone": "first-100-orders"}` opens to an advocate when an event of that name
arrives for them whose properties include those. Retrying an event is harmless: an event
id is stored once, and each ask opens once per advocate (unique keys)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.errors import InvalidInput

from ..models import AdvocateEvent, Ask, AskOpening
from .asks import EVENT_NAME


@dataclass
class Recorded:
    event: AdvocateEvent
    created: bool
    opened: list[Ask]


def _matches(ask: Ask, properties: dict) -> bool:
    return all(str(properties.get(key)) == str(value) for key, value in (ask.trigger_properties or {}).items())


def _validate(name: str, properties, event_id: str) -> None:
    errors = {}
    if not isinstance(name, str) or not EVENT_NAME.match(name):
        errors["name"] = [_("Use letters, digits and . _ : - (at most 100), e.g. milestone.reached.")]
    if not isinstance(properties, dict):
        errors["properties"] = [_("Must be a JSON object.")]
    if len(event_id) > 100:
        errors["id"] = [_("At most 100 characters.")]
    if errors:
        raise InvalidInput(_("The event has invalid fields."), field_errors=errors)


def record_event(advocate, name: str, properties: dict | None = None, *, event_id: str = "", now=None) -> Recorded:
    """Record the event (once per `event_id`) and open the asks it triggers for the advocate."""
    properties = {} if properties is None else properties
    event_id = (event_id or "").strip()
    _validate(name, properties, event_id)
    now = now or timezone.now()
    if event_id:
        existing = AdvocateEvent.objects.filter(program_id=advocate.program_id, event_id=event_id).first()
        if existing is not None:
            return Recorded(event=existing, created=False, opened=[])
    try:
        with transaction.atomic():
            event = AdvocateEvent.objects.create(program_id=advocate.program_id, advocate=advocate, name=name,
                                                 properties=properties, event_id=event_id)
            opened = _open_asks(event, advocate, now)
    except IntegrityError:  # the same event id, recorded concurrently
        return Recorded(event=AdvocateEvent.objects.get(program_id=advocate.program_id, event_id=event_id),
                        created=False, opened=[])
    _milestone_emails(advocate, event)
    return Recorded(event=event, created=True, opened=opened)


def _milestone_emails(advocate, event: AdvocateEvent) -> None:
    """The "milestone event" email automations (E7); each fires once per event."""
    from chorus.notifications.automations import fire

    label = str(event.properties.get("milestone") or event.name)
    fire(advocate.program, "milestone", advocate=advocate, occurrence=f"event:{event.pk}",
         context={"event": label}, event_name=event.name)


def _open_asks(event: AdvocateEvent, advocate, now) -> list[Ask]:
    asks = [ask for ask in Ask.objects.filter(program_id=advocate.program_id, trigger_event=event.name)
            .exclude(status=Ask.Status.ARCHIVED).order_by("pk") if _matches(ask, event.properties)]
    already = set(AskOpening.objects.filter(advocate=advocate, ask__in=asks).values_list("ask_id", flat=True))
    fresh = [ask for ask in asks if ask.pk not in already]
    AskOpening.objects.bulk_create(
        [AskOpening(ask=ask, advocate=advocate, event=event, opened_at=now,
                    closes_at=now + timedelta(days=ask.trigger_window_days) if ask.trigger_window_days else None)
         for ask in fresh], ignore_conflicts=True)
    return fresh
