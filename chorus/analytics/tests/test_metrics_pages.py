"""The console's Metrics page, its glossary, acquisition costs, and `GET /api/v1/analytics/metrics`,
on the hand-computed dataset (numbers explained in test_metric_catalogue.py)."""

from datetime import date

import pytest
from django.urls import reverse

from chorus.analytics import catalogue
from chorus.analytics.models import AcquisitionCost
from chorus.core.models import AuditEvent
from chorus.testing import factories
from chorus.testing.api_client import ApiClient

from .metrics_fixture import build_metrics

MAY = {"start": "2026-05-01", "end": "2026-05-31"}


@pytest.fixture
def data(workspace, owner):
    return build_metrics(workspace, owner)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_owner_sees_every_metric(owner_client, data):
    response = owner_client.get(reverse("console:metrics", args=[data.program.slug]), MAY)
    assert response.status_code == 200
    html = response.content.decode()
    results = {result.metric.key: result.value for section in response.context["sections"] for result in section.results}
    assert set(results) == {metric.key for metric in catalogue.metrics()}
    assert results["referred_signups"] == 5 and results["cac_other"] == 16000.0
    # Formatted by unit: money in the currency, percentages with one decimal.
    assert "162.99 USD" in html  # referred revenue 16299
    assert "160.00 USD" in html  # CAC of other channels 16000
    assert "66.7 %" in html  # referred lead conversion 2/3
    assert "Advocate conversion (invited → joined)" in html and 'aria-current="page">Metrics<' in html


