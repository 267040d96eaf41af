"""Attribution: each rule of the order, the window's edges, first vs last touch, flags."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from chorus.core.signing import new_click_id, visitor_hash
from chorus.referrals.models import Click, Referral
from chorus.referrals.services.attribution import record_friend_claim
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.testing import factories

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def click_token(advocate, at: datetime, visitor: str = "", record: bool = True) -> str:
    """A click on the advocate's link at `at`, recorded as a row like the click path does."""
    click_id = new_click_id(advocate.link.pk, advocate.program_id, clicked_at=at.timestamp())
    if record:
        Click.objects.create(program_id=advocate.program_id, link=advocate.link, token=click_id.token,
                             created_at=datetime.fromtimestamp(click_id.clicked_at, UTC),
                             visitor_hash=visitor or visitor_hash("198.51.100.7", "Firefox"))
    return click_id.token


def signup(program, at=NOW, email="friend@example.org", customer="cus_f1", **codes):
    return record_conversion(program, ConversionInput(type="signup", customer_external_id=customer,
                                                      email=email, occurred_at=at, **codes))


@pytest.fixture
def bob(program):
    return factories.make_advocate(program, email="bob@example.com", name="Bob Stone")


def test_click_id_attributes_with_reason_click(program, advocate):
    token = click_token(advocate, NOW - timedelta(days=2))
    result = signup(program, click_id=token)
    referral = result.conversion.referral
    assert (referral.advocate, referral.reason, referral.click_token) == (advocate, "click", token)
    assert referral.clicked_at == NOW - timedelta(days=2)
    assert referral.review == "clean" and referral.attribution_model == "last_touch"


def test_click_id_works_before_the_click_row_is_written(program, advocate):
    token = click_token(advocate, NOW - timedelta(hours=1), record=False)
    assert signup(program, click_id=token).conversion.referral.advocate == advocate


def test_window_edges(program, advocate):
    inside = click_token(advocate, NOW - timedelta(days=30))
    outside = click_token(advocate, NOW - timedelta(days=30, seconds=1))
    assert signup(program, click_id=outside, customer="c-out", email="out@example.org").conversion.referral is None
    assert signup(program, click_id=inside, customer="c-in", email="in@example.org").conversion.referral.advocate == advocate


def test_window_is_the_programs(workspace):
    program = factories.make_program(workspace, attribution_window_days=7)
    jane = factories.make_advocate(program, email="j@example.com")
    token = click_token(jane, NOW - timedelta(days=8))
    assert signup(program, click_id=token).conversion.referral is None


def test_forged_or_foreign_click_ids_are_ignored(program, advocate, workspace):
    token = click_token(advocate, NOW - timedelta(days=1))
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert signup(program, click_id=forged).conversion.referral is None
    other = factories.make_program(workspace)
    assert signup(other, click_id=token, customer="c2", email="c2@example.org").conversion.referral is None


def test_promo_code_then_referral_code(program, advocate, bob):
    by_promo = signup(program, promo_code=advocate.link.promo_code.lower(), customer="c1", email="c1@example.org")
    assert (by_promo.conversion.referral.advocate, by_promo.conversion.referral.reason) == (advocate, "promo_code")
    by_code = signup(program, referral_code=bob.link.code, customer="c2", email="c2@example.org")
    assert (by_code.conversion.referral.advocate, by_code.conversion.referral.reason) == (bob, "referral_code")


def test_order_click_beats_promo_beats_referral_code(program, advocate, bob):
    token = click_token(advocate, NOW - timedelta(days=1))
    both = signup(program, click_id=token, promo_code=bob.link.promo_code, referral_code=bob.link.code)
    assert both.conversion.referral.advocate == advocate
    promo_first = signup(program, promo_code=bob.link.promo_code, referral_code=advocate.link.code,
                         customer="c9", email="c9@example.org")
    assert promo_first.conversion.referral.advocate == bob


def test_vanity_code_counts_as_referral_code_in_any_case(program, advocate):
    from chorus.referrals.services.links import set_vanity_code

    set_vanity_code(advocate.link, "Jane-Rocks")
    result = signup(program, referral_code="JANE-ROCKS")
    assert result.conversion.referral.advocate == advocate


