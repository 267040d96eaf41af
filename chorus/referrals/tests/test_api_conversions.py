"""POST /api/v1/conversions: recording, attribution, rewards, and every error path."""

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from chorus.core import ratelimit
from chorus.programs.services import revoke_api_key
from chorus.referrals.models import Conversion, Referral
from chorus.rewards.models import LedgerEntry, Reward
from chorus.testing import factories
from chorus.testing.api_client import ApiClient, row_counts

INVALID = "The request has invalid fields."
NOT_JSON_HINT = "Send a JSON object with Content-Type: application/json."


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key)


@pytest.fixture
def rules(program):
    return factories.make_standard_rules(program)


def purchase(**fields) -> dict:
    return {"type": "purchase", "customer_external_id": "cus_friend", "email": "friend@example.org",
            "amount": 12_000, "order_id": "o-1", **fields}


def error(code: str, message: str, **field_errors) -> dict:
    return {"error": code, "message": message, "field_errors": field_errors}


# --- recording -----------------------------------------------------------------------------

def test_signup_with_promo_code_is_attributed_and_returns_the_friends_discount_code(api, advocate, rules):
    response = api.post("/conversions", {"type": "signup", "customer_external_id": "cus_friend",
                                         "email": "friend@example.org", "name": "Fran Friend",
                                         "promo_code": advocate.link.promo_code.lower(),
                                         "occurred_at": "2026-01-31T12:00:00+01:00"})

    assert response.status_code == 201
    conversion = Conversion.objects.get()
    referral = Referral.objects.get()
    reward = Reward.objects.get()
    assert response.json() == {
        "id": conversion.pk, "type": "signup", "duplicate": False, "customer_external_id": "cus_friend",
        "amount": 0, "currency": "USD", "order_id": "", "occurred_at": "2026-01-31T11:00:00Z",
        "attribution": {"referral_id": referral.pk, "advocate_id": advocate.pk, "reason": "promo_code",
                        "review": "clean", "flag": "", "rewardable": True},
        "rewards": [{"id": reward.pk, "side": "friend", "advocate_id": None, "kind": "coupon", "amount": 2000,
                     "currency": "USD", "status": "issued", "hold_until": None, "code": reward.code}],
    }
    assert reward.code.startswith("WELCOME-") and reward.customer.external_id == "cus_friend"


def test_purchase_creates_held_rewards_for_the_advocate(api, advocate, rules):
    response = api.post("/conversions", purchase(referral_code=advocate.link.code.upper()))

    assert response.status_code == 201
    body = response.json()
    assert body["attribution"]["reason"] == "referral_code"
    assert [(r["side"], r["kind"], r["amount"], r["status"]) for r in body["rewards"]] == [
        ("advocate", "points", 500, "pending"), ("advocate", "percent", 1200, "pending")]
    held_until = Reward.objects.get(kind="points").hold_until
    assert body["rewards"][0]["hold_until"] == held_until.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert LedgerEntry.objects.count() == 0  # held for 30 days first


def test_same_order_again_is_a_duplicate_answered_with_200_and_the_first_conversion(api, advocate, rules):
    first = api.post("/conversions", purchase(promo_code=advocate.link.promo_code))
    counts = row_counts()

    again = api.post("/conversions", purchase(promo_code=advocate.link.promo_code))

    assert again.status_code == 200
    assert again.json() == {**first.json(), "duplicate": True}
    assert row_counts() == counts


def test_a_repeat_carrying_a_code_attributes_an_unattributed_purchase_once(api, advocate, rules):
    """E.g. Stripe sends a subscription's invoice before the checkout naming the advocate."""
    first = api.post("/conversions", purchase())
    assert first.json()["attribution"] is None

    late = api.post("/conversions", purchase(promo_code=advocate.link.promo_code))
    counts = row_counts()
    again = api.post("/conversions", purchase(promo_code=advocate.link.promo_code))

    assert late.status_code == 200 and late.json()["duplicate"] is True
    assert (late.json()["id"], late.json()["attribution"]["reason"]) == (first.json()["id"], "promo_code")
    assert [(r["kind"], r["amount"]) for r in late.json()["rewards"]] == [("points", 500), ("percent", 1200)]
    assert again.json() == late.json() and row_counts() == counts


