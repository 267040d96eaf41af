"""The rewards store in the hub: eligibility shown, redeem flows, My redemptions, cancel."""

import re

import pytest

from chorus.advocates.models import Account
from chorus.advocates.services import issue_login_token
from chorus.rewards import points, redemptions
from chorus.rewards.models import CatalogItem, Redemption
from chorus.rewards.tests.catalog_helpers import give_points, make_item, pooled_item
from chorus.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(visitor, program, advocate):
    CatalogItem.objects.filter(program=program).delete()  # the starter catalog aside
    visitor.post(f"/hub/{program.slug}/login/{issue_login_token(advocate)}/")
    return visitor


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_store_greys_out_what_cannot_be_redeemed_with_a_reason(hub, program, advocate):
    give_points(advocate, 600)
    cheap = make_item(program, title="Sticker", cost_points=100)
    make_item(program, title="Hoodie", cost_points=800)
    make_item(program, title="Dinner", cost_points=100, min_level=program.levels.get(rank=2))
    make_item(program, title="Pass", cost_points=100, stock=0)
    html = hub.get(f"/hub/{program.slug}/rewards/").content.decode()
    assert "You have 600 points to spend." in html
    assert f'href="/hub/{program.slug}/rewards/{cheap.pk}/">Redeem</a>' in html
    reasons = re.findall(r'data-reason="(\w+)"><strong>([^<]+)</strong>', html)
    assert reasons == [("level_too_low", "Reach Champion"), ("out_of_stock", "Out of stock"),
                       ("insufficient_points", "You need 200 more points")]
    assert html.count('class="card store-item unavailable"') == 3


def test_redeeming_a_gift_card_shows_the_code(hub, program, advocate):
    item = pooled_item(program, codes=["GIFT-AAA-111"])
    give_points(advocate, 500)
    page = hub.get(f"/hub/{program.slug}/rewards/{item.pk}/").content.decode()
    response = hub.post(f"/hub/{program.slug}/rewards/{item.pk}/", {"token": token_of(page)})
    assert response.status_code == 302 and response["Location"] == f"/hub/{program.slug}/redemptions/"
    html = hub.get(response["Location"]).content.decode()
    assert "You redeemed “Gift card”. Your code is GIFT-AAA-111." in html
    assert '<bdi dir="ltr" class="code-box" data-code>GIFT-AAA-111</bdi>' in html
    assert points.balance(advocate) == 0


def test_resubmitting_the_form_redeems_once(hub, program, advocate):
    item = make_item(program, title="Sticker", cost_points=100)
    give_points(advocate, 500)
    token = token_of(hub.get(f"/hub/{program.slug}/rewards/{item.pk}/").content.decode())
    for _attempt in range(3):
        assert hub.post(f"/hub/{program.slug}/rewards/{item.pk}/", {"token": token}).status_code == 302
    assert Redemption.objects.filter(advocate=advocate).count() == 1
    assert points.balance(advocate) == 400


def test_shipping_form_is_validated_then_the_item_is_queued(hub, program, advocate):
    item = make_item(program, title="Hoodie", fulfilment="shipping", cost_points=300)
    give_points(advocate, 300)
    url = f"/hub/{program.slug}/rewards/{item.pk}/"
    token = token_of(hub.get(url).content.decode())
    bad = hub.post(url, {"token": token, "name": "Jane", "address": "", "city": "Kraków", "country": "QQ"})
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "This field is required." in html
    assert "Use a two-letter country code, e.g. DE, JP or PL." not in html  # the form stops at the required field
    assert (Redemption.objects.count(), points.balance(advocate)) == (0, 300)
    bad_country = hub.post(url, {"token": token, "name": "Jane", "address": "ul. Długa 1", "city": "Kraków", "country": "QQ"})
    assert bad_country.status_code == 422
    assert "Use a two-letter country code, e.g. DE, JP or PL." in bad_country.content.decode()
    good = hub.post(url, {"token": token, "name": "Jane", "address": "ul. Długa 1", "city": "Kraków",
                          "postal_code": "31-001", "country": "pl"})
    assert good.status_code == 302
    redemption = Redemption.objects.get()
    assert (redemption.status, redemption.shipping["country"], redemption.shipping["city"]) == ("requested", "PL", "Kraków")
    html = hub.get(f"/hub/{program.slug}/redemptions/").content.decode()
    assert "Ships to Kraków, PL" in html and "Requested" in html


def test_charity_asks_for_a_cause(hub, program, advocate):
    item = make_item(program, kind="charity", title="Plant trees", fulfilment="charity", cost_points=200,
                     value_amount=500, causes=["Trees", "Oceans"])
    give_points(advocate, 200)
    url = f"/hub/{program.slug}/rewards/{item.pk}/"
    token = token_of(hub.get(url).content.decode())
    assert hub.post(url, {"token": token}).status_code == 422
    assert hub.post(url, {"token": token, "cause": "oceans"}).status_code == 302
    html = hub.get(f"/hub/{program.slug}/redemptions/").content.decode()
    assert "Donation to Oceans · 5.00 USD" in html


def test_refused_redemption_says_why_and_changes_nothing(hub, program, advocate):
    item = make_item(program, title="Pass", cost_points=100, stock=1)
    give_points(advocate, 100)
    url = f"/hub/{program.slug}/rewards/{item.pk}/"
    token = token_of(hub.get(url).content.decode())
    CatalogItem.objects.filter(pk=item.pk).update(stock=0)  # someone else took the last one meanwhile
    response = hub.post(url, {"token": token})
    assert response.status_code == 409
    assert "Sorry, “Pass” is out of stock." in response.content.decode()
    assert (Redemption.objects.count(), points.balance(advocate)) == (0, 100)


def test_cancel_returns_the_points(hub, program, advocate):
    item = make_item(program, title="Sticker", cost_points=100)
    give_points(advocate, 100)
    redemption, _ = redemptions.redeem(advocate, item)
    response = hub.post(f"/hub/{program.slug}/redemptions/{redemption.pk}/cancel/", follow=True)
    assert "Cancelled. 100 points are back in your balance." in response.content.decode()
    assert points.balance(advocate) == 100
    again = hub.post(f"/hub/{program.slug}/redemptions/{redemption.pk}/cancel/", follow=True)
    assert "This redemption is “Cancelled”; it can no longer be cancelled." in again.content.decode()
    assert points.balance(advocate) == 100


def test_account_rewards_are_visible_to_every_member(client, program, advocate):
    account = Account.objects.create(program=program, name="Globex")
    colleague = factories.make_advocate(program, email="sam@globex.example", name="Sam Smith")
    for person in (advocate, colleague):
        person.account = account
        person.save()
    item = make_item(program, title="Team offsite", recipient="account", cost_points=100)
    give_points(advocate, 100)
    redemptions.redeem(advocate, item)
    client.post(f"/hub/{program.slug}/login/{issue_login_token(colleague)}/")
    html = client.get(f"/hub/{program.slug}/redemptions/").content.decode()
    assert "Team offsite" in html and "redeemed by Jane Doe for Globex" in html
    assert "Cancel and get my points back" not in html  # only the one who redeemed may cancel


def test_another_programs_item_is_not_found(hub, program, workspace):
    other = factories.make_program(workspace, name="Other", slug="other")
    foreign = make_item(other, title="Foreign")
    assert hub.get(f"/hub/{program.slug}/rewards/{foreign.pk}/").status_code == 404


def test_store_needs_a_login(client, program):
    response = client.get(f"/hub/{program.slug}/rewards/")
    assert response.status_code == 302 and response["Location"] == f"/hub/{program.slug}/login/"
