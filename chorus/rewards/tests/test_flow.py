from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.referrals.services.clicks import handle_click
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.rewards import services
from chorus.rewards.models import LedgerEntry, Reward
from chorus.testing import factories


@pytest.fixture
def rules(program):
    return factories.make_standard_rules(program)


def test_click_signup_purchase_hold_issue_refund(program, advocate, rules):
    outcome = handle_click(advocate.link.code, ip="203.0.113.9", user_agent="Mozilla/5.0 (X11; Linux) Firefox/120", referrer="")
    assert outcome.status == 302 and "chorus_click=" in outcome.location
    signup = record_conversion(program, ConversionInput(type="signup", customer_external_id="cus_friend",
                                                         email="friend@example.org", click_id=outcome.token))
    assert signup.conversion.referral.advocate == advocate
    friend_reward = signup.rewards[0]
    assert friend_reward.side == "friend" and friend_reward.status == "issued" and friend_reward.code
    purchase = record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_friend",
                                                           amount=12_000, order_id="o-1"))
    assert sorted((r.kind, r.amount, r.status) for r in purchase.rewards) == [("percent", 1200, "pending"), ("points", 500, "pending")]
    assert services.release_due_rewards() == 0
    later = timezone.now() + timedelta(days=31)
    assert services.release_due_rewards(later) == 2
    assert services.balance(advocate, "points") == 500
    assert services.balance(advocate, "credit") == 1200
    refund = record_conversion(program, ConversionInput(type="refund", order_id="o-1"))
    assert {r.status for r in refund.rewards} == {"clawed_back"}
    assert services.balance(advocate, "points") == 0
    assert LedgerEntry.objects.filter(advocate=advocate).count() == 4
    assert Reward.objects.filter(status="clawed_back").count() == 2
