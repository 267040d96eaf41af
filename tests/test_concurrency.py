"""Concurrent duplicates through the real HTTP stack: exactly one conversion, one reward per
rule, one ledger entry per reward — guaranteed by database constraints, not by timing.

Fifty threads wait on a barrier and then POST the same event at once to a live server,
each request in its own thread and database connection. This needs PostgreSQL: SQLite
takes one writer at a time, so it cannot race the way production does.
"""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from chorus.advocates.models import Customer
from chorus.core.models import IdempotencyRecord
from chorus.referrals.models import Conversion, Referral
from chorus.rewards.models import LedgerEntry, Reward
from chorus.testing import factories

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency needs PostgreSQL (SQLite serialises writers); run with "
               "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/chorus",
    ),
]

REQUESTS = 50


@pytest.fixture
def setup(live_server):
    # Django's test server listens with a backlog of 10, and a burst of 50 connects
    # overflows it (connections reset). Listening again widens the queue (Linux).
    live_server.thread.httpd.socket.listen(REQUESTS * 2)
    program = factories.make_program(name="Race", slug="race", hold_days=0)
    rules = factories.make_standard_rules(program)
    advocate = factories.make_advocate(program, email="jane@example.com", name="Jane Doe")
    _key, raw = factories.make_api_key(program)
    return program, rules, advocate, raw


def fire(url: str, body: dict, headers: dict) -> list[tuple[int, dict, dict]]:
    """POST `body` REQUESTS times at once; (status, headers, json) of each answer."""
    barrier = threading.Barrier(REQUESTS)
    data = json.dumps(body).encode()

    def one(_index):
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/json", **headers})
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read())

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        return list(pool.map(one, range(REQUESTS)))


def assert_recorded_once(rules, advocate, order_id: str) -> None:
    conversion = Conversion.objects.get()
    assert (conversion.type, conversion.order_id, conversion.amount) == ("purchase", order_id, 12_000)
    assert Customer.objects.count() == 1
    assert Referral.objects.get().advocate == advocate
    purchase_rules = [rule for rule in rules if rule.event in ("first_purchase", "purchase")]
    for rule in purchase_rules:
        reward = Reward.objects.get(rule=rule)
        assert (reward.conversion, reward.status) == (conversion, "issued")
        assert LedgerEntry.objects.filter(reward=reward).count() == 1
    assert Reward.objects.count() == len(purchase_rules) == 2
    assert LedgerEntry.objects.count() == 2
    assert sorted(LedgerEntry.objects.values_list("unit", "amount")) == [("credit", 1200), ("points", 500)]


def test_fifty_identical_purchases_record_one_conversion_and_one_reward_per_rule(setup, live_server):
    program, rules, advocate, key = setup
    body = {"type": "purchase", "customer_external_id": "cus_friend", "email": "friend@example.org",
            "amount": 12_000, "order_id": "o-race", "promo_code": advocate.link.promo_code}

    answers = fire(f"{live_server.url}/api/v1/conversions", body, {"Authorization": f"Bearer {key}"})

    statuses = sorted(status for status, _headers, _body in answers)
    assert statuses == [200] * (REQUESTS - 1) + [201]
    conversion = Conversion.objects.get()
    assert {answer["id"] for _status, _headers, answer in answers} == {conversion.pk}
    assert sum(answer["duplicate"] for _status, _headers, answer in answers) == REQUESTS - 1
    assert_recorded_once(rules, advocate, "o-race")


def test_fifty_identical_requests_with_one_idempotency_key_act_once(setup, live_server):
    program, rules, advocate, key = setup
    body = {"type": "purchase", "customer_external_id": "cus_friend", "amount": 12_000, "order_id": "o-key",
            "promo_code": advocate.link.promo_code}
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "race-key-1"}

    answers = fire(f"{live_server.url}/api/v1/conversions", body, headers)

    acted = [answer for status, headers_, answer in answers if status == 201 and "Idempotent-Replayed" not in headers_]
    replayed = [answer for status, headers_, answer in answers if headers_.get("Idempotent-Replayed") == "true"]
    in_progress = [answer for status, _headers, answer in answers if status == 409]
    assert len(acted) == 1
    assert len(acted) + len(replayed) + len(in_progress) == REQUESTS
    assert all(answer == acted[0] for answer in replayed)
    assert all(answer["error"] == "idempotency_key_in_use" for answer in in_progress)
    record = IdempotencyRecord.objects.get()
    assert (record.key, record.completed, record.response_status, record.response_body) == (
        "race-key-1", True, 201, acted[0])
    assert_recorded_once(rules, advocate, "o-key")


def test_fifty_identical_signups_issue_the_friends_discount_once(setup, live_server):
    program, rules, advocate, key = setup
    body = {"type": "signup", "customer_external_id": "cus_friend", "referral_code": advocate.link.code}

    answers = fire(f"{live_server.url}/api/v1/conversions", body, {"Authorization": f"Bearer {key}"})

    assert sorted(status for status, _headers, _body in answers) == [200] * (REQUESTS - 1) + [201]
    signup = Conversion.objects.get()
    reward = Reward.objects.get()
    assert (signup.type, reward.side, reward.kind, reward.status) == ("signup", "friend", "coupon", "issued")
    assert {answer["rewards"][0]["code"] for _status, _headers, answer in answers} == {reward.code}
    assert Customer.objects.count() == Referral.objects.count() == 1
    assert LedgerEntry.objects.count() == 0  # a discount code is not a ledger movement