def test_breakdown_is_swapped_with_htmx(owner_client, data):
    url = reverse("console:metrics", args=[data.program.slug])
    response = owner_client.get(url, {**MAY, "by": "channel"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "console/_metrics_table.html"
    html = response.content.decode()
    assert "<html" not in html and "CSM outreach" in html and "Facebook" in html and "Google Ads" in html
    rows = {result.metric.key: result.rows for section in response.context["sections"] for result in section.results}
    assert [(row.label, row.value) for row in rows["invitations_sent"]] == [
        ("CSM outreach", 2), ("LinkedIn post", 1), ("Not through a channel", 1)]
    assert rows["cac_referral"] is None  # no channel breakdown: total only
    assert "Not available" in html


@pytest.mark.parametrize("query, message", [
    ({"start": "2026-05-31", "end": "2026-05-01"}, "The start date must be on or before the end date."),
    ({"start": "2026-02-30", "end": "2026-05-01"}, "Enter a valid date."),
    ({"start": "2020-01-01", "end": "2026-05-01"}, "Choose at most 731 days."),
    ({**MAY, "by": "weekday"}, "Select a valid choice."),
])
def test_bad_input_gives_a_message(owner_client, data, query, message):
    response = owner_client.get(reverse("console:metrics", args=[data.program.slug]), query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["sections"] is None


def test_glossary_lists_every_metric_from_the_catalogue(owner_client, data):
    response = owner_client.get(reverse("console:metrics_glossary", args=[data.program.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    for metric in catalogue.metrics():
        assert f'id="{metric.key}"' in html
        assert str(metric.formula).replace("'", "&#x27;").replace("“", "“") in html
    assert "Approved completions of asks of the types “Write a review”, approved in the period." in html
    assert "Unit: Percent (0–100)." in html and "Breakdowns: Program, Ask, Channel, Segment (language), Month." in html


def test_teammate_reads_but_cannot_add_costs(client, teammate, data):
    client.force_login(teammate)
    assert client.get(reverse("console:metrics", args=[data.program.slug]), MAY).status_code == 200
    assert client.get(reverse("console:metrics_glossary", args=[data.program.slug])).status_code == 200
    response = client.post(reverse("console:metrics_cost_add", args=[data.program.slug]),
                           {"month": "2026-07", "channel": "Podcast", "category": "advertising", "amount": "10"})
    assert response.status_code == 404
    cost = AcquisitionCost.objects.first()
    assert client.post(reverse("console:metrics_cost_delete", args=[data.program.slug, cost.pk])).status_code == 404
    assert AcquisitionCost.objects.count() == 7


def test_outsider_gets_404(client, outsider, data):
    client.force_login(outsider)
    slug = data.program.slug
    cost = AcquisitionCost.objects.first()
    assert client.get(reverse("console:metrics", args=[slug]), MAY).status_code == 404
    assert client.get(reverse("console:metrics_glossary", args=[slug])).status_code == 404
    assert client.post(reverse("console:metrics_cost_add", args=[slug]),
                       {"month": "2026-07", "channel": "Podcast", "category": "advertising", "amount": "10"}
                       ).status_code == 404
    assert client.post(reverse("console:metrics_cost_delete", args=[slug, cost.pk])).status_code == 404
    assert AcquisitionCost.objects.count() == 7


def test_owner_adds_and_deletes_a_cost(owner_client, owner, data):
    slug = data.program.slug
    response = owner_client.post(reverse("console:metrics_cost_add", args=[slug]), {
        "month": "2026-07", "channel": "Podcast", "category": "advertising", "amount": "123.45", "note": "July ads"})
    assert response.status_code == 302
    cost = AcquisitionCost.objects.get(month=date(2026, 7, 1))
    assert (cost.channel, cost.amount, cost.note, cost.created_by) == ("Podcast", 12345, "July ads", owner)
    assert AuditEvent.objects.filter(action="acquisition_cost.added", target_id=str(cost.pk)).exists()
    page = owner_client.get(reverse("console:metrics", args=[slug]), {"start": "2026-07-01", "end": "2026-07-31"})
    assert "123.45 USD" in page.content.decode()
    results = {result.metric.key: result.value for section in page.context["sections"] for result in section.results}
    assert results["acquisition_cost_other"] == 12345
    response = owner_client.post(reverse("console:metrics_cost_delete", args=[slug, cost.pk]))
    assert response.status_code == 302
    assert not AcquisitionCost.objects.filter(pk=cost.pk).exists()


@pytest.mark.parametrize("fields, field", [
    ({"month": "2026-07", "channel": "Podcast", "category": "advertising", "amount": "0"}, "amount"),
    ({"month": "2026-07", "channel": "Podcast", "category": "advertising", "amount": "1.234"}, "amount"),
    ({"month": "July", "channel": "Podcast", "category": "advertising", "amount": "5"}, "month"),
    ({"month": "2026-07", "channel": "  ", "category": "advertising", "amount": "5"}, "channel"),
    ({"month": "2026-07", "channel": "Podcast", "category": "bribes", "amount": "5"}, "category"),
])
def test_bad_costs_are_refused(owner_client, data, fields, field):
    response = owner_client.post(reverse("console:metrics_cost_add", args=[data.program.slug]), fields)
    assert response.status_code == 422
    assert field in response.context["cost_form"].errors
    assert AcquisitionCost.objects.count() == 7


# --- API -------------------------------------------------------------------------------------

@pytest.fixture
def api(client, data):
    _key, raw = factories.make_api_key(data.program, scopes=["read"])
    return ApiClient(client, raw)


def test_api_every_metric(api):
    response = api.get("/analytics/metrics?from=2026-05-01&to=2026-05-31")
    assert response.status_code == 200
    body = response.json()
    assert (body["start"], body["end"], body["currency"], body["by"]) == ("2026-05-01", "2026-05-31", "USD", None)
    values = {metric["key"]: metric["value"] for metric in body["metrics"]}
    assert values["referred_signups"] == 5 and values["referred_revenue"] == 16299
    assert values["referred_lead_conversion"] == 66.6667 and values["clv_referred"] == 4563.72
    signups = next(metric for metric in body["metrics"] if metric["key"] == "referred_signups")
    assert signups["unit"] == "count" and signups["cumulative"] is True and signups["rows"] is None
    assert signups["breakdowns"] == ["program", "channel", "segment", "month"]


def test_api_one_metric_by_segment(api):
    body = api.get("/analytics/metrics?from=2026-05-01&to=2026-05-31&metric=engagement_rate&by=segment").json()
    assert [metric["key"] for metric in body["metrics"]] == ["engagement_rate"]
    assert body["metrics"][0]["rows"] == [
        {"key": "de", "label": "German", "value": 100.0}, {"key": "ja", "label": "Japanese", "value": 100.0},
        {"key": "pl", "label": "Polish", "value": 100.0}, {"key": "", "label": "Not set", "value": 0.0}]
    months = api.get("/analytics/metrics?from=2026-03-01&to=2026-05-31&metric=referred_signups&by=month").json()
    assert [(row["key"], row["value"]) for row in months["metrics"][0]["rows"]] == [
        ("2026-03", 2), ("2026-04", 3), ("2026-05", 5)]


@pytest.mark.parametrize("query, status, field", [
    ("from=2026-05-31&to=2026-05-01", 422, "from"),
    ("from=2026-05-01&to=2026-05-31&metric=happiness", 422, "metric"),
    ("from=2026-05-01&to=2026-05-31&by=weekday", 422, "by"),
    ("from=2026-05-01&to=2026-05-31&metric=cac_referral&by=channel", 422, "by"),
    ("from=2026-13-01&to=2026-05-31", 422, "from"),
    ("from=2020-01-01&to=2026-05-31", 422, "from"),
])
def test_api_bad_input(api, query, status, field):
    response = api.get(f"/analytics/metrics?{query}")
    assert response.status_code == status, response.content
    body = response.json()
    assert body["message"] and field in body["field_errors"], body


def test_api_needs_a_key(client, data):
    assert client.get("/api/v1/analytics/metrics").status_code == 401


def test_htmx_bad_range_swaps_in_the_message(owner_client, data):
    response = owner_client.get(reverse("console:metrics", args=[data.program.slug]),
                                {"start": "2026-05-31", "end": "2026-05-01", "by": "month"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps only 2xx answers
    html = response.content.decode()
    assert 'role="alert"' in html and "The start date must be on or before the end date." in html
    assert response.context["sections"] is None
