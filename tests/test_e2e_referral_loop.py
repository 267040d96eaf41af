"""The referral loop end to end, in headless Chromium, as the people involved see it.

The advocate logs in to the hub through a magic-link email received by a real SMTP server,
takes their link; the friend, in another browser context, opens it, lands on the demo
merchant, signs up and buys; after the hold the reward is approved and the hub shows it;
a refund claws it back.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.rewards import services as rewards
from chorus.rewards.models import Reward
from chorus.testing import factories

pytestmark = pytest.mark.browser
FRIEND_PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
                "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")


@pytest.fixture
def loop(live_server, settings, smtp_server, workspace):
    settings.CHORUS_BASE_URL = live_server.url
    shop = f"{live_server.url}/demo/shop/"
    program = factories.make_program(workspace, name="Acme Analytics", slug="acme-analytics", default_destination=shop,
                                     allowed_destinations=[shop], hold_days=30, friend_offer="20% off your first month")
    factories.make_standard_rules(program)
    advocate = factories.make_advocate(program, email="jane@example.com", name="Jane Doe")
    return program, advocate


def magic_link_from(smtp_server, address: str) -> str:
    (message,) = smtp_server.wait_for(1) and smtp_server.messages_to(address)
    return re.search(r"https?://\S+/login/\S+?/", smtp_server.body(message)).group(0)


def hub_reward_statuses(page) -> list[str]:
    page.reload()
    return page.locator("table.rewards tr.reward .badge").all_inner_texts()


def test_referral_loop_in_the_browser(browser, live_server, smtp_server, loop):
    program, advocate = loop
    advocate_page = browser.new_context(locale="en-US").new_page()

    # The advocate asks for a login link and follows it from the email.
    advocate_page.goto(f"{live_server.url}/hub/{program.slug}/login/")
    advocate_page.fill("input[name=email]", "jane@example.com")
    advocate_page.click("button[type=submit]")
    link = magic_link_from(smtp_server, "jane@example.com")
    advocate_page.goto(link)
    advocate_page.click("button[type=submit]")
    advocate_page.wait_for_selector("#share-link")
    referral_link = advocate_page.input_value("#share-link")
    assert referral_link == f"{live_server.url}/r/{advocate.link.code}"

    # The friend, in a separate browser, opens the link and lands on the merchant's site.
    # (Another device: the same IP and browser as the advocate would be flagged as a self-referral.)
    friend_page = browser.new_context(locale="en-US", user_agent=FRIEND_PHONE).new_page()
    friend_page.goto(referral_link)
    assert friend_page.url.startswith(f"{live_server.url}/demo/shop/?chorus_click=")
    friend_page.fill("#signup-name", "Sam Friend")
    friend_page.fill("#signup-email", "sam@example.org")
    friend_page.click("#signup-submit")
    friend_page.wait_for_selector("#friend-code")
    friend_code = friend_page.inner_text("#friend-code")
    assert re.fullmatch(r"WELCOME-[A-Z0-9]{8}", friend_code)
    friend_page.goto(f"{live_server.url}/demo/shop/buy/")
    friend_page.click("#buy-submit")
    friend_page.wait_for_selector("#order-id")

    # The purchase rewards wait for the hold; the hub says so.
    assert sorted(hub_reward_statuses(advocate_page)) == ["Pending", "Pending"]
    assert "Available on" in advocate_page.inner_text("table.rewards")

    # After the hold, the worker's sweep approves and issues them.
    assert rewards.release_due_rewards(timezone.now() + timedelta(days=31)) == 2
    assert hub_reward_statuses(advocate_page) == ["Issued", "Issued"]
    assert advocate_page.inner_text("[data-balance=points]").strip() == "500 points"

    # The friend asks for a refund: both rewards are clawed back and the balance returns to 0.
    friend_page.goto(f"{live_server.url}/demo/shop/order/")
    friend_page.click("#refund-submit")
    friend_page.wait_for_selector("#refund-status")
    assert hub_reward_statuses(advocate_page) == ["Clawed back", "Clawed back"]
    assert advocate_page.inner_text("[data-balance=points]").strip() == "0 points"
    assert set(Reward.objects.filter(advocate=advocate).values_list("status", flat=True)) == {"clawed_back"}