def test_a_second_signup_of_a_customer_with_another_order_id_is_a_duplicate(api, program):
    first = api.post("/conversions", {"type": "signup", "customer_external_id": "cus_friend", "order_id": "s-1"})

    again = api.post("/conversions", {"type": "signup", "customer_external_id": "cus_friend", "order_id": "s-2"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["duplicate"] is True
    assert Conversion.objects.count() == 1


def test_unknown_promo_and_referral_codes_are_accepted_without_attribution(api, advocate, rules):
    """A typo in a code must not lose the sale: it is recorded, just not attributed."""
    response = api.post("/conversions", purchase(promo_code="NOPE-12345", referral_code="no-such-code",
                                                 click_id="forged-click-id"))

    assert response.status_code == 201
    assert response.json()["attribution"] is None
    assert response.json()["rewards"] == []
    assert Conversion.objects.get().referral is None
    assert Referral.objects.count() == Reward.objects.count() == 0


def test_refund_reverses_the_purchase_rewards(api, advocate, rules):
    api.post("/conversions", purchase(promo_code=advocate.link.promo_code))

    response = api.post("/conversions", {"type": "refund", "order_id": "o-1"})

    assert response.status_code == 201
    body = response.json()
    assert (body["type"], body["amount"], body["attribution"]["advocate_id"]) == ("refund", 12_000, advocate.pk)
    assert sorted(r["status"] for r in body["rewards"]) == ["denied", "denied"]
    assert set(Reward.objects.values_list("status", flat=True)) == {"denied"}


def test_partial_refunds_lower_revenue_once_each_and_keep_the_rewards(api, program, advocate, rules):
    from chorus.analytics.dashboard import program_dashboard

    api.post("/conversions", purchase(promo_code=advocate.link.promo_code))  # 120.00
    partial = {"type": "refund", "order_id": "o-1", "refund_id": "re_1", "amount": 2_000}

    first = api.post("/conversions", partial)
    again = api.post("/conversions", partial)  # a retry of the same partial refund
    second = api.post("/conversions", {**partial, "refund_id": "re_2", "amount": 500})

    assert (first.status_code, again.status_code, second.status_code) == (201, 200, 201)
    assert first.json()["rewards"] == [] and set(Reward.objects.values_list("status", flat=True)) == {"pending"}
    refunds = Conversion.objects.filter(type="refund").order_by("pk")
    assert [(row.order_id, row.amount) for row in refunds] == [("o-1#re_1", 2_000), ("o-1#re_2", 500)]
    today = Conversion.objects.get(type="purchase").occurred_at.date()
    assert program_dashboard(program, today, today)["funnel"]["revenue"] == 12_000 - 2_000 - 500

    missing_amount = api.post("/conversions", {**partial, "refund_id": "re_3", "amount": 0})
    assert missing_amount.status_code == 422 and "amount" in missing_amount.json()["field_errors"]


def test_refund_of_an_unknown_order_is_404_and_writes_nothing(api, rules):
    counts = row_counts()

    response = api.post("/conversions", {"type": "refund", "order_id": "o-missing"})

    assert response.status_code == 404
    assert response.json() == error("not_found", "No purchase with order_id “o-missing” in this program.",
                                    order_id=["Unknown order."])
    assert row_counts() == counts


def test_another_programs_promo_code_does_not_attribute(api, outsider, rules):
    from chorus.programs.models import Program

    stranger = factories.make_advocate(Program.objects.get(slug="other-program"), email="stranger@example.com")

    response = api.post("/conversions", purchase(promo_code=stranger.link.promo_code))

    assert response.status_code == 201
    assert response.json()["attribution"] is None


# --- authentication -------------------------------------------------------------------------

def test_missing_key_is_401_json_and_writes_nothing(client, rules):
    counts = row_counts()

    response = ApiClient(client, None).post("/conversions", purchase())

    assert response.status_code == 401
    assert response.json() == error("unauthorized", "Send your API key as Authorization: Bearer chorus_…")
    assert response["WWW-Authenticate"] == 'Bearer realm="chorus"'
    assert row_counts() == counts


@pytest.mark.parametrize("header, message", [
    ("Basic dXNlcjpwYXNz", "Use the Bearer scheme: Authorization: Bearer chorus_…"),
    ("Bearer", "Use the Bearer scheme: Authorization: Bearer chorus_…"),
    ("Bearer chorus_nope_nope", "This API key is not valid or has been revoked."),
    ("Bearer not-a-chorus-key", "This API key is not valid or has been revoked."),
    ("Bearer chorus_\x00bad", "This API key is not valid or has been revoked."),
])
def test_malformed_or_unknown_key_is_401(client, program, header, message):
    response = client.post("/api/v1/conversions", data=json.dumps(purchase()), content_type="application/json",
                           headers={"Authorization": header})

    assert response.status_code == 401
    assert response.json() == error("unauthorized", message)
    assert Conversion.objects.count() == 0


def test_revoked_key_is_401(client, program):
    key, raw = factories.make_api_key(program)
    revoke_api_key(key)

    response = ApiClient(client, raw).post("/conversions", purchase())

    assert response.status_code == 401
    assert response.json() == error("unauthorized", "This API key is not valid or has been revoked.")
    assert Conversion.objects.count() == 0


def test_read_only_key_cannot_post(client, program):
    _key, raw = factories.make_api_key(program, scopes=["read"])

    response = ApiClient(client, raw).post("/conversions", purchase())

    assert response.status_code == 403
    assert response.json() == error("forbidden", "This API key lacks the “write” scope.")
    assert Conversion.objects.count() == 0


def test_rate_limit_per_key_is_429_with_retry_after(api, program, settings, monkeypatch):
    settings.CHORUS_API_RATE_LIMIT_PER_MINUTE = 2
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_010.0))

    statuses = [api.post("/conversions", purchase(order_id=f"o-{n}")).status_code for n in range(2)]
    limited = api.post("/conversions", purchase(order_id="o-3"))

    assert statuses == [201, 201]
    assert limited.status_code == 429
    assert limited["Retry-After"] == "50"
    assert limited.json() == error("rate_limited", "Too many requests with this API key; retry in 50 seconds.")
    assert list(Conversion.objects.order_by("pk").values_list("order_id", flat=True)) == ["o-0", "o-1"]


