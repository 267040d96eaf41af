"""The asks API: asks (list, create, update), completions (submit, approve, reject), events."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.campaigns.models import AdvocateEvent, Ask, AskOpening, Completion
from chorus.rewards import points
from chorus.testing import factories
from chorus.testing.api_client import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(bare_program):
    _key, raw = factories.make_api_key(bare_program)
    return raw


@pytest.fixture
def api(client, key):
    return ApiClient(client, key)


def patch(api, path, body):
    return api.client.patch("/api/v1" + path, data=json.dumps(body), content_type="application/json",
                            headers={"Authorization": f"Bearer {api.key}"})


SURVEY = {"type": "survey", "title": "Two questions", "titles": {"de": "Zwei Fragen"}, "points": 150,
          "body": "<p>Quick<script>x()</script></p>", "moderation": "auto", "ends_at": "2031-01-01T00:00:00Z",
          "config": {"questions": [{"key": "nps", "kind": "scale", "label": "Recommend us?"}]}}


def test_create_list_get_and_update(api, bare_program):
    created = api.post("/asks", SURVEY)
    assert created.status_code == 201
    body = created.json()
    assert (body["type"], body["body"], body["is_limited_time"], body["titles"]) == \
        ("survey", "<p>Quick</p>", True, {"de": "Zwei Fragen"})
    ask_id = body["id"]
    listing = api.get("/asks?type=survey").json()
    assert [(item["id"], item["type"]) for item in listing["items"]] == [(ask_id, "survey")]
    assert listing["next_cursor"] is None
    assert api.get("/asks?type=review").json()["items"] == []
    updated = patch(api, f"/asks/{ask_id}", {"points": 175, "max_per_advocate": None})
    assert updated.status_code == 200
    assert (updated.json()["points"], updated.json()["max_per_advocate"], updated.json()["title"]) == \
        (175, None, "Two questions")
    assert api.get(f"/asks/{ask_id}").json()["points"] == 175


def test_invalid_asks_are_refused_with_field_errors(api, bare_program):
    response = api.post("/asks", {"type": "teleport", "title": ""})
    assert response.status_code == 422
    assert response.json()["field_errors"] == {"type": ["Choose one of the ask types."],
                                               "title": ["Give a title of at most 200 characters."]}
    named = api.post("/asks", {"type": "beta", "title": "Beta", "audience": "named", "named_advocate_ids": [999]})
    assert named.status_code == 422
    assert named.json()["field_errors"]["named_advocate_ids"] == ["Some advocates are not in this program."]
    extra = api.post("/asks", {"type": "beta", "title": "Beta", "colour": "red"})
    assert extra.status_code == 422
    assert not Ask.objects.exists()
    assert patch(api, "/asks/999", {"points": 1}).status_code == 404


def test_other_programs_asks_are_invisible(api, workspace):
    other = factories.make_program(workspace, slug="other", starter_pack=False)
    _key, raw = factories.make_api_key(other)
    ask_id = ApiClient(api.client, raw).post("/asks", {"type": "news", "title": "Other news"}).json()["id"]
    assert api.get(f"/asks/{ask_id}").status_code == 404
    assert api.get("/asks").json()["items"] == []


def test_submit_auto_approved_completion(api, bare_program, member):
    ask_id = api.post("/asks", SURVEY).json()["id"]
    bad = api.post(f"/asks/{ask_id}/completions", {"advocate_id": member.pk, "data": {"nps": 42}})
    assert bad.status_code == 422 and bad.json()["field_errors"] == {"nps": ["Choose a number from 0 to 10."]}
    done = api.post(f"/asks/{ask_id}/completions", {"advocate_id": member.pk, "data": {"nps": 10}},
                    idempotency_key="c-1")
    assert done.status_code == 201
    assert (done.json()["status"], done.json()["data"], done.json()["points"]) == ("approved", {"answers": {"nps": 10}}, 150)
    replay = api.post(f"/asks/{ask_id}/completions", {"advocate_id": member.pk, "data": {"nps": 10}},
                      idempotency_key="c-1")
    assert replay.status_code == 201 and replay.json()["id"] == done.json()["id"]
    twice = api.post(f"/asks/{ask_id}/completions", {"advocate_id": member.pk, "data": {"nps": 3}})
    assert twice.status_code == 409
    assert twice.json() == {"error": "already_completed", "message": "You have already completed this ask.",
                            "field_errors": {}}
    assert points.balance(member) == 150 and Completion.objects.count() == 1


def test_expired_not_open_and_unknown_advocate(api, bare_program, member):
    now = timezone.now()
    ended = api.post("/asks", {"type": "social_follow", "title": "Old", "starts_at": (now - timedelta(days=3)).isoformat(),
                               "ends_at": (now - timedelta(days=1)).isoformat()}).json()["id"]
    response = api.post(f"/asks/{ended}/completions", {"advocate_id": member.pk, "data": {"url": "https://x.com/m"}})
    assert response.status_code == 410 and response.json()["error"] == "ask_ended"
    future = api.post("/asks", {"type": "social_follow", "title": "Soon",
                                "starts_at": (now + timedelta(days=1)).isoformat()}).json()["id"]
    response = api.post(f"/asks/{future}/completions", {"advocate_id": member.pk, "data": {"url": "https://x.com/m"}})
    assert response.status_code == 409 and response.json()["error"] == "ask_not_open"
    response = api.post(f"/asks/{future}/completions", {"advocate_id": 987654, "data": {}})
    assert response.status_code == 404
    assert not Completion.objects.exists()


def test_approve_and_reject(api, bare_program, member):
    ask_id = api.post("/asks", {"type": "blog_comment", "title": "Comment", "points": 60,
                                "moderation": "review"}).json()["id"]
    first = api.post(f"/asks/{ask_id}/completions", {"advocate_id": member.pk,
                                                     "data": {"url": "https://blog.example.com/p#c1"}}).json()
    assert first["status"] == "pending" and points.balance(member) == 0
    approved = api.post(f"/completions/{first['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert api.post(f"/completions/{first['id']}/approve").json()["status"] == "approved"
    assert points.balance(member) == 60
    conflict = api.post(f"/completions/{first['id']}/reject", {"reason": "changed my mind"})
    assert conflict.status_code == 409 and conflict.json()["message"] == "This completion was already approved."
    other = factories.make_advocate(bare_program, email="olga@example.com")
    second = api.post(f"/asks/{ask_id}/completions", {"advocate_id": other.pk,
                                                      "data": {"url": "https://blog.example.com/p#c2"}}).json()
    empty = api.post(f"/completions/{second['id']}/reject", {"reason": ""})
    assert empty.status_code == 422
    rejected = api.post(f"/completions/{second['id']}/reject", {"reason": "Comment removed as spam."})
    assert rejected.json()["status"] == "rejected" and rejected.json()["rejection_reason"] == "Comment removed as spam."
    listing = api.get(f"/asks/{ask_id}/completions?status=rejected").json()["items"]
    assert [item["id"] for item in listing] == [second["id"]]
    assert api.post("/completions/999999/approve").status_code == 404


def test_milestone_event_opens_an_ask_idempotently(api, bare_program, member):
    ask_id = api.post("/asks", {"type": "review", "title": "You hit 100 orders: review us?", "points": 300,
                                "trigger_event": "milestone.reached",
                                "trigger_properties": {"milestone": "first-100-orders"}}).json()["id"]
    before = api.post(f"/asks/{ask_id}/completions", {"advocate_id": member.pk, "data": {"url": "https://g2.com/r/1",
                                                                                         "disclosure_acknowledged": True}})
    assert before.status_code == 403 and before.json()["error"] == "not_in_audience"
    event = {"name": "milestone.reached", "email": "MAX@example.com", "properties": {"milestone": "first-100-orders"},
             "id": "evt_1"}
    first = api.post("/events", event)
    assert first.status_code == 201
    assert (first.json()["created"], first.json()["opened_ask_ids"], first.json()["advocate_id"]) == \
        (True, [ask_id], member.pk)
    again = api.post("/events", event)
    assert again.status_code == 200 and (again.json()["created"], again.json()["id"]) == (False, first.json()["id"])
    assert (AdvocateEvent.objects.count(), AskOpening.objects.count()) == (1, 1)
    after = api.post(f"/asks/{ask_id}/completions", {"advocate_id": member.pk, "data": {"url": "https://g2.com/r/1",
                                                                                        "disclosure_acknowledged": True}})
    assert after.status_code == 201


def test_bad_events(api, member):
    assert api.post("/events", {"name": "milestone.reached"}).status_code == 422
    unknown = api.post("/events", {"name": "milestone.reached", "email": "nobody@example.com"})
    assert unknown.status_code == 404
    bad_name = api.post("/events", {"name": "no spaces please", "advocate_id": member.pk})
    assert bad_name.status_code == 422 and list(bad_name.json()["field_errors"]) == ["name"]
    assert not AdvocateEvent.objects.exists()


def test_read_key_cannot_write(client, bare_program):
    _key, raw = factories.make_api_key(bare_program, scopes=["read"])
    response = ApiClient(client, raw).post("/asks", {"type": "news", "title": "x"})
    assert response.status_code == 403 and not Ask.objects.exists()


def test_odd_json_types_in_data_are_refused_not_crashing(api, bare_program, member):
    ask_id = api.post("/asks", {"type": "survey", "title": "S", "moderation": "auto", "config": {"questions": [
        {"key": "plan", "kind": "single", "label": "Plan?", "choices": ["a", "b"]},
        {"key": "uses", "kind": "multiple", "label": "Uses?", "choices": ["x", "y"]},
        {"key": "nps", "kind": "scale", "label": "NPS?"}]}}).json()["id"]
    response = api.post(f"/asks/{ask_id}/completions", {"advocate_id": member.pk,
                                                        "data": {"plan": {"a": 1}, "uses": [["x"]], "nps": True}})
    assert response.status_code == 422
    assert sorted(response.json()["field_errors"]) == ["nps", "plan", "uses"]
    rsvp = api.post("/asks", {"type": "event_rsvp", "title": "R", "moderation": "auto"}).json()["id"]
    response = api.post(f"/asks/{rsvp}/completions", {"advocate_id": member.pk, "data": {"attending": {"yes": 1},
                                                                                        "note": {"a": 1}}})
    assert response.status_code == 422 and sorted(response.json()["field_errors"]) == ["attending", "note"]
    assert not Completion.objects.exists()


def test_odd_config_types_are_refused_not_crashing(api):
    configs = [{"questions": [{"key": {"a": 1}, "kind": ["x"], "label": 5, "choices": [{"value": []}, 3]}]},
               {"questions": "nope"}, {"questions": [None, 3]}]
    for config in configs:
        response = api.post("/asks", {"type": "survey", "title": "S", "config": config})
        assert response.status_code == 422 and "config" in response.json()["field_errors"]
    quiz = api.post("/asks", {"type": "quiz", "title": "Q", "config": {"question": {"xx": "?"}, "answers": [1]}})
    assert quiz.status_code == 422
    assert not Ask.objects.exists()
