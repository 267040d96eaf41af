"""The advocacy loop end to end, in headless Chromium against the live server (issue 3):
an advocate completes a review ask with a screenshot, the marketer approves it in the
moderation queue, the points arrive, the advocate levels up and earns a badge, then redeems
a gift card and sees its code — and spending does not take the level away."""

import io

import pytest
from PIL import Image

from chorus.campaigns.models import Completion
from chorus.campaigns.services.asks import save_ask
from chorus.rewards import catalog, points
from chorus.rewards.models import Badge, BadgeAward, LevelReached, Redemption
from chorus.testing import factories
from chorus.testing.browser import console_page, hub_page

pytestmark = pytest.mark.browser
GIFT_CODE = "GIFT-7Q2M-K3X9"


def screenshot_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def story(transactional_db, live_server):
    owner = factories.make_user("marketer")
    program = factories.make_program(factories.make_workspace(owner, name="Acme"), name="Acme", slug="acme")
    advocate = factories.make_advocate(program, email="jane@example.com", name="Jane Doe", language="en")
    ask = save_ask(program, {"type": "review", "title": "Review us on G2", "points": 600, "moderation": "review",
                             "config": {"site_name": "G2", "site_url": "https://www.g2.com/"}})
    Badge.objects.create(program=program, slug="first-review", name="First review", icon="⭐",
                         rule=Badge.Rule.COMPLETIONS, threshold=1, ask_type="review")
    gift = catalog.create_item(program, kind="stuff", title="$5 gift card", cost_points=500,
                               fulfilment="code_pool", is_cash_like=True)
    catalog.import_codes(gift, io.BytesIO(f"code\n{GIFT_CODE}\n".encode()))
    return live_server.url, program, advocate, ask, gift


def test_review_approved_levels_up_earns_a_badge_and_buys_a_gift_card(browser, story):
    base, program, advocate, ask, gift = story
    hub = hub_page(browser, base, program, advocate)

    # 1. The advocate completes the review ask with a screenshot and the disclosure.
    hub.click("nav.hub-nav >> text=Asks")
    hub.click("text=Review us on G2")
    hub.set_input_files("input[name=evidence]", files=[{"name": "review.png", "mimeType": "image/png",
                                                        "buffer": screenshot_png()}])
    hub.check("input[name=disclosure_acknowledged]")
    hub.click("#ask-action button[type=submit]")
    hub.wait_for_selector("#ask-action >> text=Thank you! We will check it and let you know.")
    completion = Completion.objects.get(ask=ask, advocate=advocate)
    assert completion.status == "pending" and points.balance(advocate) == 0

    # 2. The marketer sees the screenshot in the moderation queue and approves it in place.
    console = console_page(browser, base, "marketer")
    console.goto(f"{base}/console/programs/{program.slug}/moderation/")
    row = f"#completion-{completion.pk}"
    assert console.eval_on_selector(f"{row} img.evidence-image", "img => img.naturalWidth") == 320
    console.click(f"{row} button[value=approve]")
    console.wait_for_selector(f"{row} .status-approved")

    # 3. Points arrived, the advocate is an Insider now and holds the badge.
    hub.goto(f"{base}/hub/{program.slug}/progress/")
    assert hub.inner_text("[data-balance=points]").strip() == "600 points"
    assert "Insider" in hub.inner_text(".level-name")
    assert "earned" in hub.get_attribute("[data-badge=first-review]", "class").split()
    assert BadgeAward.objects.filter(advocate=advocate, badge__slug="first-review").count() == 1
    assert list(LevelReached.objects.filter(advocate=advocate).values_list("level__name", flat=True)) == ["Insider"]

    # 4. The advocate redeems the gift card and sees the code at once.
    hub.click("nav.hub-nav >> text=Rewards store")
    hub.click(f"#item-{gift.pk} a.button")
    hub.click(f"form[action$='/rewards/{gift.pk}/'] button[type=submit]")
    assert hub.inner_text("[data-code]") == GIFT_CODE
    assert Redemption.objects.get(advocate=advocate).status == "fulfilled"

    # 5. Spending lowered the balance, never the level.
    hub.goto(f"{base}/hub/{program.slug}/progress/")
    assert hub.inner_text("[data-balance=points]").strip() == "100 points"
    assert "Insider" in hub.inner_text(".level-name")
