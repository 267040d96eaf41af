"""Email API: templates, test sends, suppression list, bounce/complaint reports and the signed webhook."""

import json
import time

import pytest

from chorus.notifications.bounces import signature_for
from chorus.notifications.marketing import email_settings
from chorus.notifications.models import OutboundEmail, Suppression
from chorus.testing.api_client import ApiClient


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key)


def test_templates_list_and_get(api):
    response = api.get("/email-templates")
    assert response.status_code == 200
    assert [item["key"] for item in response.json()["items"]] == [
        "ask_expiring", "event_invitation", "invitation", "milestone_reached", "news", "nps_survey", "promoter_thanks", "reward_earned"]
    assert response.json()["items"][0]["languages"] == ["ar", "de", "en", "ja", "pl"]
    detail = api.get("/email-templates/reward_earned").json()
    assert detail["subjects"]["de"] == "Sie haben {{ reward }} erhalten"
    assert "points" in detail["placeholders"]
    assert api.get("/email-templates/nope").status_code == 404


def test_send_test_email(api, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/email-templates/news/send-test", {"to_email": "me@example.com", "language": "de",
                                                                "context": {"name": "Maria Schmidt"}})
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Neuigkeiten von Acme Customers"
    assert "Hallo Maria," in message.get_body(preferencelist=("plain",)).get_content()
    bad = api.post("/email-templates/news/send-test", {"to_email": "not an address"})
    assert bad.status_code == 422
    assert set(bad.json()["field_errors"]) == {"to_email"}
    assert OutboundEmail.objects.count() == 1


def test_suppression_list_add_list_remove(api, program):
    created = api.post("/email-suppressions", {"email": "Gone@Example.com", "detail": "asked by phone"})
    assert created.status_code == 201
    assert created.json()["email_normalized"] == "gone@example.com"
    assert api.post("/email-suppressions", {"email": "gone@example.com"}).status_code == 200
    listed = api.get("/email-suppressions").json()
    assert [(row["email_normalized"], row["reason"], row["source"]) for row in listed["items"]] == [
        ("gone@example.com", "manual", "api")]
    assert api.client.delete("/api/v1/email-suppressions/gone@example.com",
                             headers={"Authorization": f"Bearer {api.key}"}).status_code == 204
    assert api.client.delete("/api/v1/email-suppressions/gone@example.com",
                             headers={"Authorization": f"Bearer {api.key}"}).status_code == 404
    assert Suppression.objects.count() == 0
    bad = api.post("/email-suppressions", {"email": "nope", "reason": "manual"})
    assert bad.status_code == 422
    assert Suppression.objects.count() == 0


def test_bounce_and_complaint_events_suppress(api, program):
    response = api.post("/email-events", {"type": "bounce", "email": "gone@example.com", "reason": "550 user unknown"})
    assert response.json() == {"suppressed": True, "created": True, "email_normalized": "gone@example.com",
                               "reason": "bounce"}
    api.post("/email-events", {"type": "complaint", "email": "angry@example.com"})
    assert sorted(Suppression.objects.values_list("email_normalized", "reason", "detail")) == [
        ("angry@example.com", "complaint", ""), ("gone@example.com", "bounce", "550 user unknown")]
    bad = api.post("/email-events", {"type": "delivered", "email": "x@example.com"})
    assert bad.status_code == 422
    assert Suppression.objects.count() == 2


def _signed(client, program, body: bytes, *, secret=None, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    secret = secret or email_settings(program).webhook_secret
    header = f"t={timestamp},v1={signature_for(secret, timestamp, body)}"
    return client.post(f"/api/v1/email-events/webhook/{program.slug}", data=body, content_type="application/json",
                       headers={"Chorus-Signature": header})


def test_signed_webhook_suppresses(client, program):
    body = json.dumps([{"type": "bounce", "email": "a@example.com"}, {"type": "complaint", "email": "b@example.com"}])
    response = _signed(client, program, body.encode())
    assert response.status_code == 200
    assert response.json() == {"suppressed": 2, "created": 2}
    assert sorted(Suppression.objects.values_list("email_normalized", "source")) == [
        ("a@example.com", "webhook"), ("b@example.com", "webhook")]


@pytest.mark.parametrize("case", ["wrong secret", "old timestamp", "no header", "tampered body"])
def test_badly_signed_webhook_changes_nothing(client, program, case):
    body = json.dumps({"type": "bounce", "email": "a@example.com"}).encode()
    if case == "wrong secret":
        response = _signed(client, program, body, secret="whsec_wrong")
    elif case == "old timestamp":
        response = _signed(client, program, body, timestamp=int(time.time()) - 301)
    elif case == "no header":
        response = client.post(f"/api/v1/email-events/webhook/{program.slug}", data=body,
                               content_type="application/json")
    else:
        timestamp = int(time.time())
        header = f"t={timestamp},v1={signature_for(email_settings(program).webhook_secret, timestamp, body)}"
        response = client.post(f"/api/v1/email-events/webhook/{program.slug}",
                               data=body.replace(b"a@example", b"b@example"), content_type="application/json",
                               headers={"Chorus-Signature": header})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert Suppression.objects.count() == 0


def test_signed_webhook_with_a_bad_event_records_none(client, program):
    body = json.dumps([{"type": "bounce", "email": "a@example.com"}, {"type": "bounce", "email": "nope"}]).encode()
    response = _signed(client, program, body)
    assert response.status_code == 422
    assert Suppression.objects.count() == 0
