"""Signing (the specification's test vector), delivery to a real local receiver, retries,
disabling, and exactly-once messages."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.integrations.webhooks_out import delivery, emit, signing
from chorus.integrations.webhooks_out.models import Attempt, Delivery, Message
from chorus.integrations.webhooks_out.services import (
    create_endpoint,
    replay,
    rotate_secret,
    send_test_event,
)

SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_signature_matches_the_standard_webhooks_test_vector():
    body = b'{"test": 2432232314}'
    signature = signing.sign(SPEC_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert signing.verify(SPEC_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, "v1,bad " + signature)
    assert not signing.verify(SPEC_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, body, signature)


def test_generated_secrets_are_whsec_and_24_to_64_bytes():
    secret = signing.generate_secret()
    assert secret.startswith("whsec_")
    assert len(signing.secret_key(secret)) == 32
    assert signing.generate_secret() != secret


def _endpoint(program, receiver, events=("advocate.joined",)):
    endpoint, secret = create_endpoint(program, url=receiver.url(), event_types=list(events), description="CRM")
    return endpoint, secret


def _emit_one(program, django_capture_on_commit_callbacks, source_key="advocate:1"):
    with django_capture_on_commit_callbacks(execute=True):
        emit(program, "advocate.joined", {"advocate": {"id": 1}}, source_key)


def _check_signed(request, secrets):
    headers = {name.lower(): value for name, value in request["headers"].items()}
    signatures = headers["webhook-signature"].split(" ")
    assert len(signatures) == len(secrets)
    for secret in secrets:
        assert signing.verify(secret, headers["webhook-id"], int(headers["webhook-timestamp"]), request["body"],
                              headers["webhook-signature"])
    return headers


def test_delivery_is_signed_and_retried_through_failure_and_timeout_until_it_succeeds(
        program, receiver, django_capture_on_commit_callbacks):
    endpoint, secret = _endpoint(program, receiver)
    receiver.reply(500)
    receiver.reply(200, wait=2)  # answers after the client's 1 s timeout
    receiver.reply(204)

    _emit_one(program, django_capture_on_commit_callbacks)

    sent = Delivery.objects.get()
    assert (sent.status, sent.attempts, sent.last_status_code) == ("pending", 1, 500)
    first_retry = sent.next_attempt_at - Attempt.objects.get().started_at
    assert timedelta(seconds=4.5) <= first_retry <= timedelta(seconds=5.5)

    assert delivery.deliver(sent.pk, now=sent.next_attempt_at) == "pending"
    sent.refresh_from_db()
    assert (sent.attempts, sent.last_status_code, sent.last_error) == (2, None, "No answer within 1 seconds.")
    assert delivery.deliver(sent.pk, now=sent.next_attempt_at - timedelta(seconds=1)) is None  # not due yet

    assert delivery.deliver(sent.pk, now=sent.next_attempt_at) == "succeeded"
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.last_status_code, sent.next_attempt_at) == ("succeeded", 3, 204, None)
    log = list(Attempt.objects.filter(delivery=sent).values_list("number", "status_code", "succeeded"))
    assert log == [(1, 500, False), (2, None, False), (3, 204, True)]
    assert len(receiver.requests) == 3
    message = Message.objects.get()
    for request in receiver.requests:
        headers = _check_signed(request, [secret])
        assert headers["webhook-id"] == message.msg_id
        assert request["path"] == "/hooks"
        payload = json.loads(request["body"])
        assert payload["type"] == "advocate.joined"
        assert payload["data"] == {"advocate": {"id": 1}}
    endpoint.refresh_from_db()
    assert endpoint.is_enabled and endpoint.failing_since is None


def test_after_rotation_both_secrets_sign_for_a_day(program, receiver, django_capture_on_commit_callbacks):
    endpoint, old_secret = _endpoint(program, receiver)
    endpoint, new_secret = rotate_secret(endpoint)
    assert new_secret != old_secret

    _emit_one(program, django_capture_on_commit_callbacks)

    _check_signed(receiver.requests[0], [new_secret, old_secret])
    assert endpoint.signing_secrets(timezone.now() + timedelta(hours=25)) == [new_secret]


def test_gone_disables_the_endpoint_at_once_and_emails_the_editors(
        program, owner, receiver, smtp_server, django_capture_on_commit_callbacks):
    endpoint, _secret = _endpoint(program, receiver)
    receiver.reply(410)

    _emit_one(program, django_capture_on_commit_callbacks)

    endpoint.refresh_from_db()
    assert (endpoint.is_enabled, endpoint.disabled_reason) == (False, "gone")
    assert Delivery.objects.get().status == "failed"
    mail = smtp_server.wait_for(1)[0]
    assert mail["X-Envelope-To"] == owner.email
    assert mail["Subject"] == f"Webhook endpoint disabled: {endpoint.url}"
    assert "answered 410 Gone" in smtp_server.body(mail)
    # a later event is not sent to a disabled endpoint
    _emit_one(program, django_capture_on_commit_callbacks, source_key="advocate:2")
    assert Delivery.objects.count() == 1 and len(receiver.requests) == 1


def test_retry_after_pushes_the_next_attempt_later(program, receiver, django_capture_on_commit_callbacks):
    _endpoint(program, receiver)
    receiver.reply(429, {"Retry-After": "120"})
    _emit_one(program, django_capture_on_commit_callbacks)
    sent = Delivery.objects.get()
    assert sent.next_attempt_at == Attempt.objects.get().started_at + timedelta(seconds=120)

    receiver.reply(503, {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})  # capped at a day
    delivery.deliver(sent.pk, now=sent.next_attempt_at)
    sent.refresh_from_db()
    assert sent.next_attempt_at == Attempt.objects.last().started_at + timedelta(days=1)


def test_an_endpoint_failing_for_three_days_is_disabled_and_the_owner_told(
        program, owner, receiver, smtp_server, django_capture_on_commit_callbacks):
    endpoint, _secret = _endpoint(program, receiver)
    for _attempt in range(20):
        receiver.reply(500)
    _emit_one(program, django_capture_on_commit_callbacks)
    sent = Delivery.objects.get()
    started = Attempt.objects.get().started_at
    while sent.status == "pending":
        with django_capture_on_commit_callbacks(execute=True):
            delivery.deliver(sent.pk, now=sent.next_attempt_at)
        sent.refresh_from_db()
    endpoint.refresh_from_db()
    assert (sent.status, endpoint.is_enabled, endpoint.disabled_reason) == ("failed", False, "failing")
    last = Attempt.objects.filter(delivery=sent).last()
    assert last.started_at - started >= sum(delivery.RETRY_DELAYS, timedelta()) * (1 - delivery.JITTER)  # ~3 days
    assert timedelta(days=2, hours=20) <= sum(delivery.RETRY_DELAYS, timedelta()) * (1 - delivery.JITTER)
    assert sent.attempts <= len(delivery.RETRY_DELAYS) + 1
    assert endpoint.failing_since == started
    mail = smtp_server.wait_for(1)[0]
    assert mail["X-Envelope-To"] == owner.email
    assert "Deliveries kept failing" in smtp_server.body(mail)


def test_an_event_emitted_twice_is_sent_once(program, receiver, django_capture_on_commit_callbacks):
    _endpoint(program, receiver)
    _emit_one(program, django_capture_on_commit_callbacks)
    _emit_one(program, django_capture_on_commit_callbacks)
    assert Message.objects.count() == 1
    assert Delivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_unsubscribed_event_types_are_not_stored(program, receiver, django_capture_on_commit_callbacks):
    _endpoint(program, receiver, events=["badge.awarded"])
    _emit_one(program, django_capture_on_commit_callbacks)
    assert Message.objects.count() == 0 and receiver.requests == []


def test_replay_sends_a_delivered_message_again_as_a_manual_attempt(
        program, receiver, django_capture_on_commit_callbacks):
    _endpoint(program, receiver)
    _emit_one(program, django_capture_on_commit_callbacks)
    sent = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        replay(sent)
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == ("succeeded", 2)
    assert list(Attempt.objects.values_list("number", "trigger")) == [(1, "scheduled"), (2, "manual")]
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]


def test_test_event_goes_to_that_endpoint_only(program, receiver, django_capture_on_commit_callbacks):
    endpoint, _secret = _endpoint(program, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        send_test_event(endpoint)
    assert json.loads(receiver.requests[0]["body"])["type"] == "webhook.test"


def test_lost_tasks_are_sent_by_the_sweep(program, receiver, django_capture_on_commit_callbacks):
    _endpoint(program, receiver)
    emit(program, "advocate.joined", {"advocate": {"id": 1}}, "advocate:1")  # its on_commit never runs
    assert receiver.requests == [] and Delivery.objects.get().status == "pending"
    assert delivery.enqueue_due() == 1
    assert Delivery.objects.get().status == "succeeded" and len(receiver.requests) == 1
    assert delivery.enqueue_due() == 0


@pytest.mark.parametrize("value", ["", "soon", "-5"])
def test_unreadable_retry_after_is_ignored(value):
    assert delivery.parse_retry_after(value, timezone.now()) is None


def test_the_maintenance_command_sends_deliveries_whose_task_was_lost(program, receiver):
    from io import StringIO

    from django.core.management import call_command

    _endpoint(program, receiver)
    emit(program, "advocate.joined", {"advocate": {"id": 7}}, "advocate:7")  # its on_commit never runs
    out = StringIO()
    call_command("maintenance", stdout=out)
    assert out.getvalue().strip().endswith("; 1 webhook deliveries queued")
    assert Delivery.objects.get().status == "succeeded"
    assert json.loads(receiver.requests[0]["body"])["data"] == {"advocate": {"id": 7}}


def test_many_deliveries_at_once_fan_out_and_all_arrive(program, receiver, django_capture_on_commit_callbacks):
    _endpoint(program, receiver)
    from chorus.integrations.webhooks_out import emit_many

    with django_capture_on_commit_callbacks(execute=True):
        emit_many(program, "advocate.joined", range(12), lambda n: (f"advocate:{n}", {"advocate": {"id": n}}))
    assert sorted(json.loads(r["body"])["data"]["advocate"]["id"] for r in receiver.requests) == list(range(12))
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}
