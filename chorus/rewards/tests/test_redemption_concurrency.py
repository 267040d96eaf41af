"""Stock, per-advocate limits and code pools under concurrency (PostgreSQL).

Threads, each with its own database connection, wait on a barrier and redeem at once.
The item row is locked before the advocate row, so the losers see the winner's stock and
get a clear 409 rather than a second item, a negative balance or a code given twice."""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from chorus.core.errors import Conflict
from chorus.rewards import points, redemptions
from chorus.rewards.models import PoolCode, Redemption
from chorus.testing import factories

from .catalog_helpers import give_points, make_item, pooled_item

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency needs PostgreSQL (SQLite serialises writers)"),
]


def race(calls) -> list:
    """Run each call in its own thread and connection at the same moment; results or errors."""
    barrier = threading.Barrier(len(calls))

    def one(call):
        try:
            barrier.wait(timeout=30)
            return call()
        except Conflict as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def outcome(results) -> list[str]:
    return sorted(result.code if isinstance(result, Conflict) else result[0].status for result in results)


@pytest.fixture
def program(transactional_db):
    return factories.make_program(name="Race", slug="race")


def advocates(program, count: int, balance: int):
    people = [factories.make_advocate(program, email=f"racer{n}@example.com") for n in range(count)]
    for person in people:
        give_points(person, balance)
    return people


def test_two_advocates_redeem_the_last_item_at_once(program):
    item = make_item(program, title="Last ticket", stock=1, cost_points=100)
    people = advocates(program, 2, 100)
    results = race([lambda person=person: redemptions.redeem(person, item) for person in people])
    assert outcome(results) == ["out_of_stock", "requested"]
    loser = next(result for result in results if isinstance(result, Conflict))
    assert loser.message == "Sorry, “Last ticket” is out of stock."
    item.refresh_from_db()
    assert (item.stock, Redemption.objects.count()) == (0, 1)
    assert sorted(points.balance(person) for person in people) == [0, 100]


def test_one_advocate_racing_past_the_limit(program):
    item = make_item(program, title="Sticker pack", per_advocate_limit=2, cost_points=10)
    [person] = advocates(program, 1, 1000)
    results = race([lambda: redemptions.redeem(person, item) for _ in range(6)])
    assert outcome(results) == ["limit_reached"] * 4 + ["requested"] * 2
    assert Redemption.objects.filter(advocate=person).count() == 2
    assert points.balance(person) == 980


def test_two_advocates_draw_from_a_pool_of_one_code(program):
    item = pooled_item(program, codes=["ONLY-CODE"])
    people = advocates(program, 2, 500)
    results = race([lambda person=person: redemptions.redeem(person, item) for person in people])
    assert outcome(results) == ["fulfilled", "out_of_stock"]
    winner = next(result[0] for result in results if not isinstance(result, Conflict))
    assert winner.code == "ONLY-CODE"
    assert PoolCode.objects.get().redemption == winner
    assert sorted(points.balance(person) for person in people) == [0, 500]


def test_one_advocate_spends_the_same_points_twice_at_once(program):
    first = make_item(program, title="A", cost_points=80)
    second = make_item(program, title="B", cost_points=80)
    [person] = advocates(program, 1, 100)
    results = race([lambda: redemptions.redeem(person, first), lambda: redemptions.redeem(person, second)])
    assert outcome(results) == ["insufficient_points", "requested"]
    assert points.balance(person) == 20


def test_reject_and_cancel_at_once_return_the_points_once(program):
    item = make_item(program, cost_points=100, stock=3)
    [person] = advocates(program, 1, 100)
    redemption, _ = redemptions.redeem(person, item)
    results = race([lambda: redemptions.reject(redemption.pk, reason="no"),
                    lambda: redemptions.cancel(redemption.pk, reason="moved")])
    assert sum(isinstance(result, Conflict) for result in results) == 1
    assert points.balance(person) == 100
    item.refresh_from_db()
    assert item.stock == 3


def post_at_once(url: str, bodies: list[dict], headers: dict) -> list[tuple[int, dict]]:
    """POST each body at the same moment through the real HTTP stack."""
    barrier = threading.Barrier(len(bodies))

    def one(body):
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json", **headers})
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(one, bodies))


def test_api_last_item_and_retried_key(live_server, program):
    live_server.thread.httpd.socket.listen(40)
    _key, raw = factories.make_api_key(program)
    auth = {"Authorization": f"Bearer {raw}"}
    url = f"{live_server.url}/api/v1/redemptions"
    item = make_item(program, title="Last seat", stock=1, cost_points=100)
    people = advocates(program, 2, 100)
    answers = post_at_once(url, [{"advocate_id": person.pk, "item_id": item.pk} for person in people], auth)
    assert sorted(status for status, _body in answers) == [201, 409]
    assert [body["message"] for status, body in answers if status == 409] == ["Sorry, “Last seat” is out of stock."]

    pooled = pooled_item(program, codes=["C-1", "C-2", "C-3"])
    rich = factories.make_advocate(program, email="rich@example.com")
    give_points(rich, 5000)
    body = {"advocate_id": rich.pk, "item_id": pooled.pk}
    answers = post_at_once(url, [body] * 20, {**auth, "Idempotency-Key": "same-click"})
    created = {answer["id"] for status, answer in answers if status == 201}
    assert len(created) == 1
    assert {status for status, _answer in answers} <= {201, 409}  # 409: "in progress", retry later
    assert Redemption.objects.filter(advocate=rich).count() == 1
    assert points.balance(rich) == 4500
