"""The funnel and per-advocate counts, exact, on a small history built through the real services."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chorus.analytics.services import funnel, search_advocates
from chorus.referrals.models import Referral
from chorus.referrals.services.clicks import forget_cached_links, handle_click
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.rewards.models import RewardRule
from chorus.rewards.services import review_referral
from chorus.testing import factories

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def click(link, ip, user_agent):
    outcome = handle_click(link.code, ip=ip, user_agent=user_agent, referrer="")
    assert outcome.status == 302
    return outcome.token


def convert(program, **fields):
    return record_conversion(program, ConversionInput(**fields))


@pytest.fixture
def history(program, advocate, owner, outsider):
    """Today: 4 human clicks (3 unique) + 1 bot click; friend 1 signs up and buys 50.00 through
    Jane's link; Bob's friend 2 bought 30.00 two days ago and gets 10.00 refunded today; Jane's
    own signup (a self-referral) is denied; a non-referred purchase and another program's click
    and a purchase 40 days ago must not count in a one-week funnel."""
    cache.clear()
    forget_cached_links()
    factories.make_rule(program, name="100 points per signup", event=RewardRule.Event.SIGNUP, amount=100)
    bob = factories.make_advocate(program, email="bob@example.com", name="Bob Stone")
    now = timezone.now()
    jane_first = click(advocate.link, "203.0.113.1", FIREFOX)
    click(advocate.link, "203.0.113.1", FIREFOX)  # the same visitor again: not unique
    click(advocate.link, "203.0.113.2", IPHONE)
    click(advocate.link, "203.0.113.3", GOOGLEBOT)  # a bot: not counted
    click(bob.link, "203.0.113.4", FIREFOX)
    convert(program, type="signup", customer_external_id="friend-1", email="friend1@example.org", click_id=jane_first)
    convert(program, type="purchase", customer_external_id="friend-1", amount=5000, order_id="o-1")
    two_days_ago = now - timedelta(days=2)
    convert(program, type="signup", customer_external_id="friend-2", promo_code=bob.link.promo_code, occurred_at=two_days_ago)
    convert(program, type="purchase", customer_external_id="friend-2", amount=3000, order_id="o-2", occurred_at=two_days_ago)
    convert(program, type="refund", order_id="o-2", amount=1000)
    convert(program, type="purchase", customer_external_id="old-friend", promo_code=bob.link.promo_code,
            amount=7000, order_id="o-old", occurred_at=now - timedelta(days=40))
    convert(program, type="purchase", customer_external_id="walk-in", amount=9999, order_id="o-3")
    self_signup = convert(program, type="signup", email="jane@example.com", promo_code=advocate.link.promo_code)
    assert self_signup.conversion.referral.flag == Referral.Flag.SELF_REFERRAL
    review_referral(self_signup.conversion.referral.pk, approve=False, user=owner, note="Own account")
    other_program = outsider.memberships.get().workspace.programs.get()
    click(factories.make_advocate(other_program, email="x@example.com").link, "203.0.113.9", FIREFOX)
    return {"bob": bob, "today": timezone.localdate(), "two_days_ago": timezone.localdate(two_days_ago)}


def test_funnel_per_day_and_totals(program, history):
    today = history["today"]
    result = funnel(program, today - timedelta(days=6), today)
    assert [row.day for row in result.days] == [today - timedelta(days=n) for n in range(6, -1, -1)]
    rows = {row.day: (row.clicks, row.unique_clicks, row.signups, row.purchases, row.revenue) for row in result.days}
    assert rows == {
        **{today - timedelta(days=n): (0, 0, 0, 0, 0) for n in range(7)},
        history["two_days_ago"]: (0, 0, 1, 1, 3000),
        today: (4, 3, 1, 1, 5000 - 1000),
    }
    totals = result.totals
    assert (totals.clicks, totals.unique_clicks, totals.signups, totals.purchases, totals.revenue) == (4, 3, 2, 2, 7000)
    assert result.signup_rate == pytest.approx(200 / 3)
    assert result.purchase_rate == 100
    assert result.click_to_purchase_rate == pytest.approx(200 / 3)
    assert result.currency == "USD"


def test_funnel_uses_two_queries(program, history):
    today = history["today"]
    with CaptureQueriesContext(connection) as queries:
        funnel(program, today - timedelta(days=365), today)
    assert len(queries) == 2


def test_funnel_range_bounds(program, history):
    today = history["today"]
    only_two_days_ago = funnel(program, history["two_days_ago"], history["two_days_ago"])
    assert [(row.signups, row.purchases, row.revenue) for row in only_two_days_ago.days] == [(1, 1, 3000)]
    forty = funnel(program, today - timedelta(days=40), today - timedelta(days=40))
    assert forty.totals.purchases == 1 and forty.totals.revenue == 7000
    empty = funnel(program, today + timedelta(days=1), today + timedelta(days=3))
    assert empty.totals.clicks == 0 and empty.signup_rate is None and empty.purchase_rate is None
    with pytest.raises(ValueError):
        funnel(program, today, today - timedelta(days=1))


def test_advocate_stats_and_search(program, advocate, history):
    rows = {a.email: (a.click_count, a.signup_count, a.purchase_count, a.points_balance)
            for a in search_advocates(program)}
    assert rows == {"jane@example.com": (3, 1, 1, 100), "bob@example.com": (1, 1, 2, 100)}
    bob = history["bob"]
    assert [a.email for a in search_advocates(program, "BOB@example")] == ["bob@example.com"]
    assert [a.email for a in search_advocates(program, bob.link.promo_code.lower())] == ["bob@example.com"]
    assert [a.email for a in search_advocates(program, advocate.link.code)] == ["jane@example.com"]
    assert [a.email for a in search_advocates(program, "cus_jane")] == ["jane@example.com"]
    assert list(search_advocates(program, "nobody")) == []
