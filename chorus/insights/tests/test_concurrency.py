"""Races on PostgreSQL: the same survey submitted at once stores one response; the same API
answer (same external_id) sent at once stores one. Each thread has its own connection."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from chorus.insights import surveys
from chorus.insights.models import NpsResponse
from chorus.insights.nps import record_api_response, submit_survey
from chorus.testing import factories

from .conftest import make_customer

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency needs PostgreSQL; run with DATABASE_URL=postgresql://…"),
]

THREADS = 6


def race(calls):
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
    return program, make_customer(program, email="ana@example.com", external_id="cus_ana", name="Ana")


def test_simultaneous_submissions_of_one_survey_store_one_response(setup):
    program, customer = setup
    send = surveys.send_survey(program, customer_ids=[customer.pk]).sends.get()

    outcomes = race([lambda score=score: submit_survey(send, score=score) for score in range(THREADS)])

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert sorted(created for _response, created in outcomes) == [False] * (THREADS - 1) + [True]
    assert NpsResponse.objects.count() == 1


def test_simultaneous_api_answers_with_one_external_id_store_one(setup):
    program, _customer = setup

    outcomes = race([lambda: record_api_response(program, score=9, customer_external_id="cus_ana", external_id="tf-1")]
                    * THREADS)

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert sorted(created for _response, created in outcomes) == [False] * (THREADS - 1) + [True]
    assert NpsResponse.objects.count() == 1
