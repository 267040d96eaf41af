"""In headless Chromium: the marketer picks a breakdown and the metric table swaps in place."""

import pytest

from chorus.testing import factories
from chorus.testing.browser import console_page

from .metrics_fixture import build_metrics

pytestmark = pytest.mark.browser


@pytest.fixture
def setup(transactional_db, live_server):
    owner = factories.make_user("marketer")
    workspace = factories.make_workspace(owner, name="Acme")
    return live_server.url, build_metrics(workspace, owner)


def test_choosing_a_breakdown_swaps_the_table(browser, setup):
    base, data = setup
    page = console_page(browser, base, "marketer")
    page.goto(f"{base}/console/programs/{data.program.slug}/metrics/?start=2026-05-01&end=2026-05-31")
    table = page.locator("#metric-table")
    assert "CSM outreach" not in table.inner_text()
    page.select_option("select[name=by]", "channel")
    page.wait_for_selector("#metric-table >> text=CSM outreach")
    assert "by=channel" in page.url  # pushed into the address bar
    row = page.locator("#metric-invitations_sent").inner_text()
    assert "CSM outreach" in row and "LinkedIn post" in row
    page.fill("input[name=start]", "2026-06-15")
    page.dispatch_event("input[name=start]", "change")
    page.wait_for_selector("#metric-table >> text=The start date must be on or before the end date.")
