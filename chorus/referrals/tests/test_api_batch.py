"""POST /api/v1/conversions/batch: per-item results, bad items isolated, the 1,000 cap."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.advocates.models import Customer
from chorus.referrals.models import Conversion
from chorus.rewards.models import LedgerEntry, Reward
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


def friends_events(advocates: list, count: int) -> list[dict]:
    """`count` events: friends signing up (by click, promo code, referral code, or nothing) and
    buying, two in five a second time — each friend's events in order, as the benchmark sends."""
    from chorus.referrals.tests.test_attribution import click_token

    events, number = [], 0
    while len(events) < count:
        advocate = advocates[number % len(advocates)]
        friend = {"customer_external_id": f"cus_{count}_{number}", "email": f"f{number}.{count}@example.org"}
        kind = number % 10
        codes = ({"click_id": click_token(advocate, timezone.now() - timedelta(hours=1), visitor=f"v{count}-{number}")}
                 if kind < 5 else {"promo_code": advocate.link.promo_code} if kind < 8
                 else {"referral_code": advocate.link.code} if kind < 9 else {})
        events += [{"type": "signup", **friend, **codes},
                   {"type": "purchase", **friend, "amount": 5000, "order_id": f"o-{count}-{number}-1"}]
        if number % 5 < 2:
            events.append({"type": "purchase", **friend, "amount": 12000, "order_id": f"o-{count}-{number}-2"})
        number += 1
    return events[:count]


def test_a_batch_costs_the_same_number_of_queries_whatever_its_size(api, program):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    program.hold_days = 0  # rewards issued at once: ledger entries written too
    program.save()
    factories.make_standard_rules(program)
    advocates = [factories.make_advocate(program, email=f"adv{n}@example.com") for n in range(5)]
    api.post("/conversions/batch", {"conversions": friends_events(advocates, 3)})  # the API key's last use noted
    queries = {}
    for size in (30, 100):  # each with friends who came by click, promo code, referral code and no code
        events = friends_events(advocates, size)
        with CaptureQueriesContext(connection) as captured:
            response = api.post("/conversions/batch", {"conversions": events})
        assert response.status_code == 200
        assert (response.json()["recorded"], response.json()["failed"]) == (size, 0)
        queries[size] = len(captured)

    assert queries[30] == queries[100]
    # auth, savepoint, 8 reads (customers, conversions, clicks and the clicks of their visitors, rules,
    # links, claims — read because some friends came with no code), 5 bulk inserts (all friends new),
    # the live refer-a-friend asks (one read, since referred conversions arrived), and revenue
    # credit: 2 reads (the referral clicks' visitors, their clicks) and 1 bulk insert; the dashboard's
    # rollups: the referral clicks' referrers (their channel), 3 grouped upserts (day × channel,
    # advocate × day, advocate)
    assert queries[100] == 23
    assert Conversion.objects.count() == 133
    assert LedgerEntry.objects.filter(reward__conversion__order_id__startswith="o-100-").count() > 0


def outcome(item: dict) -> tuple:
    """An item's answer without the ids and codes that differ between two runs."""
    result = item["result"] or {}
    attribution = result.get("attribution") or {}
    return (item["status"], result.get("type"), result.get("duplicate"), attribution.get("reason"),
            attribution.get("flag"), [(r["side"], r["kind"], r["amount"], r["status"]) for r in result.get("rewards", [])])


def friend_story(advocate) -> list[dict]:
    friend = {"customer_external_id": "cus_story", "email": "story@example.org"}
    return [
        {"type": "signup", **friend, "promo_code": advocate.link.promo_code},
        {"type": "purchase", **friend, "amount": 5000, "order_id": "o-1"},
        {"type": "purchase", **friend, "amount": 5000, "order_id": "o-1"},
        {"type": "purchase", "email": "story@example.org", "amount": 12000, "order_id": "o-2"},
        {"type": "refund", "order_id": "o-2"},
        {"type": "purchase", **friend, "amount": 8000, "order_id": "o-3"},
        {"type": "signup", "customer_external_id": "cus_self", "email": advocate.email, "promo_code": advocate.link.promo_code},
    ]


def test_a_batch_answers_exactly_as_the_same_events_sent_one_by_one(client, workspace):
    answers = {}
    for way in ("batch", "singles"):
        program = factories.make_program(workspace, name=way, slug=way, hold_days=0)
        factories.make_standard_rules(program)
        advocate = factories.make_advocate(program, email=f"jane.{way}@example.com")
        _key, raw = factories.make_api_key(program)
        api = ApiClient(client, raw)
        if way == "batch":
            answers[way] = [outcome(item) for item in api.post("/conversions/batch", {"conversions": friend_story(advocate)}).json()["results"]]
        else:
            answers[way] = [outcome({"status": response.status_code, "result": response.json()})
                            for response in (api.post("/conversions", event) for event in friend_story(advocate))]

    assert answers["batch"] == answers["singles"]
    assert answers["batch"] == [
        (201, "signup", False, "promo_code", "", [("friend", "coupon", 2000, "issued")]),
        (201, "purchase", False, "promo_code", "", [("advocate", "points", 500, "issued"), ("advocate", "percent", 500, "issued")]),
        (200, "purchase", True, "promo_code", "", [("advocate", "points", 500, "issued"), ("advocate", "percent", 500, "issued")]),
        (201, "purchase", False, "promo_code", "", [("advocate", "percent", 1200, "issued")]),
        (201, "refund", False, "promo_code", "", [("advocate", "percent", 1200, "clawed_back")]),
        (201, "purchase", False, "promo_code", "", [("advocate", "percent", 800, "issued")]),
        (201, "signup", False, "promo_code", "self_referral", [("friend", "coupon", 2000, "pending")]),
    ]


def test_a_batch_that_meets_a_concurrent_duplicate_is_recorded_item_by_item(api, advocate, monkeypatch):
    """Another request records order o-2 after the batch has read and before it writes: the
    bulk INSERT is refused, and the items are recorded one by one — o-2 as a duplicate."""
    from chorus.referrals.services import batch as batch_module

    factories.make_standard_rules(advocate.program)
    load = batch_module.ConversionBatch._load

    def the_other_request_records_o_2(program):
        customer = Customer.objects.create(program=program, external_id="cus_o-2", first_seen_at=timezone.now())
        Conversion.objects.create(program=program, type="purchase", customer=customer, amount=5000,
                                  order_id="o-2", occurred_at=timezone.now())

    def load_then_lose_the_race(self, items):
        # one connection cannot race itself: the other request's row is written inside the batch's
        # transaction (so the rollback removes it), then again as committed before the retries
        if len(items) == 1 and not Conversion.objects.filter(order_id="o-2").exists():
            the_other_request_records_o_2(self.program)
        load(self, items)
        if len(items) > 1:
            the_other_request_records_o_2(self.program)

    monkeypatch.setattr(batch_module.ConversionBatch, "_load", load_then_lose_the_race)

    response = api.post("/conversions/batch", {"conversions": [
        purchase("o-1", promo_code=advocate.link.promo_code), purchase("o-2"), purchase("o-3")]})

    body = response.json()
    assert [(item["status"], item["result"]["order_id"]) for item in body["results"]] == [
        (201, "o-1"), (200, "o-2"), (201, "o-3")]
    assert sorted(Conversion.objects.values_list("order_id", flat=True)) == ["o-1", "o-2", "o-3"]
    assert Customer.objects.count() == 3
    assert Reward.objects.filter(conversion__order_id="o-1").count() == 2
