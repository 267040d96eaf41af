"""Winning a lead under concurrency (PostgreSQL): threads with their own connections wait on a
barrier and act at once; exactly one reward comes out."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from chorus.core.errors import Conflict
from chorus.referrals.models import Conversion, Lead
from chorus.referrals.services.leads import LeadInput, create_lead, reward_won_lead, update_lead
from chorus.rewards.models import LedgerEntry, Reward, RewardRule
from chorus.testing import factories

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency needs PostgreSQL (SQLite serialises writers)"),
]


def race(calls) -> list:
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


@pytest.fixture
def qualified(transactional_db):
    program = factories.make_program(name="Race", slug="race")
    factories.make_rule(program, name="Per won deal", event=RewardRule.Event.LEAD_WON, amount=1000)
    advocate = factories.make_advocate(program, email="jane@example.com")
    lead = create_lead(program, LeadInput(name="Sam", company="Globex", email="sam@globex.example", consent=True,
                                          advocate=advocate), entered_via="console")
    update_lead(lead, stage="qualified")
    return lead


def test_concurrent_wins_give_one_reward(qualified):
    results = race([lambda: update_lead(Lead.objects.select_related("program__workspace", "advocate").get(pk=qualified.pk),
                                        stage="won", deal_value=5000) for _ in range(4)])
    winners = [result for result in results if isinstance(result, Lead)]
    losers = [result for result in results if isinstance(result, Conflict)]
    assert (len(winners), sorted(loser.code for loser in losers)) == (1, ["lead_moved"] * 3)
    assert (Conversion.objects.filter(type="lead_won").count(), Reward.objects.count(), LedgerEntry.objects.count()) == (1, 1, 1)


def test_concurrent_reward_steps_record_one_conversion(qualified):
    Lead.objects.filter(pk=qualified.pk).update(stage="won", deal_value=5000)
    results = race([lambda: reward_won_lead(Lead.objects.select_related("program", "advocate").get(pk=qualified.pk))
                    for _ in range(4)])
    assert sorted(len(result) for result in results) == [0, 0, 0, 1]
    assert (Conversion.objects.filter(type="lead_won").count(), Reward.objects.count()) == (1, 1)
