"""POST /api/v1/conversions/batch: per-item results, bad items isolated, the 1,000 cap."""

import pytest

from chorus.referrals.models import Conversion
from chorus.rewards.models import Reward
from chorus.testing import factories
from chorus.testing.api_client import ApiClient, row_counts

AMOUNT = "Amounts are whole numbers in minor units, e.g. 1250 for 12.50 (not decimals or strings)."


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key)


def purchase(order_id: str, **fields) -> dict:
    return {"type": "purchase", "customer_external_id": f"cus_{order_id}", "amount": 5000, "order_id": order_id,
            **fields}


def test_mixed_batch_records_good_items_and_reports_each_bad_one(api, advocate):
    factories.make_standard_rules(advocate.program)
    items = [
        purchase("o-1", promo_code=advocate.link.promo_code),
        purchase("o-2", amount="12.5"),
        "not an object",
        {"type": "refund", "order_id": "o-unknown"},
        purchase("o-1", promo_code=advocate.link.promo_code),  # the same order again
        purchase("o-3", currency="EUR"),
        purchase("o-4", occurred_at="2026-01-31T12:00:00Z"),
    ]

    response = api.post("/conversions/batch", {"conversions": items})

    assert response.status_code == 200
    body = response.json()
    assert (body["recorded"], body["duplicates"], body["failed"]) == (2, 1, 4)
    assert [(item["index"], item["ok"], item["status"]) for item in body["results"]] == [
        (0, True, 201), (1, False, 422), (2, False, 422), (3, False, 404), (4, True, 200), (5, False, 422),
        (6, True, 201)]
    first, duplicate = body["results"][0], body["results"][4]
    assert first["error"] is None and first["result"]["order_id"] == "o-1"
    assert first["result"]["attribution"]["advocate_id"] == advocate.pk
    assert duplicate["result"] == {**first["result"], "duplicate": True}
    assert [body["results"][index]["result"] for index in (1, 2, 3, 5)] == [None] * 4
    assert [body["results"][index]["error"] for index in (1, 2, 3, 5)] == [
        {"error": "invalid", "message": "The request has invalid fields.", "field_errors": {"amount": [AMOUNT]}},
        {"error": "invalid", "message": "The request has invalid fields.", "field_errors": {"body": ["Enter a JSON object."]}},
        {"error": "not_found", "message": "No purchase with order_id “o-unknown” in this program.",
         "field_errors": {"order_id": ["Unknown order."]}},
        {"error": "invalid", "message": "The conversion has invalid fields.",
         "field_errors": {"currency": ["This program counts in USD."]}},
    ]
    assert sorted(Conversion.objects.values_list("order_id", flat=True)) == ["o-1", "o-4"]
    assert Reward.objects.filter(conversion__order_id="o-1").count() == 2


def test_over_1000_items_is_422_and_writes_nothing(api, program):
    counts = row_counts()

    response = api.post("/conversions/batch", {"conversions": [purchase(f"o-{n}") for n in range(1001)]})

    assert response.status_code == 422
    assert response.json() == {"error": "invalid", "message": "The request has invalid fields.", "field_errors": {
        "conversions": ["Send between 1 and 1000 conversions per request (got 1001)."]}}
    assert row_counts() == counts


def test_exactly_1000_items_are_accepted(api, program):
    response = api.post("/conversions/batch", {"conversions": [{"type": "purchase"}] * 1000})

    assert response.status_code == 200
    body = response.json()
    assert (body["recorded"], body["failed"], len(body["results"])) == (0, 1000, 1000)
    assert body["results"][999]["error"]["field_errors"] == {
        "customer_external_id": ["Give customer_external_id or email."]}


@pytest.mark.parametrize("body, field_errors", [
    ({"conversions": []}, {"conversions": ["Send between 1 and 1000 conversions per request (got 0)."]}),
    ({"conversions": {"type": "purchase"}}, {"conversions": ["Send the conversions as a JSON array."]}),
    ({}, {"conversions": ["This field is required."]}),
    ({"conversions": [purchase("o-1")], "dry_run": True}, {"dry_run": ["Unknown field."]}),
])
def test_a_malformed_envelope_is_422_and_writes_nothing(api, program, body, field_errors):
    counts = row_counts()

    response = api.post("/conversions/batch", body)

    assert response.status_code == 422
    assert response.json() == {"error": "invalid", "message": "The request has invalid fields.",
                               "field_errors": field_errors}
    assert row_counts() == counts


def test_a_batch_needs_an_api_key(client, program):
    response = ApiClient(client, None).post("/conversions/batch", {"conversions": [purchase("o-1")]})

    assert response.status_code == 401
    assert Conversion.objects.count() == 0
