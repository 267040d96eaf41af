"""What marketers do with endpoints: register, change, disable/enable, rotate the secret,
send a test event, replay a delivery."""

from datetime import timedelta
from uuid import uuid4

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.errors import Conflict, InvalidInput

from . import network, signing
from .events import TEST_EVENT, EventType, create_deliveries, forget_subscriptions, new_msg_id
from .models import Delivery, Endpoint, Message

ROTATION_OVERLAP = timedelta(hours=24)
MAX_ENDPOINTS = 20


def _clean_event_types(event_types) -> list[str]:
    known = set(EventType.values)
    chosen = sorted({str(value) for value in (event_types or [])})
    unknown = [value for value in chosen if value not in known]
    if unknown:
        message = _("Unknown event types: %(types)s.") % {"types": ", ".join(unknown)}
        raise InvalidInput(message, field_errors={"event_types": [message]})
    if not chosen:
        message = _("Choose at least one event.")
        raise InvalidInput(message, field_errors={"event_types": [message]})
    return chosen


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > 200:
        message = _("Keep the description under 200 characters.")
        raise InvalidInput(message, field_errors={"description": [message]})
    return description


@transaction.atomic
def create_endpoint(program, *, url: str, event_types, description: str = "", user=None) -> tuple[Endpoint, str]:
    """Register an endpoint; returns it and its secret (shown to the marketer once)."""
    network.vet_url(url)
    event_types = _clean_event_types(event_types)
    description = _clean_description(description)
    if Endpoint.objects.filter(program=program).count() >= MAX_ENDPOINTS:
        raise Conflict(_("A program can have at most %(limit)d endpoints.") % {"limit": MAX_ENDPOINTS})
    secret = signing.generate_secret()
    endpoint = Endpoint.objects.create(program=program, url=url.strip(), event_types=event_types,
                                       description=description, secret=secret, created_by=user)
    forget_subscriptions(program.pk)
    return endpoint, secret


@transaction.atomic
def update_endpoint(endpoint: Endpoint, *, event_types, description: str) -> Endpoint:
    endpoint.event_types = _clean_event_types(event_types)
    endpoint.description = _clean_description(description)
    endpoint.save(update_fields=["event_types", "description", "updated_at"])
    forget_subscriptions(endpoint.program_id)
    return endpoint


@transaction.atomic
def set_enabled(endpoint: Endpoint, enabled: bool) -> Endpoint:
    """Disable (manually) or enable again; enabling vets the URL again and clears the failure streak."""
    if enabled:
        network.vet_url(endpoint.url)
        endpoint.is_enabled, endpoint.disabled_reason, endpoint.disabled_at, endpoint.failing_since = True, "", None, None
    elif endpoint.is_enabled:
        endpoint.is_enabled, endpoint.disabled_reason, endpoint.disabled_at = (
            False, Endpoint.DisabledReason.MANUAL, timezone.now())
    endpoint.save(update_fields=["is_enabled", "disabled_reason", "disabled_at", "failing_since", "updated_at"])
    forget_subscriptions(endpoint.program_id)
    if enabled:
        from .delivery import enqueue_due

        transaction.on_commit(enqueue_due)
    return endpoint


@transaction.atomic
def rotate_secret(endpoint: Endpoint) -> tuple[Endpoint, str]:
    """A new secret; the old one keeps signing too for 24 hours. Returns the new secret (shown once)."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret, endpoint.previous_secret_expires_at = endpoint.secret, timezone.now() + ROTATION_OVERLAP
    endpoint.secret = signing.generate_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return endpoint, endpoint.secret


@transaction.atomic
def delete_endpoint(endpoint: Endpoint) -> None:
    program_id = endpoint.program_id
    endpoint.delete()
    forget_subscriptions(program_id)


@transaction.atomic
def send_test_event(endpoint: Endpoint) -> Delivery:
    """A `webhook.test` message to this endpoint only, sent now (enabled or not is checked on send)."""
    if not endpoint.is_enabled:
        raise Conflict(_("Enable the endpoint before sending it a test event."), code="endpoint_disabled")
    now = timezone.now()
    message = Message(program_id=endpoint.program_id, event_type=TEST_EVENT, source_key=f"test:{uuid4().hex}",
                      msg_id=new_msg_id(), created_at=now,
                      payload={"type": TEST_EVENT, "timestamp": now.isoformat().replace("+00:00", "Z"),
                               "data": {"endpoint_id": endpoint.pk, "program": endpoint.program.slug}})
    return create_deliveries(endpoint.program_id, [message], endpoints=[endpoint])[0]


@transaction.atomic
def replay(delivery: Delivery) -> Delivery:
    """Send a finished delivery again now: a new round of attempts, logged as manual."""
    delivery = Delivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    if delivery.status in (Delivery.Status.PENDING, Delivery.Status.SENDING):
        raise Conflict(_("This delivery is still being retried; wait for it to finish."), code="delivery_in_progress")
    if not delivery.endpoint.is_enabled:
        raise Conflict(_("Enable the endpoint before replaying its deliveries."), code="endpoint_disabled")
    now = timezone.now()
    delivery.status, delivery.round_attempts, delivery.next_attempt_at = Delivery.Status.PENDING, 0, now
    delivery.save(update_fields=["status", "round_attempts", "next_attempt_at", "updated_at"])
    from .tasks import replay_task

    transaction.on_commit(lambda: replay_task.enqueue(delivery.pk))
    return delivery
