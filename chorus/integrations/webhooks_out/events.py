"""The events a program's endpoints can subscribe to, and `emit`, which domain services call.

`emit` writes the message (once per program, event type and source key) and one delivery per
subscribed endpoint in the caller's transaction, and enqueues the deliveries after commit.
When no enabled endpoint of the program takes the event type, it costs no query: the
program's subscribed types are cached (shared cache, plus a two-second memo per process) and
forgotten whenever an endpoint changes."""

import secrets
import time
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


# A per-process memo in front of the shared cache, so the conversion path does not pay a cache
# round trip (Redis) per event type: another process sees an endpoint change within LOCAL_SECONDS.
LOCAL_SECONDS = 2.0
_local: dict[int, tuple[float, frozenset]] = {}


def subscribed_types(program_id: int) -> frozenset[str]:
    """The event types some enabled endpoint of the program takes (cached)."""
    memo = _local.get(program_id)
    now = time.monotonic()
    if memo is not None and memo[0] > now:
        return memo[1]
    key = _cache_key(program_id)
    types = cache.get(key)
    if types is None:
        from .models import Endpoint

        types = set()
        for event_types in Endpoint.objects.filter(program_id=program_id, is_enabled=True).values_list("event_types", flat=True):
            types.update(event_types)
        types = frozenset(types)
        cache.set(key, types, CACHE_SECONDS)
    _local[program_id] = (now + LOCAL_SECONDS, types)
    return types


def _forget(program_id: int) -> None:
    _local.pop(program_id, None)
    cache.delete(_cache_key(program_id))


def forget_subscriptions(program_id: int) -> None:
    """An endpoint changed: read the subscribed types again (now, and once the change commits)."""
    _forget(program_id)
    transaction.on_commit(lambda: _forget(program_id))


def forget_all_subscriptions() -> None:
    """Tests: the endpoints a test made are rolled back, so must be what is known about them."""
    _local.clear()
    cache.clear()


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
    return bulk.new(Message, program_id=program_id, event_type=event_type, source_key=str(source_key)[:120],
                    msg_id=new_msg_id(), payload=payload, created_at=now)


def create_deliveries(program_id: int, messages: list, *, endpoints=None) -> list:
    """Store the messages not stored before and their deliveries to `endpoints` (default: the
    enabled endpoints subscribed to each message's type); enqueue them after commit."""
    from .delivery import enqueue_after_commit
    from .models import Delivery, Endpoint, Message

    Message.objects.bulk_create(messages, ignore_conflicts=True)
    by_msg_id = {message.msg_id: message for message in messages}
    stored = Message.objects.filter(msg_id__in=list(by_msg_id)).values_list("msg_id", "pk")  # the new ones only
    if endpoints is None:
        endpoints = list(Endpoint.objects.filter(program_id=program_id, is_enabled=True))
    deliveries = []
    for msg_id, pk in stored:
        message = by_msg_id[msg_id]
        for endpoint in endpoints:
            if message.event_type in endpoint.event_types or message.event_type == TEST_EVENT:
                deliveries.append(bulk.new(Delivery, endpoint_id=endpoint.pk, message_id=pk,
                                           next_attempt_at=message.created_at, created_at=message.created_at))
    if deliveries:
        bulk.insert(deliveries)
        enqueue_after_commit([delivery.pk for delivery in deliveries])
    return deliveries
