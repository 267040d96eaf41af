"""The analytics API on the hand-computed dataset (numbers explained in test_hand_computed.py)."""

import pytest

from chorus.analytics.models import RevenueCredit
from chorus.testing import factories
from chorus.testing.api_client import ApiClient

from . import fixture


@pytest.fixture
def data(workspace):
    return fixture.build(workspace)


@pytest.fixture
def api(client, data):
    _key, raw = factories.make_api_key(data.program, scopes=["read"])
    return ApiClient(client, raw)


def test_attribution_per_model(api, data):
    response = api.get("/analytics/attribution?from=2026-05-01&to=2026-05-31&model=time_decay&half_life_days=7")
    assert response.status_code == 200
    body = response.json()
    assert (body["model"], body["half_life_days"], body["currency"], body["total"]) == ("time_decay", 7, "USD", 15999)
    assert [(row["name"], row["amount"]) for row in body["advocates"]] == [("Ann", 7714), ("Cat", 4736), ("Ben", 3549)]
    stored = api.get("/analytics/attribution?from=2026-05-01&to=2026-05-31").json()  # the program's: last touch
    assert stored["model"] == "last_touch"
    assert [(row["name"], row["amount"]) for row in stored["advocates"]] == [("Ann", 12000), ("Cat", 3000), ("Ben", 999)]


@pytest.mark.parametrize("query, status, field", [
    ("from=2026-05-31&to=2026-05-01", 422, "from"),
    ("from=2026-05-01&to=2026-05-31&model=w_shaped", 422, "model"),
    ("from=2026-05-01&to=2026-05-31&model=time_decay&half_life_days=0", 422, "half_life_days"),
])
def test_attribution_bad_input(api, query, status, field):
    before = RevenueCredit.objects.count()
    response = api.get(f"/analytics/attribution?{query}")
    assert response.status_code == status
    assert field in response.json()["field_errors"]
    assert RevenueCredit.objects.count() == before


def test_attribution_bad_date_is_a_4xx(api):
    response = api.get("/analytics/attribution?from=May&to=2026-05-31")
    assert 400 <= response.status_code < 500 and response.json()["error"]


def test_influence(api):
    response = api.get("/analytics/influence?from=2026-05-01&to=2026-05-31")
    assert response.status_code == 200
    body = response.json()
    assert body["weights"] == {"revenue": 40, "referrals": 25, "completions": 15, "shares": 10, "engagement": 10}
    assert [(row["rank"], row["name"], row["score"]) for row in body["advocates"]] == [
        (1, "Ann", 68.33), (2, "Cat", 46.67), (3, "Ben", 45.83)]
    assert body["advocates"][2]["parts"]["revenue"] == {"value": 999, "scaled": 8.32, "points": 3.33}
    assert api.get("/analytics/influence?from=2026-05-31&to=2026-05-01").status_code == 422


def test_virality(api):
    response = api.get("/analytics/virality?from=2026-03-01&to=2026-05-31&months=2")
    assert response.status_code == 200
    body = response.json()
    assert [(row["month"], row["invites"], row["signups"], row["k_factor"], row["cycle_time_days"])
            for row in body["months"]] == [
        ("2026-03", 0, 2, 0.6667, 19.5), ("2026-04", 1, 3, 1.0, 68.5), ("2026-05", 6, 4, 1.3333, 130.5)]
    assert len(body["forecast"]["months"]) == 2
    assert api.get("/analytics/virality?from=2026-05-01&to=2026-03-01").status_code == 422
    assert api.get("/analytics/virality?months=0").status_code == 422


def test_another_programs_key_sees_its_own_program(client, data, workspace):
    other = factories.make_program(workspace)
    _key, raw = factories.make_api_key(other, scopes=["read"])
    body = ApiClient(client, raw).get("/analytics/attribution?from=2026-05-01&to=2026-05-31").json()
    assert (body["total"], body["advocates"]) == (0, [])
