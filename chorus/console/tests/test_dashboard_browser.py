"""The dashboard's and the NPS page's charts in headless Chromium: Chart.js draws them from the
page's data, in English left to right and in Arabic right to left (x axis reversed)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.insights.models import NpsResponse
from chorus.referrals.services.clicks import forget_cached_links, handle_click
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.testing import factories
from chorus.testing.browser import console_page

pytestmark = pytest.mark.browser

CHART = """canvas => {
  const chart = Chart.getChart(canvas);
  if (!chart) return null;
  return {type: chart.config.type, data: chart.data.datasets.map(d => d.data), reversed: !!chart.options.scales.x.reverse,
          legendRtl: !!chart.options.plugins.legend.rtl, tooltipDirection: chart.options.plugins.tooltip.textDirection,
          width: canvas.width, labels: chart.data.labels,
          valueTicks: chart.scales[chart.options.indexAxis === "y" ? "x" : "y"].ticks.map(tick => [tick.value, tick.label]),
          firstX: chart.scales.x.getPixelForValue(0), lastX: chart.scales.x.getPixelForValue(chart.data.labels.length - 1)};
}"""


@pytest.fixture
def setup(transactional_db, live_server):
    owner = factories.make_user("marketer")
    program = factories.make_program(factories.make_workspace(owner, name="Acme"), name="Acme", slug="acme-charts")
    advocate = factories.make_advocate(program, email="jane@example.com", name="Jane Doe")
    forget_cached_links()
    tokens = [handle_click(advocate.link.code, ip=f"198.51.100.{n}", user_agent="Mozilla/5.0 (X11; Linux) Firefox/120",
                           referrer="").token for n in (1, 2, 3, 4)]
    for number, token in enumerate(tokens[:2]):
        record_conversion(program, ConversionInput(type="signup", customer_external_id=f"f{number}", click_id=token))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="f0", amount=123450, order_id="o1"))
    now = timezone.now()
    for score in (10, 9, 3):
        NpsResponse.objects.create(program=program, score=score, email_normalized=f"p{score}@example.com",
                                   category="promoter" if score >= 9 else "detractor", source="api",
                                   responded_at=now - timedelta(days=1))
    return live_server.url, program


def test_dashboard_and_nps_charts_in_english_and_arabic(browser, setup):
    base, program = setup
    today = timezone.localdate()
    query = f"?start={(today - timedelta(days=1)).isoformat()}&end={today.isoformat()}"
    english = console_page(browser, base, "marketer")
    english.goto(f"{base}/console/programs/{program.slug}/{query}")
    english.wait_for_function("document.querySelectorAll('canvas[data-chart]').length === 3"
                              " && [...document.querySelectorAll('canvas[data-chart]')].every(c => Chart.getChart(c))")
    funnel = english.eval_on_selector("#chart-funnel", CHART)
    assert funnel["data"] == [[4, 4, 2, 1]] and funnel["reversed"] is False and funnel["width"] > 0
    trend = english.eval_on_selector("#chart-trend", CHART)
    assert trend["type"] == "line" and trend["data"] == [[0, 4], [0, 2], [0, 1]] and not trend["reversed"]
    assert trend["firstX"] < trend["lastX"]  # yesterday on the left
    revenue = english.eval_on_selector("#chart-revenue", CHART)
    assert revenue["data"] == [[0, 1234.5]] and revenue["valueTicks"][0] == [0, "$0.00"]
    assert [1000, "$1,000.00"] in revenue["valueTicks"]

    english.fill("input[name=start]", "2026-01-01")  # another range, swapped in place by htmx and drawn again
    english.fill("input[name=end]", "2026-01-31")
    english.click("form.date-range button[type=submit]")
    english.wait_for_function("Chart.getChart(document.querySelector('#chart-funnel'))?.data.datasets[0].data[0] === 0")
    assert english.url.endswith("?start=2026-01-01&end=2026-01-31")
    assert len(english.eval_on_selector("#chart-trend", CHART)["labels"]) == 31

    arabic = console_page(browser, base, "marketer", locale="ar")
    arabic.goto(f"{base}/console/programs/{program.slug}/{query}")
    assert arabic.evaluate("document.dir") == "rtl"
    arabic.wait_for_function("[...document.querySelectorAll('canvas[data-chart]')].every(c => Chart.getChart(c))")
    trend = arabic.eval_on_selector("#chart-trend", CHART)
    assert trend["data"] == [[0, 4], [0, 2], [0, 1]] and trend["reversed"] is True
    assert trend["firstX"] > trend["lastX"]  # right to left: yesterday on the right
    assert trend["legendRtl"] is True and trend["tooltipDirection"] == "rtl"
    funnel = arabic.eval_on_selector("#chart-funnel", CHART)
    assert funnel["reversed"] is True  # the bars grow from the right
    revenue = arabic.eval_on_selector("#chart-revenue", CHART)
    assert revenue["valueTicks"][-1][1] == arabic.evaluate(
        f"new Intl.NumberFormat('ar', {{style: 'currency', currency: 'USD'}}).format({revenue['valueTicks'][-1][0]})")
    assert revenue["valueTicks"][-1][1] != f"${revenue['valueTicks'][-1][0]:,.2f}"  # Arabic digits or signs

    english.goto(f"{base}/console/programs/{program.slug}/nps/")
    english.wait_for_function("Chart.getChart(document.querySelector('#chart-nps'))")
    nps = english.eval_on_selector("#chart-nps", CHART)
    assert nps["type"] == "line" and [value for value in nps["data"][0] if value is not None] == [33.3]
    assert english.query_selector("svg") is None
