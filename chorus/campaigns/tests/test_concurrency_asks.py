"""Races on PostgreSQL: simultaneous approvals credit once; simultaneous completions at the
overall limit admit exactly as many as the limit. Each thread has its own connection and
transaction, released together by a barrier (SQLite serialises writers, so it cannot race)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from chorus.campaigns.models import Completion
from chorus.campaigns.services.asks import save_ask
from chorus.campaigns.services.completions import approve_completion, submit_completion
from chorus.core.errors import Conflict
from chorus.rewards.models import LedgerEntry
from chorus.testing import factories

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency needs PostgreSQL; run with DATABASE_URL=postgresql://…"),
]

THREADS = 8


def race(calls):
    """Run each call in its own thread and connection, all released at once; their outcomes."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=30)
            return call()
        except Exception as error:  # the outcome under test
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def setup(transactional_db):
    program = factories.make_program(name="Race", slug="race", starter_pack=False)
    advocates = [factories.make_advocate(program, email=f"a{n}@example.com") for n in range(THREADS)]
    return program, advocates


def test_simultaneous_approvals_credit_once(setup):
    program, advocates = setup
    ask = save_ask(program, {"type": "social_share", "title": "Share", "points": 250, "moderation": "review"})
    completion = submit_completion(ask, advocates[0], {"url": "https://x.com/a/1"}).completion
    outcomes = race([lambda: approve_completion(completion.pk)] * THREADS)
    assert [type(outcome) for outcome in outcomes] == [Completion] * THREADS
    assert list(LedgerEntry.objects.filter(advocate=advocates[0]).values_list("amount", flat=True)) == [250]
    completion.refresh_from_db()
    assert completion.status == "approved"


def test_simultaneous_completions_at_the_limit_admit_one(setup):
    program, advocates = setup
    ask = save_ask(program, {"type": "social_follow", "title": "Follow", "points": 10, "moderation": "auto",
                             "max_completions": 1})
    calls = [lambda advocate=advocate: submit_completion(ask, advocate, {"url": "https://x.com/follow"})
             for advocate in advocates]
    outcomes = race(calls)
    admitted = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(admitted) == 1 and len(refused) == THREADS - 1
    assert {(type(o), o.message) for o in refused} == {
        (Conflict, "This ask is full: it has reached its limit of completions.")}
    assert Completion.objects.filter(ask=ask).count() == 1
    assert LedgerEntry.objects.filter(program=program).count() == 1


def test_one_advocate_completing_twice_at_once_gets_one(setup):
    program, advocates = setup
    ask = save_ask(program, {"type": "social_follow", "title": "Follow", "points": 10, "moderation": "auto"})
    outcomes = race([lambda: submit_completion(ask, advocates[0], {"url": "https://x.com/follow"})] * 4)
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    assert Completion.objects.filter(ask=ask).count() == 1
