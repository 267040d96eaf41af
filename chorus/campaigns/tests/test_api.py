"""API: /content and /access-events (create, list, invite, check in) with the spine's conventions."""

import pytest

from chorus.campaigns import content, events
from chorus.campaigns.models import ContentItem, Event, Invitation
from chorus.rewards import points
from chorus.testing import factories
from chorus.testing.api_client import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key)


@pytest.fixture
def read_only(client, program):
    _key, raw = factories.make_api_key(program, scopes=["read"])
    return ApiClient(client, raw)


EVENT = {"title": "Customer dinner", "starts_at": "2030-12-03T19:00:00+01:00", "location": "Berlin", "capacity": 2,
         "points": 300, "titles": {"de": "Kundenabend"}}


def test_create_and_list_content(api, program, advocate):
    response = api.post("/content", {"title": "Guide", "destination_url": "https://shop.example.com/guide",
                                     "titles": {"ja": "ガイド"}})
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["title"], body["titles"], body["clicks"], body["image_url"]) == (
        "article", "Guide", {"ja": "ガイド"}, 0, "")
    api.client.get(f"/r/{advocate.link.code}", {"c": body["id"]}, HTTP_USER_AGENT="Mozilla/5.0 Firefox/120")
    listed = api.get("/content").json()
    assert [(item["id"], item["clicks"]) for item in listed["items"]] == [(body["id"], 1)]
    assert listed["next_cursor"] is None


def test_content_with_a_foreign_destination_is_422_and_stores_nothing(api):
    response = api.post("/content", {"title": "Guide", "destination_url": "https://evil.example.net/"})
    assert response.status_code == 422
    assert response.json()["field_errors"]["destination_url"] == [
        "This address is not one of the program's allowed destinations (see the program settings)."]
    assert not ContentItem.objects.exists()


def test_unknown_field_and_read_only_key(api, read_only):
    assert api.post("/content", {"title": "x", "destination_url": "https://shop.example.com/", "bogus": 1}).status_code == 422
    assert read_only.post("/content", {"title": "x", "destination_url": "https://shop.example.com/"}).status_code == 403
    assert read_only.get("/access-events").status_code == 200


def test_event_invitations_and_check_in(api, program, advocate):
    created = api.post("/access-events", EVENT, idempotency_key="event-1")
    assert created.status_code == 201
    event_id = created.json()["id"]
    replay = api.post("/access-events", EVENT, idempotency_key="event-1")
    assert replay["Idempotent-Replayed"] == "true" and Event.objects.count() == 1
    other = factories.make_advocate(program, email="kenji@example.com")
    invited = api.post(f"/access-events/{event_id}/invitations", {"advocate_ids": [advocate.pk], "emails": ["KENJI@example.com"]})
    assert invited.status_code == 201
    codes = {row["advocate_id"]: row["code"] for row in invited.json()["invited"]}
    assert set(codes) == {advocate.pk, other.pk}
    again = api.post(f"/access-events/{event_id}/invitations", {"advocate_ids": [advocate.pk]})
    assert (again.status_code, again.json()["already_invited"], again.json()["invited"]) == (200, 1, [])

    checked = api.post(f"/access-events/{event_id}/check-ins", {"code": codes[advocate.pk].lower()})
    assert checked.status_code == 201
    assert (checked.json()["advocate_id"], checked.json()["points_credited"]) == (advocate.pk, 300)
    twice = api.post(f"/access-events/{event_id}/check-ins", {"code": codes[advocate.pk]})
    assert (twice.status_code, twice.json()["error"]) == (409, "already_checked_in")
    unknown = api.post(f"/access-events/{event_id}/check-ins", {"code": "ZZZZ-ZZZZ"})
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_code")
    assert points.balance(advocate) == 300
    listed = api.get("/access-events").json()["items"][0]
    assert (listed["invited"], listed["checked_in"], listed["titles"]) == (2, 1, {"de": "Kundenabend"})


def test_invite_unknown_advocate_invites_nobody(api, program, advocate):
    event = events.create_event(program, kind="club", title="Power users")
    response = api.post(f"/access-events/{event.pk}/invitations", {"advocate_ids": [advocate.pk], "emails": ["ghost@example.com"]})
    assert response.status_code == 422
    assert not Invitation.objects.exists()


def test_events_of_another_program_are_404(api, outsider):
    from chorus.programs.models import Program

    foreign = events.create_event(Program.objects.get(slug="other-program"), kind="club", title="Theirs")
    assert api.post(f"/access-events/{foreign.pk}/check-ins", {"code": "ABCD-EFGH"}).status_code == 404
    assert api.post(f"/access-events/{foreign.pk}/invitations", {"advocate_ids": []}).status_code == 404


def test_bad_event_input(api):
    response = api.post("/access-events", {"title": "No date", "capacity": 0})
    assert response.status_code == 422
    response = api.post("/access-events", {"title": "No date"})
    assert response.status_code == 422 and list(response.json()["field_errors"]) == ["starts_at"]
    assert not Event.objects.exists()


def test_content_numbers_in_api_are_scoped_to_the_program(api, program, workspace):
    content.create_content(factories.make_program(workspace), kind="link", title="Other",
                           destination_url="https://shop.example.com/")
    assert api.get("/content").json()["items"] == []
