"""The console's Influence and Virality & forecast pages on the hand-computed dataset."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chorus.analytics.models import InfluenceWeights, RevenueCredit
from chorus.core.models import AuditEvent

from . import fixture

MAY = {"start": "2026-05-01", "end": "2026-05-31"}


@pytest.fixture
def data(workspace):
    return fixture.build(workspace)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_influence_page_ranks_and_shows_parts(owner_client, data):
    response = owner_client.get(reverse("console:influence", args=[data.program.slug]), MAY)
    assert response.status_code == 200
    rows = response.context["result"].rows
    assert [row.advocate.name for row in rows] == ["Ann", "Cat", "Ben"]
    html = response.content.decode()
    assert "68.33" in html and "46.67" in html and "45.83" in html
    assert "Attributed revenue: 40 %" in html and "+3.33 points" in html


def test_influence_csv_export(owner_client, data):
    response = owner_client.get(reverse("console:influence_export", args=[data.program.slug]), MAY)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="influence-hand-2026-05-01-2026-05-31.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:7] == ["Rank", "Advocate", "Email", "Score", "Attributed revenue (USD)",
                           "Attributed revenue (scaled 0–100)", "Attributed revenue (points, weight 40 %)"]
    assert [row[:4] for row in rows[1:]] == [["1", "Ann", "ann@example.com", "68.33"],
                                             ["2", "Cat", "cat@example.com", "46.67"],
                                             ["3", "Ben", "ben@example.com", "45.83"]]
    assert rows[3][4:7] == ["9.99", "8.32", "3.33"]  # Ben's revenue 999 cents, scaled 8.325, 3.33 points


def test_weights_are_edited_with_validation(owner_client, data):
    url = reverse("console:influence_weights", args=[data.program.slug])
    bad = owner_client.post(url, {"revenue": 50, "referrals": 50, "completions": 10, "shares": 0, "engagement": 0})
    assert bad.status_code == 422
    assert "The weights must add up to 100 (now 110)." in bad.content.decode()
    negative = owner_client.post(url, {"revenue": -5, "referrals": 50, "completions": 55, "shares": 0, "engagement": 0})
    assert negative.status_code == 422
    assert not InfluenceWeights.objects.exists()
    good = owner_client.post(url, {"revenue": 0, "referrals": 0, "completions": 100, "shares": 0, "engagement": 0})
    assert good.status_code == 302
    assert InfluenceWeights.objects.get().as_dict() == {
        "revenue": 0, "referrals": 0, "completions": 100, "shares": 0, "engagement": 0}
    assert AuditEvent.objects.filter(action="influence_weights.updated").count() == 1


def test_teammates_cannot_change_weights_or_recompute(client, teammate, data):
    client.force_login(teammate)
    assert client.get(reverse("console:influence", args=[data.program.slug]), MAY).status_code == 200
    response = client.post(reverse("console:influence_weights", args=[data.program.slug]),
                           {"revenue": 0, "referrals": 0, "completions": 100, "shares": 0, "engagement": 0})
    assert response.status_code in (403, 404)
    assert client.post(reverse("console:influence_recompute", args=[data.program.slug]), MAY).status_code in (403, 404)
    assert not InfluenceWeights.objects.exists()


def test_outsiders_see_nothing(client, outsider, data):
    client.force_login(outsider)
    assert client.get(reverse("console:influence", args=[data.program.slug])).status_code == 404
    assert client.get(reverse("console:virality", args=[data.program.slug])).status_code == 404


def test_recompute_button_after_changing_the_model(owner_client, data):
    settings_url = reverse("console:settings", args=[data.program.slug])
    from chorus.console.tests.test_programs import settings_data

    response = owner_client.post(settings_url, settings_data(data.program, credit_model="time_decay",
                                                             credit_half_life_days="7"))
    assert response.status_code == 302
    response = owner_client.post(reverse("console:influence_recompute", args=[data.program.slug]), MAY)
    assert response.status_code == 302
    assert set(RevenueCredit.objects.values_list("model", flat=True)) == {"time_decay"}
    amounts = dict(RevenueCredit.objects.filter(conversion__order_id="o1").values_list("advocate__name", "amount"))
    assert amounts == {"Ann": 5714, "Ben": 2857, "Cat": 1429}


def test_settings_refuse_a_zero_half_life(owner_client, data):
    from chorus.console.tests.test_programs import settings_data

    response = owner_client.post(reverse("console:settings", args=[data.program.slug]),
                                 settings_data(data.program, credit_model="time_decay", credit_half_life_days="0"))
    assert response.status_code == 422
    data.program.refresh_from_db()
    assert (data.program.credit_model, data.program.credit_half_life_days) == ("last_touch", 7)
    response = owner_client.post(reverse("console:settings", args=[data.program.slug]),
                                 settings_data(data.program, credit_model="w_shaped"))
    assert response.status_code == 422


def test_virality_page_with_the_calculator(owner_client, data):
    # 180 days = 6 months; 2 invites a month × 25 % → 3 customers per advocate → 120 / 3 = 40 advocates;
    # 4 advocates had joined by the end of last month (Dan from June) → 36 more.
    deadline = timezone.localdate() + timedelta(days=180)
    response = owner_client.get(reverse("console:virality", args=[data.program.slug]), {
        "start": "2026-03-01", "end": "2026-05-31", "months": "3",
        "goal": "120", "deadline": deadline.isoformat(), "invites_per_advocate": "2", "conversion_rate": "25"})
    assert response.status_code == 200
    months = response.context["months"]
    assert [(row.invites, row.signups) for row in months] == [(0, 2), (1, 3), (6, 4)]
    calculator = response.context["calculator"]
    assert (calculator.months, calculator.needed, calculator.current_advocates, calculator.missing) == (6, 40, 4, 36)
    html = response.content.decode()
    assert "you need 40 active advocates" in html and "36 more are needed" in html


def test_virality_bad_inputs(owner_client, data):
    url = reverse("console:virality", args=[data.program.slug])
    assert owner_client.get(url, {"start": "2026-05-01", "end": "2026-03-01"}).status_code == 400
    assert owner_client.get(url, {"goal": "100", "deadline": "2020-01-01"}).status_code == 400
    assert owner_client.get(url, {"goal": "-1", "deadline": "2099-01-01"}).status_code == 400


def test_pages_are_right_to_left_in_arabic(owner_client, data):
    for name in ("console:influence", "console:virality"):
        response = owner_client.get(reverse(name, args=[data.program.slug]), HTTP_ACCEPT_LANGUAGE="ar")
        assert (response.status_code, '<html lang="ar" dir="rtl">' in response.content.decode()) == (200, True), name


def _xlsx(response) -> list[list]:
    from openpyxl import load_workbook

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return [[cell.value for cell in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]


def test_influence_xlsx_export_from_the_page(owner_client, data):
    response = owner_client.get(reverse("console:influence", args=[data.program.slug]), {**MAY, "export": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="influence-hand-2026-05-01-2026-05-31.xlsx"'
    rows = _xlsx(response)
    assert rows[0][:5] == ["Rank", "Advocate", "Email", "Score", "Attributed revenue (USD)"]
    assert [row[:4] for row in rows[1:]] == [[1, "Ann", "ann@example.com", 68.33], [2, "Cat", "cat@example.com", 46.67],
                                            [3, "Ben", "ben@example.com", 45.83]]
    assert rows[3][4:7] == [9.99, 8.32, 3.33]  # money as a number in dollars
    page = owner_client.get(reverse("console:influence", args=[data.program.slug]), MAY).content.decode()
    assert 'href="?start=2026-05-01&amp;end=2026-05-31&amp;export=xlsx&amp;table=influence"' in page


def test_virality_and_forecast_export(owner_client, data):
    url = reverse("console:virality", args=[data.program.slug])
    query = {"start": "2026-03-01", "end": "2026-05-31", "months": "3"}
    months = owner_client.get(url, {**query, "export": "csv", "table": "months"})
    assert months["Content-Disposition"] == 'attachment; filename="hand-virality-2026-03-01-2026-05-31.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(months.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Month", "Advocates", "Sharing advocates", "Invites", "Invites per advocate", "Signups",
                       "Conversion rate (%)", "K-factor", "Cycle time (days)"]
    assert [(row[0], row[3], row[5]) for row in rows[1:]] == [("2026-03-01", "0", "2"), ("2026-04-01", "1", "3"),
                                                              ("2026-05-01", "6", "4")]
    page = owner_client.get(url, query)
    forecast = _xlsx(owner_client.get(url, {**query, "export": "xlsx", "table": "forecast"}))
    assert forecast[0] == ["Month", "From today's advocates", "From compounding", "New customers"]
    expected = [[month, round(float(seeded), 1), round(float(compounded), 1), round(float(total), 1)]
                for month, seeded, compounded, total in page.context["forecast"].months]
    assert [[row[0].date(), *row[1:]] for row in forecast[1:]] == expected and len(expected) == 3
