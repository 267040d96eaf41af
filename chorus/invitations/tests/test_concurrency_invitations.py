"""Races on PostgreSQL: one invitation link pressed many times at once makes one advocate; the
same customer invited from many requests at once gets one invitation and one email."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from chorus.advocates.models import Advocate
from chorus.core.errors import Gone
from chorus.invitations.models import Invitation
from chorus.invitations.services import accept_invitation, invite_customers
from chorus.notifications.models import OutboundEmail
from chorus.testing import factories

from .conftest import make_customer

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency needs PostgreSQL; run with DATABASE_URL=postgresql://…"),
]

THREADS = 8


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
    program = factories.make_program(name="Race", slug="race")
    return program, make_customer(program, "ana@example.pl", "Ana Nowak", language="pl")


def test_simultaneous_joins_make_one_advocate(setup):
    program, customer = setup
    [invitation] = invite_customers(program, [customer]).invited
    raw = OutboundEmail.objects.get(pk=invitation.outbound_email_id).context["link"].rstrip("/").rsplit("/", 1)[1]

    outcomes = race([lambda: accept_invitation(program, raw)] * THREADS)

    advocates = [outcome for outcome in outcomes if isinstance(outcome, Advocate)]
    assert len(advocates) == 1
    assert [type(outcome) for outcome in outcomes if not isinstance(outcome, Advocate)] == [Gone] * (THREADS - 1)
    assert Advocate.objects.filter(program=program).count() == 1
    assert Invitation.objects.get().advocate == advocates[0]


def test_simultaneous_invitations_send_once(setup):
    program, customer = setup

    outcomes = race([lambda: invite_customers(program, [customer])] * THREADS)

    assert sorted(len(outcome.invited) for outcome in outcomes) == [0] * (THREADS - 1) + [1]
    assert sum(len(outcome.already_invited) for outcome in outcomes) == THREADS - 1
    assert Invitation.objects.count() == 1
    assert OutboundEmail.objects.filter(template_key="invitation").count() == 1