def test_rate_limit_counts_each_key_separately(client, program, settings, monkeypatch):
    settings.CHORUS_API_RATE_LIMIT_PER_MINUTE = 1
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_070.0))
    first, second = (ApiClient(client, factories.make_api_key(program)[1]) for _ in range(2))

    assert first.post("/conversions", purchase(order_id="a")).status_code == 201
    assert second.post("/conversions", purchase(order_id="b")).status_code == 201
    assert first.post("/conversions", purchase(order_id="c")).status_code == 429


# --- malformed bodies and wrong types -------------------------------------------------------------

@pytest.mark.parametrize("body, message", [
    (b'{"type": "purchase",', "The request body is not valid JSON (line 1, column 21). " + NOT_JSON_HINT),
    (b"type=purchase&amount=5", "The request body is not valid JSON (line 1, column 1). " + NOT_JSON_HINT),
    (b'["purchase"]', "The request body must be a JSON object. " + NOT_JSON_HINT),
    (b'"purchase"', "The request body must be a JSON object. " + NOT_JSON_HINT),
    (b'{"type": "purchase", "amount": NaN}', "The request body is not valid JSON. " + NOT_JSON_HINT),
    (b'{"type": "purchase", "amount": Infinity}', "The request body is not valid JSON. " + NOT_JSON_HINT),
    (b'{"type": "\xff\xfe"}', "The request body is not valid JSON. " + NOT_JSON_HINT),
    (b"[" * 100_000, "The request body is not valid JSON. " + NOT_JSON_HINT),
    (b"", "The request body is empty. " + NOT_JSON_HINT),
])
def test_malformed_body_is_400_and_writes_nothing(api, program, body, message):
    counts = row_counts()

    response = api.post("/conversions", body)

    assert response.status_code == 400
    assert response.json() == error("malformed_body", message)
    assert row_counts() == counts


