"""Two erasures of the same person at once (PostgreSQL): one erases, the others say "already"."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from chorus.advocates.models import Advocate
from chorus.privacy.models import Erasure
from chorus.privacy.services import erase_person
from chorus.testing import factories

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency needs PostgreSQL (SQLite serialises writers)"),
]


@pytest.fixture
def program(transactional_db):
    return factories.make_program(name="Race", slug="race")


def race(calls) -> list:
    barrier = threading.Barrier(len(calls))

    def one(call):
        try:
            barrier.wait(timeout=30)
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def test_simultaneous_erasures_erase_once(program):
    jane = factories.make_advocate(program, email="jane@example.com", name="Jane Doe")
    results = race([lambda: erase_person(program, "jane@example.com", via="api") for _ in range(4)])
    assert sorted(result.already_erased for result in results) == [False, True, True, True]
    assert len({result.erasure.pk for result in results}) == 1 and Erasure.objects.count() == 1
    jane.refresh_from_db()
    assert (jane.status, jane.name, Advocate.objects.filter(email_normalized="jane@example.com").exists()) == (
        "disabled", "", False)
