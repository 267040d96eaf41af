"""End to end in headless Chromium against the live server: an advocate completes a review
ask with a screenshot (HTMX upload), the marketer approves it in the moderation queue (HTMX,
in place), and the points arrive in the advocate's hub."""

import io

import pytest
from PIL import Image

from chorus.campaigns.models import Completion
from chorus.campaigns.services.asks import save_ask
from chorus.rewards import points
from chorus.testing import factories
from chorus.testing.browser import console_page, hub_page

pytestmark = pytest.mark.browser


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def setup(transactional_db, live_server):
    owner = factories.make_user("marketer")
    workspace = factories.make_workspace(owner, name="Acme")
    program = factories.make_program(workspace, name="Acme", slug="acme-e2e")
    advocate = factories.make_advocate(program, email="jane@example.com", name="Jane Doe", language="en")
    ask = save_ask(program, {"type": "review", "title": "Review us on G2", "points": 600, "moderation": "review",
                             "config": {"site_name": "G2", "site_url": "https://www.g2.com/"}})
    return live_server.url, program, advocate, ask


def test_review_with_screenshot_is_approved_and_points_arrive(browser, setup):
    base, program, advocate, ask = setup
    hub = hub_page(browser, base, program, advocate)
    hub.click("nav.hub-nav >> text=Asks")
    hub.click("text=Review us on G2")
    hub.set_input_files("input[name=evidence]", files=[{"name": "review.png", "mimeType": "image/png",
                                                        "buffer": png_bytes()}])
    hub.click("#ask-action button[type=submit]")  # without the disclosure: refused in place
    hub.wait_for_selector("#ask-action >> text=Confirm that your review says it was incentivised.")
    assert hub.url.endswith(f"/asks/{ask.pk}/")  # HTMX: no page load
    hub.set_input_files("input[name=evidence]", files=[{"name": "review.png", "mimeType": "image/png",
                                                        "buffer": png_bytes()}])
    hub.check("input[name=disclosure_acknowledged]")
    hub.click("#ask-action button[type=submit]")
    hub.wait_for_selector("#ask-action >> text=Thank you! We will check it and let you know.")
    completion = Completion.objects.get()
    assert (completion.status, completion.evidence_content_type) == ("pending", "image/png")

    console = console_page(browser, base, "marketer")
    console.goto(f"{base}/console/programs/{program.slug}/moderation/")
    item = f"#completion-{completion.pk}"
    assert console.eval_on_selector(f"{item} img.evidence-image", "img => img.naturalWidth") == 64
    console.click(f"{item} button[value=approve]")
    console.wait_for_selector(f"{item} .status-approved")
    assert points.balance(advocate) == 600

    hub.goto(f"{base}/hub/{program.slug}/")
    assert hub.inner_text("[data-balance=points]").strip() == "600 points"
    hub.goto(f"{base}/hub/{program.slug}/asks/")
    assert "Approved" in hub.inner_text("#mine-heading + ul")
