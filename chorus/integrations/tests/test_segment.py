"""POST /api/v1/integrations/segment: Segment-spec calls, single and batch, through the ingest."""

import base64

import pytest

from chorus.advocates.models import Customer
from chorus.core.errors import InvalidInput
from chorus.integrations.models import InboundEvent
from chorus.integrations.providers.segment.events import minor_units
from chorus.programs.services import revoke_api_key
from chorus.referrals.models import Conversion
from chorus.testing import factories
from chorus.testing.api_client import row_counts

from .segment_fixtures import (
    IDENTIFY,
    ORDER_COMPLETED,
    ORDER_REFUNDED,
    PAGE,
    SIGNED_UP,
    USER_REGISTERED,
    call,
)

URL = "/api/v1/integrations/segment"


@pytest.fixture
def rules(program):
    return factories.make_standard_rules(program)


def post(client, body, *, key: str | None = None, auth: str | None = None):
    headers = {"Authorization": auth if auth is not None else f"Bearer {key}"}
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def basic(username: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def counts() -> dict:
    return {**row_counts(), "InboundEvent": InboundEvent.objects.count()}


def only_result(response) -> dict:
    body = response.json()
    assert len(body["results"]) == 1
    return body["results"][0]


# --- single calls ---------------------------------------------------------------------------

def test_identify_upserts_the_customer(client, api_key):
    response = post(client, IDENTIFY, key=api_key)

    assert response.status_code == 200
    assert only_result(response) == {"index": 0, "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db", "ok": True,
                                     "duplicate": False, "status": "processed", "reason": "customer", "detail": "",
                                     "conversion_id": None}
    customer = Customer.objects.get()
    assert (customer.external_id, customer.email, customer.name) == ("97980cfea0067", "peter@example.com",
                                                                      "Peter Gibbons")


def test_order_completed_is_a_purchase_in_minor_units_attributed_by_referral_code(client, api_key, advocate, rules):
    response = post(client, call(ORDER_COMPLETED, properties={"referral_code": advocate.link.code}), key=api_key)

    assert response.status_code == 200
    purchase = Conversion.objects.get()
    assert only_result(response)["conversion_id"] == purchase.pk
    assert (purchase.type, purchase.amount, purchase.currency, purchase.order_id) == (
        "purchase", 2500, "USD", "50314b8e9bcf000000000000")
    assert (purchase.customer.external_id, purchase.customer.email) == ("97980cfea0067", "peter@example.com")
    assert (purchase.referral.advocate, purchase.referral.reason) == (advocate, "referral_code")
    assert purchase.occurred_at.isoformat() == "2026-01-31T12:00:00+00:00"


def test_order_completed_coupon_is_the_advocates_promo_code(client, api_key, advocate, rules):
    post(client, call(ORDER_COMPLETED, properties={"coupon": advocate.link.promo_code}), key=api_key)

    assert Conversion.objects.get().referral.reason == "promo_code"


def test_total_is_used_when_revenue_is_missing(client, api_key):
    example = call(ORDER_COMPLETED)
    del example["properties"]["revenue"]
    post(client, example, key=api_key)

    assert Conversion.objects.get().amount == 2750


def test_order_refunded_refunds_the_purchase(client, api_key, advocate, rules):
    post(client, call(ORDER_COMPLETED, properties={"referral_code": advocate.link.code}), key=api_key)

    response = post(client, ORDER_REFUNDED, key=api_key)

    assert only_result(response)["reason"] == "refund"
    refund = Conversion.objects.get(type="refund")
    assert (refund.amount, refund.refunded_conversion) == (3000, Conversion.objects.get(type="purchase"))


def test_signed_up_is_a_signup(client, api_key):
    response = post(client, SIGNED_UP, key=api_key)

    assert only_result(response)["reason"] == "signup"
    signup = Conversion.objects.get()
    assert (signup.type, signup.customer.external_id, signup.customer.email) == (
        "signup", "97980cfea0067", "pgibbons@example.com")


@pytest.mark.parametrize("example", [USER_REGISTERED, PAGE], ids=["unknown_track_event", "page_call"])
def test_other_calls_are_accepted_and_ignored(client, api_key, example):
    response = post(client, example, key=api_key)

    assert response.status_code == 200
    assert (only_result(response)["status"], only_result(response)["reason"]) == ("ignored", "unknown_type")
    assert Conversion.objects.count() == Customer.objects.count() == 0
    assert InboundEvent.objects.get().status == "ignored"


def test_same_message_id_acts_once(client, api_key, advocate, rules):
    post(client, call(ORDER_COMPLETED, properties={"referral_code": advocate.link.code}), key=api_key)
    before = counts()

    again = post(client, call(ORDER_COMPLETED, properties={"referral_code": advocate.link.code}), key=api_key)

    assert again.status_code == 200
    assert (only_result(again)["duplicate"], only_result(again)["status"]) == (True, "processed")
    assert counts() == before


def test_refund_of_unknown_order_is_refused_with_422_and_logged(client, api_key):
    response = post(client, ORDER_REFUNDED, key=api_key)

    assert response.status_code == 422
    assert "No purchase with order_id “50314b8e9bcf000000000000”" in response.json()["message"]
    assert Conversion.objects.count() == 0
    assert InboundEvent.objects.get().status == "failed"


def test_bad_amount_is_refused_with_422(client, api_key):
    response = post(client, call(ORDER_COMPLETED, properties={"revenue": "lots"}), key=api_key)

    assert response.status_code == 422
    assert "properties.revenue" in response.json()["message"]
    assert Conversion.objects.count() == 0


@pytest.mark.parametrize("timestamp", ["yesterday", "2026-13-45T12:00:00Z", 42])
def test_bad_timestamp_is_refused_with_422(client, api_key, timestamp):
    response = post(client, call(ORDER_COMPLETED, timestamp=timestamp), key=api_key)

    assert response.status_code == 422
    assert "Use ISO 8601 with a time zone" in response.json()["message"]
    assert Conversion.objects.count() == 0


def test_body_that_is_not_json_is_400(client, api_key):
    assert post(client, "not json", key=api_key).status_code == 400
    assert InboundEvent.objects.count() == 0


# --- batch ----------------------------------------------------------------------------------

def test_batch_reports_each_call(client, api_key, advocate, rules):
    batch = {"batch": [IDENTIFY, call(ORDER_COMPLETED, properties={"referral_code": advocate.link.code}),
                       USER_REGISTERED, "not an object", ORDER_REFUNDED]}

    response = post(client, batch, key=api_key)

    assert response.status_code == 200
    body = response.json()
    assert (body["processed"], body["ignored"], body["failed"]) == (3, 1, 1)
    assert [(item["index"], item["status"], item["reason"]) for item in body["results"]] == [
        (0, "processed", "customer"), (1, "processed", "purchase"), (2, "ignored", "unknown_type"),
        (3, "failed", "invalid"), (4, "processed", "refund")]
    assert Conversion.objects.filter(type="refund").count() == 1


def test_empty_batch_is_422(client, api_key):
    response = post(client, {"batch": []}, key=api_key)
    assert response.status_code == 422 and InboundEvent.objects.count() == 0


# --- authentication -------------------------------------------------------------------------

def test_basic_auth_with_the_key_as_username_works(client, api_key):
    assert post(client, IDENTIFY, auth=basic(api_key)).status_code == 200
    assert Customer.objects.count() == 1


def test_basic_auth_with_the_key_as_password_and_no_username_works(client, api_key):
    assert post(client, IDENTIFY, auth=basic("", api_key)).status_code == 200


@pytest.mark.parametrize("auth", ["", "Bearer chorus_nope_nope", "Basic !!!", "Token abc"])
def test_missing_or_wrong_credentials_are_401_and_record_nothing(client, api_key, auth):
    response = post(client, IDENTIFY, auth=auth)
    assert response.status_code == 401
    assert counts()["InboundEvent"] == Customer.objects.count() == 0


def test_basic_auth_with_a_wrong_key_is_401(client, api_key):
    assert post(client, IDENTIFY, auth=basic("chorus_wrong_key")).status_code == 401


def test_read_only_key_is_403(client, program):
    _key, raw = factories.make_api_key(program, scopes=["read"])
    assert post(client, IDENTIFY, auth=basic(raw)).status_code == 403
    assert Customer.objects.count() == 0


def test_revoked_key_is_401(client, program):
    key, raw = factories.make_api_key(program)
    revoke_api_key(key)
    assert post(client, IDENTIFY, key=raw).status_code == 401


# --- amounts --------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "currency", "expected"), [
    (25.00, "USD", 2500), ("19.99", "EUR", 1999), (1500, "JPY", 1500), ("1.2345", "KWD", 1235), (0.005, "USD", 1),
])
def test_minor_units_use_the_currency_exponent(value, currency, expected):
    assert minor_units(value, currency, "total") == expected


@pytest.mark.parametrize("value", [-1, "abc", True, None, "NaN", "Infinity"])
def test_minor_units_refuse_bad_values(value):
    with pytest.raises(InvalidInput):
        minor_units(value, "USD", "total")
