"""Named events about an advocate (E7 milestone triggers): recorded once, and each opens
the asks waiting for it to that advocate.

An ask with `trigger_event = "milestone.reached"` and `trigger_properties =
{"milestone": "first-100-orders"}` opens to an advocate when an event of that name
arrives for them whose properties include those. Retrying an event is harmless: an event
id is stored once, and each ask opens once per advocate (unique keys)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.advocates.customers import upsert_customer
from chorus.advocates.models import Advocate, Customer
from chorus.advocates.usage import check_usage_event, record_usage_event
from chorus.core.emails import normalize_email
from chorus.core.errors import InvalidInput, NotFound

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


# --- the events API: an advocate's milestone, or a customer's product usage -------------------

@dataclass
class ApiEvent:
    """What `POST /events` recorded: an advocate event (milestones open asks), or a customer's
    usage event; `usage` is also set when the advocate has a customer record."""

    created: bool
    advocate_event: AdvocateEvent | None = None
    opened: list | None = None
    usage: object | None = None


def record_api_event(program, *, name: str, properties: dict | None, event_id: str = "", advocate_id: int | None = None,
                     email: str = "", customer_external_id: str = "", occurred_at=None) -> ApiEvent:
    """One event sent through the API, attached to whom it names:

    * `advocate_id`, or an `email` an advocate has → the advocate's event, exactly as before
      (asks waiting for it open); if a customer record has that email (or the advocate's
      customer id), the event also counts as that customer's usage;
    * `customer_external_id` → a usage event of that customer, created (with `email`) if unknown;
    * an `email` only a customer has → a usage event of that customer.
    Unknown advocate ids and emails nobody has are a 404."""
    properties = {} if properties is None else properties
    now = timezone.now()
    occurred_at = occurred_at or now
    check_usage_event(name, properties, (event_id or "").strip(), occurred_at, now)
    usage_args = {"occurred_at": occurred_at, "event_id": event_id, "now": now}
    advocate = None
    if advocate_id is not None:
        advocate = Advocate.objects.select_related("program").filter(program=program, pk=advocate_id).first()
        if advocate is None:
            raise NotFound(_("No advocate with this id or email in this program."))
    elif email and not customer_external_id:
        advocate = Advocate.objects.select_related("program").filter(
            program=program, email_normalized=normalize_email(email)).first()
    if advocate is not None:
        customer = Customer.objects.filter(program=program).filter(
            Q(email_normalized=advocate.email_normalized)
            | (Q(external_id=advocate.external_id) & ~Q(external_id=""))).order_by("pk").first()
        with transaction.atomic():
            recorded = record_event(advocate, name, properties, event_id=event_id)
            usage = record_usage_event(customer, name, properties, **usage_args).event if customer else None
        return ApiEvent(created=recorded.created, advocate_event=recorded.event, opened=recorded.opened, usage=usage)
    if customer_external_id:
        with transaction.atomic():
            customer, _created = upsert_customer(program, external_id=customer_external_id, email=email)
            recorded = record_usage_event(customer, name, properties, **usage_args)
        return ApiEvent(created=recorded.created, usage=recorded.event)
    customer = Customer.objects.filter(program=program, email_normalized=normalize_email(email)).order_by("pk").first() \
        if email else None
    if customer is None:
        raise NotFound(_("No advocate or customer with this email in this program; send customer_external_id "
                         "to create the customer."))
    recorded = record_usage_event(customer, name, properties, **usage_args)
    return ApiEvent(created=recorded.created, usage=recorded.event)