def test_later_purchases_follow_the_earlier_attribution(program, advocate):
    signup(program, promo_code=advocate.link.promo_code)
    purchase = record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_f1",
                                                          amount=5000, order_id="A1", occurred_at=NOW + timedelta(days=40)))
    assert purchase.conversion.referral.advocate == advocate
    assert Referral.objects.count() == 1


def test_refer_by_email_claim_is_last_resort(program, advocate, bob):
    assert record_friend_claim(program, friend_email="Friend@Example.org", advocate_hint="jane@example.com")
    claimed = signup(program, at=timezone.now())
    assert (claimed.conversion.referral.advocate, claimed.conversion.referral.reason) == (advocate, "name_email")
    # an explicit code wins over a claim
    record_friend_claim(program, friend_email="other@example.org", advocate_hint="Jane Doe")
    explicit = signup(program, at=timezone.now(), email="other@example.org", customer="c-o", promo_code=bob.link.promo_code)
    assert explicit.conversion.referral.advocate == bob


def test_claim_needs_a_unique_match(program, advocate):
    factories.make_advocate(program, email="jane2@example.com", name="Jane Doe")
    assert record_friend_claim(program, friend_email="f@example.org", advocate_hint="Jane Doe") is None
    assert record_friend_claim(program, friend_email="f@example.org", advocate_hint="nobody@example.com") is None


def test_first_vs_last_touch(program, advocate, bob):
    visitor = visitor_hash("203.0.113.5", "Safari")
    first = click_token(advocate, NOW - timedelta(days=5), visitor=visitor)
    last = click_token(bob, NOW - timedelta(days=1), visitor=visitor)
    assert signup(program, click_id=last, customer="c1", email="c1@example.org").conversion.referral.advocate == bob
    program.attribution_model = "first_touch"
    program.save()
    result = signup(program, click_id=last, customer="c2", email="c2@example.org")
    assert result.conversion.referral.advocate == advocate
    assert result.conversion.referral.click_token == first
    assert result.conversion.referral.attribution_model == "first_touch"


def test_first_touch_ignores_clicks_outside_the_window(program, advocate, bob):
    program.attribution_model = "first_touch"
    program.save()
    visitor = visitor_hash("203.0.113.5", "Safari")
    click_token(advocate, NOW - timedelta(days=31), visitor=visitor)
    last = click_token(bob, NOW - timedelta(days=1), visitor=visitor)
    assert signup(program, click_id=last).conversion.referral.advocate == bob


def test_self_referral_by_the_same_mailbox_is_flagged(program):
    gmail = factories.make_advocate(program, email="jane.doe@gmail.com", name="Jane Doe")
    result = signup(program, email="Jane.D.oe+deals@googlemail.com", customer="c-self", promo_code=gmail.link.promo_code)
    referral = result.conversion.referral
    assert (referral.review, referral.flag, result.rewards) == ("flagged", "self_referral", [])


def test_self_referral_by_the_same_customer_id_is_flagged(program, advocate):
    result = signup(program, email="someone@example.org", customer="cus_jane", promo_code=advocate.link.promo_code)
    assert result.conversion.referral.flag == "self_referral"


def test_self_referral_by_same_browser(program, advocate):
    visitor = visitor_hash("203.0.113.77", "Chrome")
    advocate.known_visitors = [visitor]
    advocate.save()
    token = click_token(advocate, NOW - timedelta(hours=2), visitor=visitor)
    assert signup(program, click_id=token).conversion.referral.flag == "self_referral"


def test_existing_customer_is_flagged(program, advocate):
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_old", email="old@example.org",
                                               amount=1000, order_id="old-1", occurred_at=NOW - timedelta(days=60)))
    token = click_token(advocate, NOW - timedelta(days=1))
    result = record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_old", amount=1000,
                                                        order_id="old-2", occurred_at=NOW, click_id=token))
    assert (result.conversion.referral.flag, result.rewards) == ("existing_customer", [])


def test_second_referral_of_the_same_friend_is_flagged(program, advocate, bob):
    signup(program, promo_code=advocate.link.promo_code)
    purchase = record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_f1", amount=3000,
                                                          order_id="B1", occurred_at=NOW + timedelta(days=1),
                                                          promo_code=bob.link.promo_code))
    referral = purchase.conversion.referral
    assert (referral.advocate, referral.flag, referral.is_primary) == (bob, "duplicate_friend", False)
    assert Referral.objects.get(advocate=advocate).is_primary
