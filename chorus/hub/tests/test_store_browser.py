"""In headless Chromium: an advocate redeems a gift card and sees the code; the marketer
fulfils a shipped item in place (HTMX) and the advocate sees it fulfilled."""

import pytest

from chorus.rewards.models import CatalogItem, Redemption
from chorus.rewards.tests.catalog_helpers import give_points, make_item, pooled_item
from chorus.testing.browser import console_page, hub_page

pytestmark = pytest.mark.browser


def test_redeem_in_the_hub_and_fulfil_in_the_console(browser, live_server, program, advocate, owner):
    CatalogItem.objects.filter(program=program).delete()
    gift = pooled_item(program, codes=["GIFT-7Q2M-K3X9"])
    hoodie = make_item(program, title="Hoodie", fulfilment="shipping", cost_points=300)
    give_points(advocate, 800)
    hub = hub_page(browser, live_server.url, program, advocate)
    hub.goto(f"{live_server.url}/hub/{program.slug}/rewards/")
    hub.click(f"#item-{gift.pk} a.button")
    hub.click(f"form[action$='/rewards/{gift.pk}/'] button[type=submit]")
    assert hub.inner_text("[data-code]") == "GIFT-7Q2M-K3X9"
    assert "You redeemed “Gift card”. Your code is GIFT-7Q2M-K3X9." in hub.inner_text(".messages")

    hub.goto(f"{live_server.url}/hub/{program.slug}/rewards/{hoodie.pk}/")
    hub.fill("input[name=name]", "Jane Doe")
    hub.fill("textarea[name=address]", "1 Main St")
    hub.fill("input[name=city]", "Berlin")
    hub.fill("input[name=country]", "de")
    hub.click(f"form[action$='/rewards/{hoodie.pk}/'] button[type=submit]")
    assert "Ships to Berlin, DE" in hub.inner_text(".redemption-list")
    queued = Redemption.objects.get(item=hoodie)

    console = console_page(browser, live_server.url, owner.username)
    console.goto(f"{live_server.url}/console/programs/{program.slug}/fulfilment/")
    console.evaluate("window.notReloaded = true")
    item = f"#redemption-{queued.pk}"
    console.fill(f"{item} textarea[name=note]", "Sent with DHL 123")
    console.click(f"{item} button[value=fulfil]")
    console.wait_for_selector(f"{item}.redemption-fulfilled")
    assert console.evaluate("window.notReloaded") is True  # swapped in place
    assert "DHL 123" in console.inner_text(item)

    hub.reload()
    assert "Fulfilled" in hub.inner_text(f"#redemption-{queued.pk}")
