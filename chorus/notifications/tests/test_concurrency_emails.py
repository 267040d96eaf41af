"""Races on PostgreSQL: simultaneous sends to one address respect the frequency cap exactly;
an A/B campaign started twice at once sends its test once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from chorus.notifications.campaigns import create_campaign, start_campaign
from chorus.notifications.defaults import install_default_templates
from chorus.notifications.marketing import send_marketing_email
from chorus.notifications.models import EmailTemplate, OutboundEmail
from chorus.testing import factories

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
def program(transactional_db):
    program = factories.make_program(name="Race", slug="race", starter_pack=False)
    install_default_templates(program)
    return program


def test_simultaneous_sends_to_one_address_stop_at_the_cap(program, smtp_server):
    send = lambda: send_marketing_email(program, to_email="jane@example.com", template_key="news",  # noqa: E731
                                        context={"link": "https://shop.example.com/"})
    outcomes = race([send] * THREADS)
    assert sum(1 for outcome in outcomes if isinstance(outcome, OutboundEmail)) == 3
    assert sum(1 for outcome in outcomes if outcome is None) == THREADS - 3
    assert sorted(OutboundEmail.objects.values_list("status", flat=True)) == ["capped"] * 5 + ["sent"] * 3
    assert len(smtp_server.wait_for(3)) == 3


def test_a_campaign_started_twice_at_once_sends_once(program, smtp_server):
    for number in range(6):
        factories.make_advocate(program, email=f"p{number}@example.com", name=f"P {number}")
    template = EmailTemplate.objects.get(program=program, key="news")
    campaign = create_campaign(program, name="Race", template_id=template.pk, subject_variants=[])
    outcomes = race([lambda: start_campaign(campaign.pk)] * 4)
    assert sorted(outcomes) == [0, 0, 0, 6]
    assert len(smtp_server.wait_for(6)) == 6
    assert OutboundEmail.objects.filter(campaign=campaign).count() == 6
