"""Every console table exports: the same page with ?export=csv|xlsx (and &table=…), its filters
kept; the files are read back with the csv module and openpyxl, value by value."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chorus.campaigns.services.asks import save_ask
from chorus.campaigns.services.completions import submit_completion
from chorus.insights.models import NpsResponse
from chorus.insights.tests.conftest import make_customer
from chorus.invitations.services import invite_customers
from chorus.referrals.services.clicks import forget_cached_links, handle_click
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.referrals.services.leads import LeadInput, create_lead
from chorus.rewards import redemptions
from chorus.rewards.tests.catalog_helpers import give_points, make_item
from chorus.testing import factories

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def csv_export(client, url, **query) -> list[list[str]]:
    response = client.get(url, {**query, "export": "csv"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="') and response["Content-Disposition"].endswith('.csv"')
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_export(client, url, **query) -> list[list]:
    response = client.get(url, {**query, "export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"].endswith('.xlsx"')
    return [[cell.value for cell in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]


def page(program, name) -> str:
    return reverse(f"console:{name}", args=[program.slug])


def test_funnel_days(owner_client, program, advocate):
    forget_cached_links()
    outcome = handle_click(advocate.link.code, ip="198.51.100.7", user_agent="Mozilla/5.0 (X11; Linux) Firefox/120", referrer="")
    record_conversion(program, ConversionInput(type="signup", customer_external_id="f1", click_id=outcome.token))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="f1", amount=123456, order_id="o1"))
    today = timezone.localdate()
    query = {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
    header = ["Period", "Clicks", "Unique clicks", "Signups", "Purchases", "Revenue (USD)"]
    assert csv_export(owner_client, page(program, "funnel"), **query) == [
        header, [query["start"], "0", "0", "0", "0", "0.00"], [query["end"], "1", "1", "1", "1", "1234.56"]]
    rows = xlsx_export(owner_client, page(program, "funnel"), **query)
    assert rows[0] == header and [row[1:] for row in rows[1:]] == [[0, 0, 0, 0, 0], [1, 1, 1, 1, 1234.56]]
    assert 'export=xlsx&amp;table=days' in owner_client.get(page(program, "funnel"), query).content.decode()


def test_advocates_follow_the_search(owner_client, program, advocate):
    factories.make_advocate(program, email="max@example.com", name="+Max")
    header = ["Name", "Email", "Status", "Link code", "Promo code", "Clicks", "Signups", "Purchases", "Points"]
    rows = csv_export(owner_client, page(program, "advocates"), q="max")
    assert rows[0] == header and len(rows) == 2
    assert (rows[1][0], rows[1][1], rows[1][2], rows[1][5:]) == ("'+Max", "max@example.com", "Active", ["0", "0", "0", "0"])
    everyone = xlsx_export(owner_client, page(program, "advocates"))
    assert [(row[0], row[1], row[3]) for row in everyone[1:]] == [
        ("'+Max", "max@example.com", program.advocates.get(email="max@example.com").link.code),
        ("Jane Doe", "jane@example.com", advocate.link.code)]


def test_leaderboard(owner_client, program, advocate):
    ask = save_ask(program, {"type": "social_follow", "title": "Follow us", "points": 50, "moderation": "auto"})
    submit_completion(ask, advocate, {"url": "https://x.com/jane"})
    header = ["Rank", "Advocate", "Points earned", "Shown in the hub"]
    assert csv_export(owner_client, page(program, "leaderboard"), period="all") == [header, ["1", "Jane D.", "50", "Yes"]]
    assert xlsx_export(owner_client, page(program, "leaderboard")) == [header, [1, "Jane D.", 50, "Yes"]]


def test_nps_periods_and_responses_escape_formulas(owner_client, program):
    now = timezone.now()
    for score, comment, email in ((10, "Great", "a@example.com"), (3, "=cmd|' /C calc'!A0", "b@example.com")):
        NpsResponse.objects.create(program=program, score=score, comment=comment, email_normalized=email, source="api",
                                   category="promoter" if score >= 9 else "detractor",
                                   responded_at=now - timedelta(days=1))
    periods = xlsx_export(owner_client, page(program, "nps"), days="7", period="week", table="periods")
    assert periods[0] == ["Week of", "Answers", "Promoters", "Passives", "Detractors", "NPS"]
    assert [row[1:] for row in periods[1:] if row[1]] == [[2, 1, 0, 1, 0.0]]
    header = ["Answered at", "Score", "Category", "Person", "Email", "Comment"]
    responses = csv_export(owner_client, page(program, "nps"), table="responses")
    assert responses[0] == header
    assert [row[1:] for row in responses[1:]] == [["3", "Detractor", "", "b@example.com", "'=cmd|' /C calc'!A0"],
                                                  ["10", "Promoter", "", "a@example.com", "Great"]]
    detractors = xlsx_export(owner_client, page(program, "nps"), table="responses", category="detractor")
    assert [row[1:] for row in detractors[1:]] == [[3, "Detractor", None, "b@example.com", "'=cmd|' /C calc'!A0"]]


def test_customers_candidates_and_invitations(owner_client, owner, program, advocate):
    ana = make_customer(program, email="ana@example.com", external_id="cus_ana", name="Ana Silva", plan="Pro",
                        revenue=12345, health_score=82)
    make_customer(program, email="bo@example.com", external_id="cus_bo", name="Bo", plan="Free", revenue=0)
    header = ["Name", "Email", "Customer id", "Account", "Plan", "Revenue (USD)", "Health"]
    assert csv_export(owner_client, page(program, "customers")) == [
        header, ["Ana Silva", "ana@example.com", "cus_ana", "", "Pro", "123.45", "82"],
        ["Bo", "bo@example.com", "cus_bo", "", "Free", "0.00", ""]]
    assert xlsx_export(owner_client, page(program, "customers"), health="healthy") == [
        header, ["Ana Silva", "ana@example.com", "cus_ana", None, "Pro", 123.45, 82]]

    candidates = owner_client.get(page(program, "candidates"))
    expected = [[rank, person.name, person.email, round(float(person.score.total), 1)]
                for rank, person in enumerate(candidates.context["page"].object_list, start=1)]
    rows = xlsx_export(owner_client, page(program, "candidates"))
    assert rows[0] == ["Rank", "Person", "Email", "Score", "Factors (points added)", "Nominations", "Advocate"]
    assert [row[:4] for row in rows[1:]] == expected and len(expected) == 3
    assert sorted((row[1], row[6]) for row in rows[1:]) == [("Ana Silva", "No"), ("Bo", "No"), ("Jane Doe", "Yes")]

    invite_customers(program, [ana], user=owner)
    invitations = csv_export(owner_client, page(program, "invitations"), table="invitations")
    assert invitations[0] == ["Name", "Email", "Channel", "Stage", "Last sent", "Emails"]
    assert [row[:4] + row[5:] for row in invitations[1:]] == [["Ana Silva", "ana@example.com", "", "Sending", "1"]]
    channels = xlsx_export(owner_client, page(program, "invitations"), table="channels")
    assert channels == [["Channel", "Sent", "Clicked", "Joined", "Not sent"], ["No channel", 1, 0, 0, 0]]


def test_redemptions_follow_the_status_filter(owner_client, program, advocate):
    give_points(advocate, 1000)
    item = make_item(program, title="@Hoodie")
    redemptions.redeem(advocate, item)
    header = ["Requested", "Reward", "Status", "Advocate", "Email", "Account", "Points", "Donation", "Code",
              "Decision", "Note"]
    rows = xlsx_export(owner_client, page(program, "redemptions"))
    assert rows[0] == header
    assert rows[1][1:] == ["'@Hoodie", "Requested", "Jane Doe", "jane@example.com", None, 300, None, None, None, None]
    assert csv_export(owner_client, page(program, "redemptions"), status="fulfilled") == [header]


def test_lead_report_by_source_and_stage(owner_client, program, advocate):
    create_lead(program, LeadInput(name="Sam Lee", company="Globex", email="sam@globex.example", consent=True,
                                   advocate=advocate, deal_value=500000),
                entered_via="console")
    create_lead(program, LeadInput(name="Kim", company="Initech", source="other"), entered_via="console")
    sources = csv_export(owner_client, page(program, "lead_report"), table="sources")
    assert sources[0] == ["Source", "Leads", "Open", "Won", "Lost", "Win rate (%)", "Median days to close",
                          "Average days to close", "Average deal value (USD)", "Won value (USD)"]
    assert sources[1:] == [["Referred by an advocate", "1", "1", "0", "0", "", "", "", "", "0.00"],
                           ["Other channel", "1", "1", "0", "0", "", "", "", "", "0.00"]]
    stages = xlsx_export(owner_client, page(program, "lead_report"), table="stages")
    assert stages == [["Stage", "Leads", "Value (USD)"], ["Submitted", 2, 5000.0], ["Qualified", 0, 0], ["Won", 0, 0],
                      ["Lost", 0, 0]]


def test_teammate_exports_and_outsider_gets_404(client, teammate, outsider, program, advocate):
    client.force_login(teammate)
    assert csv_export(client, page(program, "advocates"))[1][1] == "jane@example.com"
    client.force_login(outsider)
    for name in ("advocates", "customers", "nps", "redemptions", "invitations", "lead_report", "leaderboard"):
        assert client.get(page(program, name), {"export": "csv"}).status_code == 404, name
