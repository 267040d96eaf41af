"""Reward rules: events, kinds, limits, hold, approval, refunds, review."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from chorus.core.errors import Conflict
from chorus.core.models import AuditEvent
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.rewards import services
from chorus.rewards.models import LedgerEntry, Reward, RewardRule
from chorus.testing import factories


def convert(program, kind="purchase", *, customer="cus_f", amount=0, order="", at=None, **extra):
    return record_conversion(program, ConversionInput(type=kind, customer_external_id=customer, amount=amount,
                                                      order_id=order, occurred_at=at or timezone.now(), **extra))


def referred_signup(program, advocate, customer="cus_f", email=None):
    return convert(program, "signup", customer=customer, email=email or f"{customer}@example.org",
                   promo_code=advocate.link.promo_code)


def test_signup_rule_issues_at_once_without_hold(program, advocate):
    factories.make_rule(program, event="signup", kind="points", amount=100)
    result = referred_signup(program, advocate)
    (reward,) = result.rewards
    assert (reward.status, reward.hold_until, reward.amount) == ("issued", None, 100)
    assert services.balance(advocate) == 100


def test_percent_rule_rounds_down_and_respects_minimum(program, advocate):
    factories.make_rule(program, event="purchase", kind="percent", percent_basis_points=750, min_purchase_amount=2000, amount=0)
    referred_signup(program, advocate)
    small = convert(program, amount=1999, order="o1")
    big = convert(program, amount=3333, order="o2")
    assert small.rewards == []
    assert [(r.kind, r.amount, r.currency) for r in big.rewards] == [("percent", 249, "USD")]


def test_first_purchase_rule_fires_once(program, advocate):
    factories.make_rule(program, event="first_purchase", kind="credit", amount=1500)
    referred_signup(program, advocate)
    first = convert(program, amount=1000, order="o1")
    second = convert(program, amount=1000, order="o2", at=timezone.now() + timedelta(minutes=1))
    assert [r.amount for r in first.rewards] == [1500] and second.rewards == []


def test_every_purchase_up_to_n(program, advocate):
    factories.make_rule(program, event="purchase", kind="points", amount=10, max_purchases=2)
    referred_signup(program, advocate)
    counts = [len(convert(program, amount=100, order=f"o{i}").rewards) for i in range(4)]
    assert counts == [1, 1, 0, 0]


def test_monthly_cap_per_advocate(program, advocate):
    factories.make_rule(program, event="first_purchase", kind="points", amount=50, monthly_cap=2)
    june = datetime(2026, 6, 10, tzinfo=UTC)
    for index in range(3):
        referred_signup(program, advocate, customer=f"c{index}")
        convert(program, customer=f"c{index}", amount=100, order=f"june{index}", at=june + timedelta(days=index))
    referred_signup(program, advocate, customer="c-july")
    convert(program, customer="c-july", amount=100, order="july", at=datetime(2026, 7, 1, tzinfo=UTC))
    months = sorted(r.conversion.occurred_at.month for r in Reward.objects.filter(advocate=advocate))
    assert months == [6, 6, 7]


def test_double_sided_friend_coupon_at_signup(program, advocate):
    factories.make_standard_rules(program)
    result = referred_signup(program, advocate)
    (friend,) = result.rewards
    assert (friend.side, friend.kind, friend.amount, friend.status) == ("friend", "coupon", 2000, "issued")
    assert friend.customer == result.conversion.customer and friend.code.startswith("WELCOME-")
    assert LedgerEntry.objects.count() == 0  # a coupon is not a balance


def test_purchase_waits_for_the_hold_then_a_sweep_issues_it(program, advocate):
    factories.make_rule(program, event="first_purchase", kind="points", amount=500)
    referred_signup(program, advocate)
    at = timezone.now() - timedelta(days=10)
    (reward,) = convert(program, amount=100, order="o1", at=at).rewards
    assert reward.status == "pending" and reward.hold_until == at + timedelta(days=30)
    assert services.release_due_rewards(at + timedelta(days=30) - timedelta(seconds=1)) == 0
    assert services.release_due_rewards(at + timedelta(days=30)) == 1
    reward.refresh_from_db()
    assert reward.status == "issued" and reward.approved_at and reward.issued_at
    assert services.release_due_rewards(at + timedelta(days=31)) == 0  # a second sweep changes nothing
    assert services.release_reward(reward.pk) is False
    assert LedgerEntry.objects.filter(reward=reward).count() == 1


def test_refund_during_hold_denies(program, advocate):
    factories.make_rule(program, event="first_purchase", kind="points", amount=500)
    referred_signup(program, advocate)
    convert(program, amount=100, order="o1")
    refund = convert(program, "refund", customer="", order="o1")
    (reward,) = refund.rewards
    assert reward.status == "denied" and "refunded" in reward.status_reason
    assert services.release_due_rewards(timezone.now() + timedelta(days=60)) == 0
    assert LedgerEntry.objects.count() == 0


def test_refund_after_issue_claws_back_with_a_reversing_entry(program, advocate):
    program.hold_days = 0
    program.save()
    factories.make_rule(program, event="first_purchase", kind="points", amount=500)
    referred_signup(program, advocate)
    (issued,) = convert(program, amount=100, order="o1").rewards
    assert issued.status == "issued" and services.balance(advocate) == 500
    convert(program, "refund", customer="", order="o1")
    again = convert(program, "refund", customer="", order="o1")
    assert again.duplicate
    issued.refresh_from_db()
    assert issued.status == "clawed_back"
    assert list(LedgerEntry.objects.filter(reward=issued).order_by("pk").values_list("reason", "amount")) == [
        ("reward", 500), ("clawback", -500)]
    assert services.balance(advocate) == 0


def test_refund_of_unknown_order_is_a_404_and_changes_nothing(program):
    from chorus.core.errors import NotFound

    with pytest.raises(NotFound):
        convert(program, "refund", customer="", order="nope")
    assert program.conversions.count() == 0


def test_flagged_referral_holds_rewards_until_review(program, advocate, owner, workspace):
    program.hold_days = 0
    program.save()
    factories.make_rule(program, event="signup", kind="points", amount=100)
    result = convert(program, "signup", customer="cus_jane", email="me@example.org", promo_code=advocate.link.promo_code)
    (reward,) = result.rewards
    assert (reward.status, result.conversion.referral.flag) == ("pending", "self_referral")
    assert services.release_due_rewards(timezone.now() + timedelta(days=99)) == 0
    services.review_referral(result.conversion.referral.pk, approve=True, user=owner, note="Spouse, fine", workspace=workspace)
    reward.refresh_from_db()
    assert reward.status == "issued" and services.balance(advocate) == 100
    event = AuditEvent.objects.get(action="referral.approved")
    assert (event.actor, event.note, event.data) == (owner, "Spouse, fine", {"flag": "self_referral"})
    with pytest.raises(Conflict):
        services.review_referral(result.conversion.referral.pk, approve=False, user=owner)


def test_denied_review_denies_rewards(program, advocate, owner):
    factories.make_rule(program, event="signup", kind="points", amount=100)
    result = convert(program, "signup", customer="cus_jane", email="me@example.org", promo_code=advocate.link.promo_code)
    services.review_referral(result.conversion.referral.pk, approve=False, user=owner, note="self")
    assert list(Reward.objects.values_list("status", flat=True)) == ["denied"]
    assert LedgerEntry.objects.count() == 0


def test_browser_reported_conversions_are_never_rewarded(program, advocate):
    factories.make_rule(program, event="signup", kind="points", amount=100)
    result = record_conversion(program, ConversionInput(type="signup", email="f@example.org", trust="browser",
                                                        promo_code=advocate.link.promo_code))
    assert result.conversion.referral.advocate == advocate and result.rewards == []


def test_inactive_rules_do_nothing(program, advocate):
    factories.make_rule(program, event="signup", kind="points", amount=100, is_active=False)
    assert referred_signup(program, advocate).rewards == []
    assert RewardRule.objects.count() == 1 and get_user_model().objects.count() >= 1


def test_server_report_confirms_a_browser_signup_and_rewards_it(program, advocate):
    factories.make_standard_rules(program)
    browser = record_conversion(program, ConversionInput(type="signup", customer_external_id="cus_f", email="f@example.org",
                                                         trust="browser", promo_code=advocate.link.promo_code))
    assert (browser.conversion.trust, browser.rewards) == ("browser", [])
    server = record_conversion(program, ConversionInput(type="signup", customer_external_id="cus_f", email="f@example.org"))
    assert not server.duplicate and server.conversion.pk == browser.conversion.pk
    assert server.conversion.trust == "server" and server.conversion.referral.advocate == advocate
    assert [(r.side, r.kind, r.status) for r in server.rewards] == [("friend", "coupon", "issued")]
    again = record_conversion(program, ConversionInput(type="signup", customer_external_id="cus_f", email="f@example.org"))
    assert again.duplicate and Reward.objects.count() == 1


def test_reasons_are_stored_as_codes_and_read_in_the_readers_language(program, advocate):
    from django.utils import translation

    factories.make_rule(program, event="first_purchase", kind="points", amount=500)
    referred_signup(program, advocate)
    convert(program, amount=100, order="o-9")
    with translation.override("pl"):  # the merchant's request language does not matter
        (reward,) = convert(program, "refund", customer="", order="o-9").rewards
    assert (reward.status_reason, reward.status_reason_data) == ("refunded", {"order": "o-9"})
    with translation.override("de"):
        assert reward.status_reason_text == "Bestellung o-9 wurde erstattet"
    with translation.override("en"):
        assert reward.status_reason_text == "Order o-9 was refunded"
