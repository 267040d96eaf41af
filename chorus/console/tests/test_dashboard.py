"""The program dashboard (the console's landing page for a program): the numbers of a small
dataset, its charts' data, the range selector, access, and every table's CSV and XLSX export."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chorus.campaigns.services.asks import save_ask
from chorus.campaigns.services.completions import submit_completion
from chorus.referrals.services.clicks import forget_cached_links, handle_click
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.testing import factories

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"


@pytest.fixture
def data(program, advocate):
    """Three clicks from three visitors (one from a newsletter), two signups, one purchase of
    123.45 USD; an ask done twice and one whose title looks like a spreadsheet formula."""
    forget_cached_links()
    tokens = [handle_click(advocate.link.code, ip=f"198.51.100.{n}", user_agent=FIREFOX,
                           referrer="https://news.example.org/issue/4" if n == 1 else "").token for n in (1, 2, 3)]
    record_conversion(program, ConversionInput(type="signup", customer_external_id="f1", click_id=tokens[0]))
    record_conversion(program, ConversionInput(type="signup", customer_external_id="f2", click_id=tokens[1]))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="f1", amount=12345, order_id="o1"))
    other = factories.make_advocate(program, email="sam@example.com", name="Sam Lee")
    follow = save_ask(program, {"type": "social_follow", "title": "Follow us", "points": 50, "moderation": "auto"})
    formula = save_ask(program, {"type": "social_follow", "title": "=HYPERLINK(\"http://evil.example\")",
                                 "points": 20, "moderation": "auto"})
    for person in (advocate, other):
        submit_completion(follow, person, {"url": f"https://x.com/{person.pk}"})
    submit_completion(formula, advocate, {"url": "https://x.com/evil"})
    today = timezone.localdate().isoformat()
    return {"start": today, "end": today}


def url(program):
    return reverse("console:program", args=[program.slug])


def chart_data(html: str, element_id: str) -> dict:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_dashboard_shows_the_funnel_rates_trend_and_asks(client, owner, program, data):
    client.force_login(owner)
    response = client.get(url(program), data)
    assert response.status_code == 200
    html = response.content.decode()
    steps = [(step["key"], step["value"]) for step in response.context["steps"]]
    assert steps == [("clicks", 3), ("unique_clicks", 3), ("signups", 2), ("purchases", 1)]
    assert "123.45 USD" in html and "66.7 %" in html and "50.0 %" in html and "100.0 %" in html
    assert [(row["title"], row["completions"], row["approved"], row["points"]) for row in response.context["dashboard"]["asks"]] == [
        ("Follow us", 2, 2, 100), ('=HYPERLINK("http://evil.example")', 1, 1, 20)]
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html and 'src="/static/js/charts.js"' in html
    assert html.count("<canvas ") == 3 and 'role="img" aria-label="Funnel:' in html
    assert chart_data(html, "chart-funnel-data")["datasets"][0]["data"] == [3, 3, 2, 1]
    trend = chart_data(html, "chart-trend-data")
    assert trend["labels"] == [data["start"]] and [d["data"] for d in trend["datasets"]] == [[3], [2], [1]]
    revenue = chart_data(html, "chart-revenue-data")
    assert (revenue["currency"], revenue["datasets"][0]["data"]) == ("USD", [123.45])
    assert "<svg" not in html
    assert html.count("export=csv") == 3 + bool(response.context["dashboard"]["top_advocates"]) + bool(
        response.context["dashboard"]["channels"])
    day = data["start"]  # the export links keep the range
    assert f'href="?start={day}&amp;end={day}&amp;export=xlsx&amp;table=funnel"' in html


def test_presets_and_default_range(client, teammate, program, data):
    client.force_login(teammate)
    response = client.get(url(program))
    assert response.status_code == 200
    today = timezone.localdate()
    assert (response.context["dashboard"]["start"], response.context["dashboard"]["end"]) == (
        today - timezone.timedelta(days=29), today)
    assert [(p["days"], p["current"]) for p in response.context["presets"]] == [(7, False), (30, True), (90, False),
                                                                                (365, False)]
    year = client.get(url(program), {"start": (today - timezone.timedelta(days=364)).isoformat(), "end": today.isoformat()})
    assert year.status_code == 200 and len(year.context["dashboard"]["trend"]) in (53, 54)  # per ISO week
    assert "Last 365 days" in year.content.decode()


@pytest.mark.parametrize(("query", "message"), [
    ({"start": "2026-03-10", "end": "2026-03-01"}, "The start date must be on or before the end date."),
    ({"start": "2020-01-01", "end": "2026-01-01"}, "Choose at most 366 days."),
    ({"start": "soon"}, "Enter a valid date."),
])
def test_bad_range_is_a_message(client, owner, program, query, message):
    client.force_login(owner)
    response = client.get(url(program), query)
    assert response.status_code == 400
    assert message in response.content.decode() and "dashboard" not in response.context
    export = client.get(url(program), {**query, "export": "csv"})
    assert export.status_code == 400 and "Content-Disposition" not in export


def test_outsider_gets_404(client, outsider, program, data):
    client.force_login(outsider)
    assert client.get(url(program)).status_code == 404
    assert client.get(url(program), {**data, "export": "csv", "table": "funnel"}).status_code == 404


def test_anonymous_is_sent_to_login(client, program):
    response = client.get(url(program))
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_funnel_and_trend_export_as_csv_and_xlsx(client, owner, program, data):
    client.force_login(owner)
    day = data["start"]
    funnel_csv = client.get(url(program), {**data, "export": "csv", "table": "funnel"})
    assert funnel_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert funnel_csv["Content-Disposition"] == f'attachment; filename="acme-funnel-{day}-{day}.csv"'
    assert csv_rows(funnel_csv) == [["Step", "Count", "Rate of the step before (%)"], ["Clicks", "3", ""],
                                    ["Unique clicks", "3", "100.0"], ["Signups", "2", "66.7"], ["Purchases", "1", "50.0"]]
    funnel_xlsx = client.get(url(program), {**data, "export": "xlsx", "table": "funnel"})
    assert funnel_xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert funnel_xlsx["Content-Disposition"] == f'attachment; filename="acme-funnel-{day}-{day}.xlsx"'
    assert xlsx_rows(funnel_xlsx) == [["Step", "Count", "Rate of the step before (%)"], ["Clicks", 3, None],
                                      ["Unique clicks", 3, 100.0], ["Signups", 2, 66.7], ["Purchases", 1, 50.0]]

    trend_csv = client.get(url(program), {**data, "export": "csv", "table": "trend"})
    assert csv_rows(trend_csv) == [["Period", "Clicks", "Unique clicks", "Signups", "Purchases", "Revenue (USD)"],
                                   [day, "3", "3", "2", "1", "123.45"]]
    trend_xlsx = client.get(url(program), {**data, "export": "xlsx", "table": "trend"})
    rows = xlsx_rows(trend_xlsx)
    assert rows[0] == ["Period", "Clicks", "Unique clicks", "Signups", "Purchases", "Revenue (USD)"]
    assert rows[1][0].date().isoformat() == day and rows[1][1:] == [3, 3, 2, 1, 123.45]
    sheet = load_workbook(io.BytesIO(trend_xlsx.content)).active
    assert (sheet["F2"].data_type, sheet["F2"].number_format) == ("n", "#,##0.00")  # money as a number


def test_asks_export_escapes_formulas(client, owner, program, data):
    client.force_login(owner)
    header = ["Ask", "Completions", "Approved", "Points awarded"]
    assert csv_rows(client.get(url(program), {**data, "export": "csv", "table": "asks"})) == [
        header, ["Follow us", "2", "2", "100"], ['\'=HYPERLINK("http://evil.example")', "1", "1", "20"]]
    response = client.get(url(program), {**data, "export": "xlsx", "table": "asks"})
    assert xlsx_rows(response) == [header, ["Follow us", 2, 2, 100], ['\'=HYPERLINK("http://evil.example")', 1, 1, 20]]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A3"].data_type == "s"  # text, never a formula


def test_advocates_and_channels_export_what_the_page_shows(client, owner, program, data):
    client.force_login(owner)
    dashboard = client.get(url(program), data).context["dashboard"]
    advocates = csv_rows(client.get(url(program), {**data, "export": "csv", "table": "advocates"}))
    assert advocates[0] == ["Rank", "Advocate", "Signups", "Purchases", "Revenue (USD)"]
    assert advocates[1:] == [[str(rank), row["name"], str(row["signups"]), str(row["purchases"]), f"{row['revenue'] / 100:.2f}"]
                             for rank, row in enumerate(dashboard["top_advocates"], start=1)]
    channels = xlsx_rows(client.get(url(program), {**data, "export": "xlsx", "table": "channels"}))
    assert channels[0] == ["Channel", "Clicks", "Unique clicks", "Signups", "Purchases", "Revenue (USD)"]
    assert channels[1:] == [[row.get("label") or row["channel"], row["clicks"], row["unique_clicks"], row["signups"],
                             row["purchases"], row["revenue"] / 100] for row in dashboard["channels"]]


def test_unknown_export_format_or_table_is_refused(client, owner, program, data):
    client.force_login(owner)
    pdf = client.get(url(program), {**data, "export": "pdf"})
    assert pdf.status_code == 400 and pdf.content.decode() == "Choose an export format: CSV or XLSX."
    other = client.get(url(program), {**data, "export": "csv", "table": "secrets"})
    assert other.status_code == 400 and other.content.decode() == "There is no table “secrets” on this page."


def test_arabic_page_is_right_to_left_with_translated_labels(client, owner, program, data):
    client.force_login(owner)
    html = client.get(url(program), data, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert chart_data(html, "chart-funnel-data")["datasets"][0]["data"] == [3, 3, 2, 1]


def test_htmx_range_change_swaps_the_dashboard_body(client, owner, program, data):
    client.force_login(owner)
    response = client.get(url(program), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and html.startswith('<form class="date-range"')
    assert json.loads(re.search(r'<script id="chart-funnel-data" type="application/json">(.*?)</script>', html,
                                re.S).group(1))["datasets"][0]["data"] == [3, 3, 2, 1]
    assert 'hx-target="#dashboard-body"' in html and "HX-Request" in response["Vary"]
    bad = client.get(url(program), {"start": "2026-03-10", "end": "2026-03-01"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200  # htmx swaps only 2xx answers: the message shows in place
    assert "The start date must be on or before the end date." in bad.content.decode() and "<canvas" not in bad.content.decode()


def test_dashboard_and_weekly_summary_show_goal_progress(client, owner, program, data):
    from datetime import timedelta

    from chorus.notifications import weekly_summary
    from chorus.programs.goals import save_goal

    today = timezone.localdate()
    # Two referred signups so far (the fixture's data, today) against a target of 8: 25 % done.
    save_goal(program, kind="operational", name="Eight referred signups", metric="referred_signups", target=8,
              start_date=today - timedelta(days=10), deadline=today + timedelta(days=30))
    client.force_login(owner)
    html = client.get(url(program), data).content.decode()
    section = html[html.index('id="dashboard-goals"'):]
    assert "Eight referred signups" in section
    assert "2 of 8" in section and "25.0 %" in section
    assert reverse("console:plan", args=[program.slug]) in section

    numbers = weekly_summary.summary(program, today - timedelta(days=6), today)
    (progress,) = numbers["goals"]
    assert (progress.goal.name, progress.current, progress.percent_done) == ("Eight referred signups", 2, 25.0)
