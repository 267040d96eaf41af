"""/api/v1/goals and /api/v1/personas: progress in every answer, scopes, clear refusals that change nothing."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.advocates.models import Advocate
from chorus.programs.goals import save_goal
from chorus.programs.models import Goal, GoalStage, Persona
from chorus.testing import factories
from chorus.testing.api_client import API, ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key)


def send(api, method: str, path: str, body=None):
    call = getattr(api.client, method)
    return call(API + path, data=json.dumps(body) if body is not None else None, content_type="application/json",
                headers={"Authorization": f"Bearer {api.key}"})


def goal_body(today, **fields):
    return {"kind": "operational", "name": "20 advocates", "metric": "advocates_joined", "target": 20,
            "start_date": (today - timedelta(days=49)).isoformat(), "deadline": (today + timedelta(days=50)).isoformat(),
            **fields}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def ten_joined(program):
    for index in range(10):
        advocate = factories.make_advocate(program, email=f"j{index}@example.com")
        Advocate.objects.filter(pk=advocate.pk).update(joined_at=timezone.now() - timedelta(days=index))


def test_create_get_list_update_delete(api, program, today, ten_joined):
    stage_day = (today + timedelta(days=10)).isoformat()
    response = api.post("/goals", goal_body(today, stages=[{"date": stage_day, "target": 12}]))
    assert response.status_code == 201, response.content
    body = response.json()
    goal = Goal.objects.get()
    # 10 joined in 50 of 100 days → projected 20 = the target: on track; 10 more over 50 days = 1.4 a week
    assert body["id"] == goal.pk and body["metric_label"] == "Advocates joined" and body["unit"] == "count"
    assert body["stages"] == [{"date": stage_day, "target": 12.0}]
    assert body["progress"] == {
        "current": 10, "percent_done": 50.0, "expected": 10, "projected": 20, "status": "on_track",
        "needed_per_week": 1.4, "current_per_week": 1.4, "next_stage": {"date": stage_day, "target": 12.0},
        "next_stage_met": False, "advocates_needed": None, "advocates_missing": None}

    assert api.get(f"/goals/{goal.pk}").json() == body
    assert api.get("/goals").json() == {"items": [body]}

    response = send(api, "patch", f"/goals/{goal.pk}", {"target": 30, "notes": "Stretch"})
    assert response.status_code == 200
    assert (response.json()["target"], response.json()["progress"]["status"], response.json()["notes"]) == (
        30.0, "behind", "Stretch")  # projected 20 < 24 (80 % of 30)
    assert GoalStage.objects.count() == 1  # stages kept when not sent
    assert send(api, "patch", f"/goals/{goal.pk}", {"stages": []}).json()["stages"] == []

    assert send(api, "delete", f"/goals/{goal.pk}").status_code == 204
    assert Goal.objects.count() == 0


@pytest.mark.parametrize(("fields", "status", "field"), [
    ({"metric": "nope"}, 422, "metric"),
    ({"deadline": "2000-01-01"}, 422, "deadline"),
    ({"target": 2.5}, 422, "target"),
    ({"kind": "tactical"}, 422, "kind"),
    ({"parent_id": 999999}, 422, "parent_id"),
    ({"stages": [{"date": "1999-01-01", "target": 5}]}, 422, "stages"),
    ({"colour": "red"}, 422, None),
])
def test_bad_goals_are_refused(api, today, fields, status, field):
    response = api.post("/goals", goal_body(today, **fields))
    assert response.status_code == status, response.content
    body = response.json()
    assert body["message"]
    if field:
        assert field in json.dumps(body["field_errors"])
    assert Goal.objects.count() == 0


def test_not_found_conflict_and_scopes(api, client, program, workspace, today):
    parent = save_goal(program, kind="strategic", name="Revenue", metric="referred_revenue", target=100,
                       start_date=today, deadline=today + timedelta(days=300))
    api.post("/goals", goal_body(today, parent_id=parent.pk))
    response = send(api, "delete", f"/goals/{parent.pk}")
    assert response.status_code == 409
    assert response.json()["message"] == "Goals sit under “Revenue”: delete them or move them first."
    other = save_goal(factories.make_program(workspace), kind="strategic", name="Other", metric="referred_revenue",
                      target=1, start_date=today, deadline=today + timedelta(days=3))
    assert api.get(f"/goals/{other.pk}").status_code == 404
    assert send(api, "patch", f"/goals/{other.pk}", {"name": "Mine"}).status_code == 404
    assert send(api, "delete", f"/goals/{other.pk}").status_code == 404
    assert send(api, "patch", f"/goals/{parent.pk}", {"name": None}).status_code == 422
    _key, read_only = factories.make_api_key(program, scopes=["read"])
    reader = ApiClient(client, read_only)
    assert reader.get("/goals").status_code == 200
    assert reader.post("/goals", goal_body(today)).status_code == 403
    assert (Goal.objects.count(), Goal.objects.get(pk=other.pk).name) == (3, "Other")


def test_personas(api, program):
    factories.make_advocate(program, email="ann@example.com", name="Ann", language="de")
    factories.make_advocate(program, email="ben@example.com", name="Ben", language="en")
    response = api.post("/personas", {"name": "German speakers", "languages": ["de"], "min_referrals": 0})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["languages"], body["count"], [row["name"] for row in body["sample"]]) == (
        "German speakers", ["de"], 1, ["Ann"])
    assert api.get("/personas").json() == {"items": [body]}
    duplicate = api.post("/personas", {"name": "German speakers"})
    assert duplicate.status_code == 409 and duplicate.json()["message"] == "A persona named “German speakers” exists already."
    unknown_level = api.post("/personas", {"name": "Legends", "min_level_id": 999999})
    assert unknown_level.status_code == 422 and "min_level_id" in unknown_level.json()["field_errors"]
    assert api.post("/personas", {"name": "Odd", "languages": ["klingon"]}).status_code == 422
    assert Persona.objects.count() == 1
