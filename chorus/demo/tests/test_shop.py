"""The demo merchant: a friend with a click id signs up, buys and refunds through the shop."""

import pytest
from django.urls import reverse

from chorus.advocates.models import Customer
from chorus.demo.seed import create_demo_programs
from chorus.referrals.models import Conversion, Referral
from chorus.referrals.services.clicks import handle_click
from chorus.rewards import services as rewards
from chorus.rewards.models import LedgerEntry, Reward
from chorus.testing import factories

BROWSER = {"ip": "198.51.100.23", "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", "referrer": ""}


@pytest.fixture
def demo_program(workspace):
    program, _team = create_demo_programs(workspace, "http://testserver")
    return program


@pytest.fixture
def maya(demo_program):
    return factories.make_advocate(demo_program, email="maya.chen@example.com", name="Maya Chen")


def _click(advocate) -> str:
    outcome = handle_click(advocate.link.code, **BROWSER)
    assert outcome.status == 302
    return outcome.token


def test_landing_includes_the_snippet_and_keeps_the_click_id(client, demo_program, maya):
    token = _click(maya)
    response = client.get(reverse("demo:landing"), {"chorus_click": token})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/s/chorus.js" data-program="acme-analytics"' in html
    assert f'value="{token}"' in html and 'id="signup-click"' in html
    assert demo_program.friend_offer in html


def test_friend_signs_up_buys_and_refunds(client, demo_program, maya):
    client.cookies["chorus_click"] = _click(maya)  # as the snippet stores it

    response = client.post(reverse("demo:signup"), {"email": "ola@example.org", "name": "Ola Nowak"})
    assert response.status_code == 302 and response.url == reverse("demo:welcome")
    friend = Customer.objects.get(program=demo_program, email_normalized="ola@example.org")
    referral = Referral.objects.get(customer=friend)
    assert (referral.advocate, referral.reason, referral.review) == (maya, "click", "clean")
    friend_reward = Reward.objects.get(customer=friend, side="friend")
    assert (friend_reward.status, friend_reward.amount) == ("issued", 2000)
    welcome = client.get(reverse("demo:welcome")).content.decode()
    assert f'<span class="code" id="friend-code">{friend_reward.code}</span>' in welcome

    response = client.post(reverse("demo:buy"), {"plan": "team"})
    assert response.status_code == 302 and response.url == reverse("demo:order")
    purchase = Conversion.objects.get(program=demo_program, type="purchase")
    assert (purchase.customer, purchase.referral, purchase.amount, purchase.trust) == (friend, referral, 7900, "server")
    assert sorted(Reward.objects.filter(advocate=maya).values_list("kind", "amount", "status")) == [
        ("percent", 790, "issued"), ("points", 500, "issued")]
    assert rewards.balance(maya, "points") == 500 and rewards.balance(maya, "credit") == 790
    order_page = client.get(reverse("demo:order")).content.decode()
    assert purchase.order_id in order_page and 'id="refund-submit"' in order_page and "$79.00" in order_page

    response = client.post(reverse("demo:refund"))
    assert response.status_code == 302
    assert Conversion.objects.get(program=demo_program, type="refund").refunded_conversion == purchase
    assert set(Reward.objects.filter(advocate=maya).values_list("status", flat=True)) == {"clawed_back"}
    assert rewards.balance(maya, "points") == 0 and rewards.balance(maya, "credit") == 0
    assert LedgerEntry.objects.filter(advocate=maya, reason="clawback").count() == 2
    assert 'id="refund-status"' in client.get(reverse("demo:order")).content.decode()


def test_hidden_field_from_the_snippet_attributes_without_a_cookie(client, demo_program, maya):
    token = _click(maya)
    client.post(reverse("demo:signup"), {"email": "kenji@example.net", "name": "Kenji", "chorus_click": token})
    assert Referral.objects.get(customer__email_normalized="kenji@example.net").advocate == maya


def test_promo_code_typed_at_signup_attributes(client, demo_program, maya):
    client.post(reverse("demo:signup"), {"email": "lea@example.org", "name": "Lea", "promo_code": maya.link.promo_code.lower()})
    referral = Referral.objects.get(customer__email_normalized="lea@example.org")
    assert (referral.advocate, referral.reason) == (maya, "promo_code")


def test_signup_without_a_referral_gets_no_discount(client, demo_program, maya):
    client.post(reverse("demo:signup"), {"email": "solo@example.org", "name": "Solo"})
    assert Conversion.objects.get(type="signup").referral is None
    assert not Reward.objects.exists()
    assert 'id="no-referral"' in client.get(reverse("demo:welcome")).content.decode()


def test_invalid_signup_records_nothing(client, demo_program, maya):
    response = client.post(reverse("demo:signup"), {"email": "not-an-email", "name": ""})
    assert response.status_code == 422
    assert not Conversion.objects.exists() and not Customer.objects.exists()


def test_pages_after_signup_need_a_signed_up_customer(client, demo_program):
    assert client.get(reverse("demo:buy")).url == reverse("demo:landing")
    assert client.post(reverse("demo:refund")).url == reverse("demo:landing")
    assert not Conversion.objects.exists()


def test_shop_without_the_demo_says_how_to_set_it_up(client, db):
    response = client.get(reverse("demo:landing"))
    assert response.status_code == 404
    assert "chorus demo" in response.content.decode()
