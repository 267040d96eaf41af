"""The recognition API: an advocate's levels and badges, the leaderboard, all scoped to the key's program."""

import pytest

from chorus.advocates.models import Advocate
from chorus.rewards import badges, points
from chorus.testing import factories
from chorus.testing.api_client import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key)


def earn(advocate, amount):
    points.credit(advocate, amount, source=factories.make_advocate(advocate.program, name="Source Row"))


def test_levels_of_an_advocate(api, advocate):
    earn(advocate, 2100)
    points.debit(advocate, 2000, source=factories.make_advocate(advocate.program))
    badges.award_earned_badges(advocate)
    response = api.get(f"/advocates/{advocate.pk}/levels")
    assert response.status_code == 200
    body = response.json()
    assert (body["advocate_id"], body["points_earned"], body["points_to_next"], body["progress_percent"]) == (
        advocate.pk, 2100, 2900, 3)
    assert (body["level"]["name"], body["level"]["rank"], body["next_level"]["name"]) == ("Champion", 2, "Legend")
    assert body["level"]["names"]["ja"] == "チャンピオン"
    assert [(step["name"], step["reached"], step["reached_at"] is not None) for step in body["levels"]] == [
        ("Fan", True, False), ("Insider", True, True), ("Champion", True, True), ("Legend", False, False)]


def test_level_names_follow_accept_language(api, advocate):
    body = api.get(f"/advocates/{advocate.pk}/levels", **{"Accept-Language": "ar"}).json()
    assert (body["level"]["name"], body["next_level"]["name"]) == ("معجب", "من الداخل")
    assert api.get(f"/advocates/{advocate.pk}/levels").json()["level"]["name"] == "Fan"
    assert api.get(f"/advocates/{advocate.pk}/levels", **{"Accept-Language": "ja"}).json()["level"]["name"] == "ファン"


def test_badges_of_an_advocate_newest_first_with_pages(api, advocate):
    earn(advocate, 1000)
    badges.award_earned_badges(advocate)
    body = api.get(f"/advocates/{advocate.pk}/badges").json()
    assert [(item["badge"]["slug"], item["badge"]["rule"], item["badge"]["threshold"]) for item in body["items"]] == [
        ("thousand-points", "points_earned", 1000), ("early-adopter", "early_adopter", 30)]
    assert body["next_cursor"] is None
    first = api.get(f"/advocates/{advocate.pk}/badges?limit=1").json()
    assert [item["badge"]["slug"] for item in first["items"]] == ["thousand-points"]
    rest = api.get(f"/advocates/{advocate.pk}/badges?limit=1&cursor={first['next_cursor']}").json()
    assert ([item["badge"]["slug"] for item in rest["items"]], rest["next_cursor"]) == (["early-adopter"], None)


def test_leaderboard_by_points_earned_without_opted_out_advocates(api, program, advocate):
    bo = factories.make_advocate(program, email="bo@example.com", name="Bo Berg")
    cy = factories.make_advocate(program, email="cy@example.com", name="Cy Chan")
    earn(advocate, 300)
    earn(bo, 500)
    earn(cy, 900)
    Advocate.objects.filter(pk=cy.pk).update(show_on_leaderboard=False)
    body = api.get("/leaderboard?period=all").json()
    assert body == {"period": "all", "items": [
        {"rank": 1, "advocate_id": bo.pk, "name": "Bo B.", "points": 500},
        {"rank": 2, "advocate_id": advocate.pk, "name": "Jane D.", "points": 300}]}
    assert api.get("/leaderboard").json()["period"] == "month"


@pytest.mark.parametrize("query", ["period=week", "limit=0", "limit=101"])
def test_leaderboard_bad_input_is_422(api, query):
    response = api.get(f"/leaderboard?{query}")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"


def test_another_programs_advocate_is_404(api, workspace):
    stranger = factories.make_advocate(factories.make_program(workspace), email="stranger@example.com")
    for path in ("levels", "badges"):
        response = api.get(f"/advocates/{stranger.pk}/{path}")
        assert response.status_code == 404
        assert response.json()["message"] == "No advocate with this id in this program."


def test_needs_a_key(client, advocate):
    assert ApiClient(client, None).get(f"/advocates/{advocate.pk}/levels").status_code == 401
