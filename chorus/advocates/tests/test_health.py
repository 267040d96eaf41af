"""Health scores: factors, weights, accounts, the task and the daily maintenance hook."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from chorus.advocates.customers import upsert_customer
from chorus.advocates.health import (
    combine,
    recompute_due_health,
    recompute_program_health,
    save_health_settings,
)
from chorus.advocates.models import Account, Customer, HealthSettings
from chorus.advocates.usage import record_usage_event
from chorus.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_score_is_the_weighted_mean_of_the_factors():
    factors = {"activity_30d": (12, 84), "activity_90d": (12, 63), "recency": (0, 100), "revenue": (50, 50),
               "plan": ("Pro", 50), "tenure": (400, 100)}
    weights = {"activity_30d": 30, "activity_90d": 15, "recency": 20, "revenue": 15, "plan": 10, "tenure": 10}
    score, explained = combine(factors, weights)
    # (84·30 + 63·15 + 100·20 + 50·15 + 50·10 + 100·10) / 100 = 77.15
    assert score == 77
    assert explained["activity_30d"] == {"value": 12, "score": 84, "weight": 30, "points": 25.2}
    assert sum(item["points"] for item in explained.values()) == pytest.approx(77.15, abs=0.1)


def test_recompute_scores_customers_and_accounts(program):
    now = timezone.now()
    active, _ = upsert_customer(program, external_id="a", plan="Pro", revenue=90000, account_name="Initech",
                                signed_up_at=now - timedelta(days=730))
    idle, _ = upsert_customer(program, external_id="b", revenue=10000, account_name="Initech",
                              signed_up_at=now - timedelta(days=73))
    record_usage_event(active, "login", occurred_at=now - timedelta(days=1), now=now)
    for day in (40, 50, 60):
        record_usage_event(active, "login", occurred_at=now - timedelta(days=day), now=now)
    record_usage_event(idle, "login", occurred_at=now - timedelta(days=200), now=now)  # too old to count
    assert recompute_program_health(program.pk, now=now) == 2
    active, idle = Customer.objects.get(external_id="a"), Customer.objects.get(external_id="b")
    assert {name: factor["score"] for name, factor in active.health_factors.items()} == {
        "activity_30d": 23, "activity_90d": 39, "recency": 99, "revenue": 100, "plan": 50, "tenure": 100}
    assert active.health_score == round((23 * 30 + 39 * 15 + 99 * 20 + 100 * 15 + 50 * 10 + 100 * 10) / 100)
    assert idle.health_factors["recency"] == {"value": 200, "score": 0, "weight": 20, "points": 0.0}
    assert idle.health_score == round((50 * 15 + 20 * 10) / 100)
    account = Account.objects.get()
    expected = round((active.health_score * 90000 + idle.health_score * 10000) / 100000)
    assert (account.health_score, account.health_factors["customers"]) == (expected, 2)
    assert HealthSettings.objects.get(program=program).computed_at == now


def test_weights_are_checked(program):
    with pytest.raises(InvalidInput) as refused:
        save_health_settings(program, weights={"activity_30d": 101}, plan_scores={"Pro": -1})
    assert set(refused.value.field_errors) == {"activity_30d", "activity_90d", "recency", "revenue", "plan", "tenure",
                                               "plan:Pro"}
    assert not HealthSettings.objects.filter(program=program).exclude(weights={}).exists()


def test_maintenance_queues_due_programs_once_a_day(program):
    customer, _ = upsert_customer(program, external_id="a", plan="Pro")
    out = StringIO()
    call_command("maintenance", stdout=out)  # the immediate backend runs the task at once
    assert "health scores queued for 1 program(s)" in out.getvalue()
    assert Customer.objects.get(pk=customer.pk).health_score == 5  # plan 50 × weight 10 / 100
    assert recompute_due_health() == 0
    assert recompute_due_health(now=timezone.now() + timedelta(hours=25)) == 1