def test_a_body_over_the_upload_limit_is_413(api, program, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = api.post("/conversions", purchase(metadata={"notes": "x" * 10_000}))

    assert response.status_code == 413
    assert response.json() == error("too_large", "The request body is too large.")
    assert Conversion.objects.count() == 0


def test_csrf_does_not_apply_to_the_api(program, api_key):
    from django.test import Client

    strict = ApiClient(Client(enforce_csrf_checks=True), api_key)

    assert strict.post("/conversions", purchase()).status_code == 201


def test_form_encoded_post_is_400(client, api_key, program):
    response = client.post("/api/v1/conversions", data={"type": "purchase"},
                           headers={"Authorization": f"Bearer {api_key}"})

    assert response.status_code == 400
    assert response.json()["error"] == "malformed_body"
    assert Conversion.objects.count() == 0


AMOUNT = "Amounts are whole numbers in minor units, e.g. 1250 for 12.50 (not decimals or strings)."


@pytest.mark.parametrize("fields, field_errors", [
    ({"amount": "12.5"}, {"amount": [AMOUNT]}),
    ({"amount": 12.5}, {"amount": [AMOUNT]}),
    ({"amount": 12.0}, {"amount": [AMOUNT]}),
    ({"amount": "1200"}, {"amount": [AMOUNT]}),
    ({"amount": True}, {"amount": [AMOUNT]}),
    ({"amount": -1}, {"amount": ["Use a number of at least 0."]}),
    ({"amount": 10**13}, {"amount": ["Use a number of at most 1000000000000."]}),
    ({"type": "upsell"}, {"type": ["Use one of: 'signup', 'purchase' or 'refund'."]}),
    ({"type": None}, {"type": ["Use one of: 'signup', 'purchase' or 'refund'."]}),
    ({"order_id": 42}, {"order_id": ["Enter text."]}),
    ({"order_id": "x" * 101}, {"order_id": ["Use at most 100 characters."]}),
    ({"name": "Fran\x00"}, {"name": ["Text may not contain NUL characters."]}),
    ({"name": "\ud800"}, {"name": ["Text must be valid Unicode."]}),
    ({"occurred_at": "2026-01-31T12:00:00"}, {"occurred_at": ["Give a time zone, e.g. 2026-01-31T12:00:00Z or +02:00."]}),
    ({"occurred_at": "2026-01-31"}, {"occurred_at": ["Give a time zone, e.g. 2026-01-31T12:00:00Z or +02:00."]}),
    ({"occurred_at": "yesterday"}, {"occurred_at": ["Use an ISO 8601 date and time with a time zone, e.g. 2026-01-31T12:00:00Z."]}),
    ({"occurred_at": 1767225600}, {"occurred_at": ["Use an ISO 8601 date and time with a time zone, e.g. 2026-01-31T12:00:00Z."]}),
    ({"occurred_at": "0001-01-01T00:00:00+01:00"}, {"occurred_at": ["Use a date between the years 2000 and 2999."]}),
    ({"metadata": ["not", "an", "object"]}, {"metadata": ["Enter a JSON object."]}),
    ({"metadata": {"a\x00": 1}}, {"metadata": ["Text may not contain NUL characters."]}),
    ({"metadata": {"deep": json.loads("[" * 20 + "]" * 20)}}, {"metadata": ["Metadata may nest at most 16 levels deep."]}),
    ({"ammount": 5}, {"ammount": ["Unknown field."]}),
    ({"amount": "12.5", "currency": 840, "occurred_at": "soon"}, {
        "amount": [AMOUNT], "currency": ["Enter text."],
        "occurred_at": ["Use an ISO 8601 date and time with a time zone, e.g. 2026-01-31T12:00:00Z."]}),
])
def test_wrong_types_are_422_with_field_errors_and_write_nothing(api, program, fields, field_errors):
    counts = row_counts()

    response = api.post("/conversions", purchase(**fields))

    assert response.status_code == 422
    assert response.json() == error("invalid", INVALID, **field_errors)
    assert row_counts() == counts


def test_missing_type_is_422(api, program):
    response = api.post("/conversions", {"email": "friend@example.org"})

    assert response.status_code == 422
    assert response.json() == error("invalid", INVALID, type=["This field is required."])


@pytest.mark.parametrize("fields, field_errors", [
    ({"email": "not-an-email"}, {"email": ["An email address must have an @-sign."]}),
    ({"currency": "EUR"}, {"currency": ["This program counts in USD."]}),
    ({"currency": "E1"}, {"currency": ["Use a three-letter ISO 4217 code such as USD."]}),
    ({"customer_external_id": "", "email": ""}, {"customer_external_id": ["Give customer_external_id or email."]}),
])
def test_invalid_values_caught_by_the_service_are_422(api, program, fields, field_errors):
    counts = row_counts()

    response = api.post("/conversions", purchase(**fields))

    assert response.status_code == 422
    assert response.json() == error("invalid", "The conversion has invalid fields.", **field_errors)
    assert row_counts() == counts


def test_future_time_is_422(api, program):
    later = (timezone.now() + timedelta(days=2)).isoformat()

    response = api.post("/conversions", purchase(occurred_at=later))

    assert response.status_code == 422
    assert response.json()["field_errors"] == {"occurred_at": ["This time is in the future."]}


def test_oversized_metadata_is_422_and_writes_nothing(api, program, settings):
    counts = row_counts()

    response = api.post("/conversions", purchase(metadata={"notes": "x" * settings.CHORUS_METADATA_MAX_BYTES}))

    assert response.status_code == 422
    assert response.json() == error("invalid", "The conversion has invalid fields.",
                                    metadata=["Metadata is limited to 4096 bytes of JSON."])
    assert row_counts() == counts


def test_metadata_within_the_cap_is_kept(api, program):
    response = api.post("/conversions", purchase(metadata={"plan": "pro", "seats": 5, "tags": ["a", None]}))

    assert response.status_code == 201
    assert Conversion.objects.get().metadata == {"plan": "pro", "seats": 5, "tags": ["a", None]}


def test_nulls_for_optional_fields_mean_empty(api, program):
    response = api.post("/conversions", purchase(name=None, click_id=None, promo_code=None, currency=None,
                                                 occurred_at=None, metadata=None))

    assert response.status_code == 201
    conversion = Conversion.objects.get()
    assert (conversion.currency, conversion.metadata, conversion.customer.name) == ("USD", {}, "")


# --- the rest of the API answers JSON too ----------------------------------------------------------

def test_unknown_api_path_is_json_404(api):
    response = api.get("/no/such/thing")

    assert response.status_code == 404
    assert response.json() == error("not_found", "There is no API endpoint at this address.")


def test_wrong_method_is_json_405(api):
    response = api.client.put("/api/v1/conversions/batch", headers={"Authorization": f"Bearer {api.key}"})

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == error("method_not_allowed", "Use one of these methods: POST.")


def test_openapi_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert schema["info"]["title"] == "Chorus API"
    assert {"/api/v1/conversions", "/api/v1/conversions/batch", "/api/v1/advocates",
            "/api/v1/advocates/{advocate_id}", "/api/v1/advocates/{advocate_id}/rewards",
            "/api/v1/advocates/{advocate_id}/ledger"} <= set(schema["paths"])
    assert schema["components"]["schemas"]["ConversionIn"]["examples"][0]["type"] == "purchase"
    assert client.get("/api/v1/docs").status_code == 200


def test_link_qr_codes_are_public_images(client, advocate):
    svg = client.get(f"/api/v1/links/{advocate.link.code}/qr.svg")
    png = client.get(f"/api/v1/links/{advocate.link.code}/qr.png")

    assert (svg.status_code, svg["Content-Type"]) == (200, "image/svg+xml")
    assert svg.content.startswith(b"<svg")
    assert (png.status_code, png["Content-Type"]) == (200, "image/png")
    assert png.content.startswith(b"\x89PNG")
    missing = client.get("/api/v1/links/nope/qr.svg")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")


# --- no input yields a 500 ---------------------------------------------------------------------

ODD_VALUES = [None, True, False, 0, -1, 7, 1.5, 10**30, -(10**30), "", " ", "x" * 300, "\x00", "\ud800", "NaN",
              "2026-01-31T12:00:00Z", "2026-01-31T12:00:00+14:00", "9999-12-31T23:59:59-12:00", "purchase",
              "refund", "signup", "USD", "usd", "€€€", "a@b.c", "o-1", [], [1, {"a": None}], {}, {"k": "\x00"},
              {"k": [{"k": {}}]}]
FIELDS = ["type", "customer_external_id", "email", "name", "click_id", "promo_code", "referral_code", "amount",
          "currency", "order_id", "occurred_at", "metadata"]


def odd_bodies(count: int, seed: int) -> list[dict]:
    """Valid events with one to three fields swapped for odd values."""
    import random

    rng = random.Random(seed)
    bases = [purchase(), purchase(order_id="o-2", email=""), {"type": "signup", "email": "s@example.org"},
             {"type": "refund", "order_id": "o-1"}]
    bodies = []
    for n in range(count):
        body = {**rng.choice(bases), "order_id": f"o-{n % 7}"}
        for field in rng.sample(FIELDS, rng.randint(1, 3)):
            body[field] = rng.choice(ODD_VALUES)
        bodies.append(body)
    return bodies


def test_no_input_yields_a_500(api, advocate, rules):
    bodies = odd_bodies(150, seed=20260131)
    statuses = [api.post("/conversions", body).status_code for body in bodies]
    batch = api.post("/conversions/batch", {"conversions": odd_bodies(100, seed=7)})
    advocates = [api.post("/advocates", {key: body.get(key) for key in ("email", "name") if key in body}).status_code
                 for body in bodies[:40]]

    assert max(statuses + advocates) < 500
    assert batch.status_code == 200
    assert max(item["status"] for item in batch.json()["results"]) < 500
    assert {201, 422} <= set(statuses)
