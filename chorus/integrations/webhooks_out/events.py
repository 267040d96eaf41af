"""The events a program's endpoints can subscribe to, and `emit`, which domain services call.

`emit` writes the message (once per program, event type and source key) and one delivery per
subscribed endpoint in the caller's transaction, and enqueues the deliveries after commit.
When no enabled endpoint of the program takes the event type, it costs no query: the
program's subscribed types are cached and forgotten whenever an endpoint changes."""

import secrets
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.core import bulk

CACHE_SECONDS = 3600


class EventType(models.TextChoices):
    ADVOCATE_JOINED = "advocate.joined", _("Advocate joined")
    REFERRAL_ATTRIBUTED = "referral.attributed", _("Referral attributed")
    CONVERSION_RECORDED = "conversion.recorded", _("Conversion recorded")
    REWARD_APPROVED = "reward.approved", _("Reward approved")
    REWARD_ISSUED = "reward.issued", _("Reward issued")
    REWARD_CLAWED_BACK = "reward.clawed_back", _("Reward clawed back")
    ASK_COMPLETED = "ask.completed", _("Ask completed")
    REDEMPTION_REQUESTED = "redemption.requested", _("Redemption requested")
    REDEMPTION_FULFILLED = "redemption.fulfilled", _("Redemption fulfilled")
    LEVEL_REACHED = "level.reached", _("Level reached")
    BADGE_AWARDED = "badge.awarded", _("Badge awarded")


TEST_EVENT = "webhook.test"


def _cache_key(program_id: int) -> str:
    return f"webhooks-out:types:{program_id}"


def subscribed_types(program_id: int) -> frozenset[str]:
    """The event types some enabled endpoint of the program takes (cached)."""
    key = _cache_key(program_id)
    types = cache.get(key)
    if types is None:
        from .models import Endpoint

        types = set()
        for event_types in Endpoint.objects.filter(program_id=program_id, is_enabled=True).values_list("event_types", flat=True):
            types.update(event_types)
        types = frozenset(types)
        cache.set(key, types, CACHE_SECONDS)
    return types


def forget_subscriptions(program_id: int) -> None:
    """An endpoint changed: read the subscribed types again (now, and once the change commits)."""
    cache.delete(_cache_key(program_id))
    transaction.on_commit(lambda: cache.delete(_cache_key(program_id)))


def new_msg_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def _program_id(program) -> int:
    return program if isinstance(program, int) else program.pk


def emit(program, event_type: str, data: dict, source_key: str) -> None:
    """Send `data` as an `event_type` event to the program's endpoints that take it, once per source key."""
    emit_many(program, event_type, [None], lambda _item: (source_key, data))


def emit_many(program, event_type: str, objects: Iterable, describe: Callable) -> None:
    """`emit` for many objects at once (a conversion batch): `describe(obj)` -> (source_key, data),
    called only if an endpoint takes the event type; one INSERT per table for them all."""
    program_id = _program_id(program)
    if event_type not in subscribed_types(program_id):
        return
    now = timezone.now()
    messages = []
    for obj in objects:
        source_key, data = describe(obj)
        messages.append(_message(program_id, event_type, source_key, data, now))
    if messages:
        create_deliveries(program_id, messages, endpoints=None)


def _message(program_id: int, event_type: str, source_key: str, data: dict, now):
    from .models import Message

    payload = {"type": event_type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": data}
    return Message(program_id=program_id, event_type=event_type, source_key=str(source_key)[:120], msg_id=new_msg_id(),
                   payload=payload, created_at=now)


def create_deliveries(program_id: int, messages: list, *, endpoints=None) -> list:
    """Store the messages not stored before and their deliveries to `endpoints` (default: the
    enabled endpoints subscribed to each message's type); enqueue them after commit."""
    from .delivery import enqueue_after_commit
    from .models import Delivery, Endpoint, Message

    Message.objects.bulk_create(messages, ignore_conflicts=True)
    stored = list(Message.objects.filter(msg_id__in=[message.msg_id for message in messages]))
    if not stored:
        return []
    if endpoints is None:
        endpoints = list(Endpoint.objects.filter(program_id=program_id, is_enabled=True))
    deliveries = [Delivery(endpoint=endpoint, message=message, next_attempt_at=message.created_at,
                           created_at=message.created_at)
                  for message in stored for endpoint in endpoints if message.event_type in endpoint.event_types
                  or message.event_type == TEST_EVENT]
    if deliveries:
        bulk.insert(deliveries)
        enqueue_after_commit([delivery.pk for delivery in deliveries])
    return deliveries
