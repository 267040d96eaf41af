"""Sending a delivery: claim it, vet the URL again, POST the signed message, log the attempt,
then succeed, retry later, or give up.

Retries follow RETRY_DELAYS (each ±10 % jitter): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h,
20 h, 24 h — ten attempts over about three days and four hours. A `Retry-After` answer (seconds
or an HTTP date, at most a day) pushes the next attempt later, never earlier. 2xx succeeds;
410 Gone disables the endpoint at once; an endpoint that has failed continuously for three
days, or whose delivery ran out of retries, is disabled and its program's owners and
managers get an email.
"""

import email.utils
import json
import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import network, signing
from .events import forget_subscriptions
from .models import Attempt, Delivery, Endpoint

logger = logging.getLogger("chorus.webhooks")

RETRY_DELAYS = [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                timedelta(hours=5), timedelta(hours=10), timedelta(hours=14), timedelta(hours=20), timedelta(hours=24)]
JITTER = 0.1
MAX_RETRY_AFTER = timedelta(days=1)
FAILING_FOR = timedelta(days=3)
LEASE = timedelta(minutes=2)
FAN_OUT = 10
FAN_OUT_CHUNK = 1000


def body_of(message) -> bytes:
    return json.dumps(message.payload, separators=(",", ":"), ensure_ascii=False).encode()


def retry_delay(round_attempts: int) -> timedelta | None:
    """The wait after the `round_attempts`-th failed attempt; None when no retry is left."""
    if round_attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[round_attempts - 1] * random.uniform(1 - JITTER, 1 + JITTER)


def parse_retry_after(value: str, now: datetime) -> timedelta | None:
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        wait = timedelta(seconds=int(value))
    else:
        try:
            wait = email.utils.parsedate_to_datetime(value) - now
        except (TypeError, ValueError):
            return None
    return min(max(wait, timedelta(0)), MAX_RETRY_AFTER)


# --- enqueueing ---------------------------------------------------------------------------------

def enqueue_after_commit(delivery_ids: list[int], run_after: datetime | None = None) -> None:
    transaction.on_commit(lambda: enqueue(delivery_ids, run_after))


def enqueue(delivery_ids: list[int], run_after: datetime | None = None) -> None:
    """One task per delivery; a large set (a conversion batch's) is handed to one fan-out task
    first, so the request that emitted it writes one task row, not hundreds."""
    from django_tasks import default_task_backend

    from .tasks import deliver_task, fan_out_task

    if run_after is None and len(delivery_ids) > FAN_OUT:
        for start in range(0, len(delivery_ids), FAN_OUT_CHUNK):
            fan_out_task.enqueue(delivery_ids[start:start + FAN_OUT_CHUNK])
        return
    if run_after is not None:
        if not default_task_backend.supports_defer:
            return  # the maintenance sweep sends it when due
        task = deliver_task.using(run_after=run_after)
    else:
        task = deliver_task
    for delivery_id in delivery_ids:
        task.enqueue(delivery_id)


def enqueue_each(delivery_ids: list[int]) -> None:
    from .tasks import deliver_task

    for delivery_id in delivery_ids:
        deliver_task.enqueue(delivery_id)


def enqueue_due(now: datetime | None = None) -> int:
    """The sweep: enqueue every delivery that is due (or whose sender died mid-request) again.
    Harmless when its task still exists: the claim lets only one of them send."""
    now = now or timezone.now()
    due = list(Delivery.objects.filter(_claimable(now), endpoint__is_enabled=True).values_list("pk", flat=True)[:5000])
    enqueue(due)
    return len(due)


def _claimable(now: datetime) -> Q:
    return (Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_until__lt=now))


def _claim(delivery_id: int, now: datetime) -> bool:
    return bool(Delivery.objects.filter(_claimable(now), pk=delivery_id).update(
        status=Delivery.Status.SENDING, claimed_until=now + LEASE, updated_at=now))


# --- sending --------------------------------------------------------------------------------------

