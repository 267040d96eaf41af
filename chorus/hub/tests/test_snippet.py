import json
from urllib.parse import parse_qs, urlsplit

import pytest

from chorus.referrals.models import Conversion
from chorus.rewards.models import Reward
from chorus.testing import factories


def _post(client, slug, body, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(f"/t/{slug}/events", data=data, content_type="text/plain;charset=UTF-8",
                       HTTP_ORIGIN="https://shop.example.com", **extra)


def test_snippet_is_served_at_a_stable_cacheable_url(client, db):
    response = client.get("/s/chorus.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=3600, stale-while-revalidate=86400"
    body = response.content.decode()
    assert "window.chorus = api" in body and "chorus_click" in body and "data-chorus" in body
    with open("static/js/chorus.js", encoding="utf-8") as source:
        assert body == source.read()
    again = client.get("/s/chorus.js", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


def test_browser_signup_is_recorded_with_browser_trust_and_not_rewarded(client, visitor, program, advocate):
    factories.make_standard_rules(program)
    location = visitor.get(f"/r/{advocate.link.code}")["Location"]
    click_id = parse_qs(urlsplit(location).query)["chorus_click"][0]

    response = _post(client, program.slug, {"type": "signup", "email": "friend@example.org", "click_id": click_id})

    assert response.status_code == 202
    assert response.json() == {"accepted": True, "duplicate": False}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    conversion = Conversion.objects.get()
    assert (conversion.type, conversion.trust, conversion.customer.email) == ("signup", "browser", "friend@example.org")
    assert conversion.referral.advocate == advocate
    assert conversion.referral.reason == "click"
    assert Reward.objects.count() == 0


def test_browser_purchase_by_referral_code_keeps_its_order_apart(client, program, advocate):
    body = {"type": "purchase", "customer_external_id": "cus_9", "order_id": "A-1", "amount": 4200,
            "currency": "USD", "referral_code": advocate.link.code}

    first = _post(client, program.slug, body)
    again = _post(client, program.slug, body)

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == {"accepted": True, "duplicate": True}
    conversion = Conversion.objects.get()
    assert (conversion.order_id, conversion.amount, conversion.trust) == ("browser:A-1", 4200, "browser")
    assert conversion.referral.reason == "referral_code"


def test_preflight_allows_any_origin_without_credentials(client, program):
    response = client.options(f"/t/{program.slug}/events", HTTP_ORIGIN="https://shop.example.com",
                              HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", "\"signup\"", "", b"\xff\xfe", "[" * 4000])
def test_malformed_json_is_400(client, program, body):
    response = _post(client, program.slug, body)

    assert response.status_code == 400
    assert response.json() == {"error": "malformed", "message": "The body must be a JSON object."}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert Conversion.objects.count() == 0


@pytest.mark.parametrize(("body", "fields"), [
    ({"type": "refund", "order_id": "o-1"}, {"type"}),
    ({"type": "signup", "email": 42}, {"email"}),
    ({"type": "purchase", "email": "a@example.org", "amount": "12.50"}, {"amount"}),
    ({"type": "purchase", "email": "a@example.org", "amount": -1}, {"amount"}),
    ({"type": "purchase", "email": "a@example.org", "amount": True}, {"amount"}),
    ({"type": "signup", "email": "x" * 300}, {"email"}),
    ({"type": "signup"}, {"customer_external_id"}),
    ({"type": "signup", "email": "not-an-email"}, {"email"}),
    ({"type": "purchase", "email": "a@example.org", "amount": 100, "currency": "EUR"}, {"currency"}),
])
def test_invalid_fields_are_422_with_field_errors(client, program, body, fields):
    response = _post(client, program.slug, body)

    assert response.status_code == 422
    payload = response.json()
    assert payload["error"] == "invalid"
    assert set(payload["field_errors"]) == fields
    assert Conversion.objects.count() == 0


def test_unknown_program_is_404_json(client, db):
    response = _post(client, "nope", {"type": "signup", "email": "a@example.org"})

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_oversized_body_is_413(client, program):
    response = _post(client, program.slug, {"type": "signup", "email": "a@example.org", "name": "x" * 5000})

    assert response.status_code == 413
    assert Conversion.objects.count() == 0


def test_events_are_rate_limited_per_ip(client, program, settings):
    settings.CHORUS_RATE_LIMIT_PER_MINUTE = 2
    statuses = [_post(client, program.slug, {"type": "signup", "email": f"f{i}@example.org"}).status_code for i in range(3)]

    assert statuses == [202, 202, 429]
    assert Conversion.objects.count() == 2


def test_events_need_no_csrf_token(program):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = _post(strict, program.slug, {"type": "signup", "email": "a@example.org"})

    assert response.status_code == 202


def test_get_on_events_is_405(client, program):
    assert client.get(f"/t/{program.slug}/events").status_code == 405