def deliver(delivery_id: int, now: datetime | None = None, trigger: str = Attempt.Trigger.SCHEDULED) -> str | None:
    """Send one due delivery once; returns its new status, or None if it was not due (or taken)."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related("endpoint__program", "message").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_enabled:  # waits: enabling the endpoint again resumes it (the sweep)
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.PENDING, claimed_until=None)
        return None
    try:
        target = network.vet_url(endpoint.url)
    except network.UnsafeURL as refusal:
        response = network.Response(None, "", refusal.message[:300], 0, "")
    else:
        body = body_of(delivery.message)
        timestamp = int(timezone.now().timestamp())
        headers = signing.headers(endpoint.signing_secrets(timezone.now()), delivery.message.msg_id, timestamp, body)
        response = network.post(target, body, headers)
    return _record(delivery, response, now, trigger)


def _record(delivery: Delivery, response, now: datetime, trigger: str) -> str:
    succeeded = response.status_code is not None and 200 <= response.status_code < 300
    with transaction.atomic():
        delivery.attempts += 1
        delivery.round_attempts += 1
        Attempt.objects.create(delivery=delivery, number=delivery.attempts, trigger=trigger, started_at=now,
                               duration_ms=response.duration_ms, status_code=response.status_code,
                               response_body=response.body, error=response.error, succeeded=succeeded)
        delivery.last_status_code, delivery.last_error = response.status_code, response.error
        endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        if succeeded:
            delivery.succeeded_at = now
            _finish(delivery, Delivery.Status.SUCCEEDED)
            if endpoint.failing_since is not None:
                Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            return delivery.status
        if response.status_code == 410:
            _finish(delivery, Delivery.Status.FAILED)
            disable_for_failures(endpoint, Endpoint.DisabledReason.GONE, now)
            return delivery.status
        return _after_failure(delivery, endpoint, response, now)


def _after_failure(delivery: Delivery, endpoint: Endpoint, response, now: datetime) -> str:
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=now)
    delay = retry_delay(delivery.round_attempts)
    if delay is None or now - endpoint.failing_since >= FAILING_FOR:
        _finish(delivery, Delivery.Status.FAILED)
        disable_for_failures(endpoint, Endpoint.DisabledReason.FAILING, now)
        return delivery.status
    waited = parse_retry_after(response.retry_after, now)
    delivery.next_attempt_at = now + max(delay, waited or timedelta(0))
    _finish(delivery, Delivery.Status.PENDING)
    enqueue_after_commit([delivery.pk], run_after=delivery.next_attempt_at)
    return delivery.status


def _finish(delivery: Delivery, status: str) -> None:
    delivery.status, delivery.claimed_until = status, None
    if status != Delivery.Status.PENDING:
        delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "claimed_until", "attempts", "round_attempts", "next_attempt_at",
                                 "last_status_code", "last_error", "succeeded_at", "updated_at"])


# --- disabling ---------------------------------------------------------------------------------------

def disable_for_failures(endpoint: Endpoint, reason: str, now: datetime) -> bool:
    """Disable an enabled endpoint (410 or failing for days) and tell the program's editors after commit."""
    if not Endpoint.objects.filter(pk=endpoint.pk, is_enabled=True).update(
            is_enabled=False, disabled_reason=reason, disabled_at=now, updated_at=now):
        return False
    endpoint.is_enabled, endpoint.disabled_reason, endpoint.disabled_at = False, reason, now
    forget_subscriptions(endpoint.program_id)
    logger.warning("webhook endpoint %s disabled: %s", endpoint.pk, reason)
    transaction.on_commit(lambda: _email_editors(endpoint.pk))
    return True


def _email_editors(endpoint_id: int) -> None:
    from chorus.programs.models import Membership

    endpoint = Endpoint.objects.select_related("program__workspace").get(pk=endpoint_id)
    program = endpoint.program
    recipients = sorted(set(Membership.objects.filter(
        workspace_id=program.workspace_id, role__in=[Membership.Role.OWNER, Membership.Role.MARKETER],
    ).exclude(user__email="").values_list("user__email", flat=True)))
    if not recipients:
        return
    subject = _("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url[:120]}
    body = _("Chorus stopped sending events of the program “%(program)s” to %(url)s.\n\n"
             "Reason: %(reason)s\n\n"
             "Fix the endpoint, then enable it again on the program's Webhooks page; you can replay "
             "the deliveries that failed from its delivery log.") % {
        "program": program.name, "url": endpoint.url, "reason": endpoint.get_disabled_reason_display()}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
