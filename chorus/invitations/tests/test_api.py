"""API: POST /invitations (idempotent, all-or-nothing on unknown customers), GET /invitations,
GET /channels."""

import pytest

from chorus.invitations.channels import create_channel
from chorus.invitations.models import Invitation
from chorus.notifications.models import OutboundEmail
from chorus.testing import factories
from chorus.testing.api_client import ApiClient

from .conftest import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key)


def test_invite_by_external_id_and_email_once_with_an_idempotency_key(api, program, ana, advocate, smtp_server,
                                                                      django_capture_on_commit_callbacks):
    create_channel(program, name="CSM outreach")
    make_customer(program, "bob@example.com", "Bob Stone")
    make_customer(program, "jane@example.com", "Jane Doe", external_id="cus_jane_c")
    body = {"customers": [{"external_id": "cus_ana"}, {"email": "BOB@example.com"}, {"external_id": "cus_jane_c"}],
            "channel": "csm-outreach"}

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/invitations", body, idempotency_key="inv-1")
    with django_capture_on_commit_callbacks(execute=True):
        replay = api.post("/invitations", body, idempotency_key="inv-1")

    assert response.status_code == 201
    data = response.json()
    assert [(item["email"], item["channel"], item["stage"], item["language"]) for item in data["invited"]] == [
        ("ana@example.pl", "csm-outreach", "sent", "pl"), ("bob@example.com", "csm-outreach", "sent", "")]
    assert data["not_sent"] == []
    assert [(item["email"], item["reason"]) for item in data["skipped"]] == [("jane@example.com", "already_advocate")]
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true" and replay.json() == data
    assert Invitation.objects.count() == 2 and OutboundEmail.objects.count() == 2
    assert len(smtp_server.wait_for(2)) == 2


def test_unknown_customers_or_channel_invite_nobody(api, program, ana):
    response = api.post("/invitations", {"customers": [{"external_id": "cus_ana"}, {"email": "who@example.com"}, {}]})
    assert response.status_code == 422
    assert set(response.json()["field_errors"]) == {"customers[1]", "customers[2]"}
    unknown_channel = api.post("/invitations", {"customers": [{"external_id": "cus_ana"}], "channel": "nope"})
    assert unknown_channel.status_code == 422
    assert unknown_channel.json()["field_errors"] == {"channel": ["Unknown channel."]}
    assert api.post("/invitations", {"customers": []}).status_code == 422
    assert api.post("/invitations", {"customers": [{"external_id": "cus_ana", "x": 1}]}).status_code == 422
    assert Invitation.objects.count() == 0


def test_suppressed_addresses_are_reported_not_sent(api, program, ana, django_capture_on_commit_callbacks):
    from chorus.notifications import consent

    consent.suppress(program, "ana@example.pl", reason="bounce", source="api")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/invitations", {"customers": [{"email": "ana@example.pl"}]})
    assert response.status_code == 200
    assert [(item["email"], item["status"]) for item in response.json()["not_sent"]] == [("ana@example.pl", "suppressed")]


def test_list_invitations_and_channels(api, program, ana, django_capture_on_commit_callbacks):
    channel = create_channel(program, name="LinkedIn post", target_joined=8, target_period="quarter")
    bob = make_customer(program, "bob@example.com", "Bob Stone")
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/invitations", {"customers": [{"external_id": "cus_ana"}], "channel": "linkedin-post"})
        api.post("/invitations", {"customers": [{"email": bob.email}]})

    listed = api.get("/invitations?limit=1")
    assert listed.status_code == 200
    assert [item["email"] for item in listed.json()["items"]] == ["bob@example.com"]
    rest = api.get(f"/invitations?limit=1&cursor={listed.json()['next_cursor']}").json()
    assert ([item["email"] for item in rest["items"]], rest["next_cursor"]) == (["ana@example.pl"], None)
    by_channel = api.get("/invitations?channel=linkedin-post").json()["items"]
    assert [item["email"] for item in by_channel] == ["ana@example.pl"]
    assert api.get("/invitations?stage=joined").json()["items"] == []
    assert api.get("/invitations?stage=bogus").status_code == 422

    [out] = api.get("/channels").json()
    assert (out["id"], out["slug"], out["url"], out["target_joined"], out["target_period"]) == (
        channel.pk, "linkedin-post", "http://127.0.0.1:8000/p/acme/join/via/linkedin-post/", 8, "quarter")
    assert (out["progress"]["target"], out["progress"]["joined"], out["progress"]["period"]) == (8, 0, "quarter")
    assert (out["funnel"]["invited"], out["funnel"]["clicked"], out["funnel"]["joined_from_invitations"]) == (1, 0, 0)


def test_another_programs_invitations_are_invisible(client, program, workspace, ana, django_capture_on_commit_callbacks):
    beta = factories.make_program(workspace, slug="beta")
    _key, raw = factories.make_api_key(beta)
    other = ApiClient(client, raw)
    with django_capture_on_commit_callbacks(execute=True):
        ApiClient(client, factories.make_api_key(program)[1]).post("/invitations", {"customers": [{"external_id": "cus_ana"}]})
    assert other.get("/invitations").json()["items"] == []
    assert other.post("/invitations", {"customers": [{"external_id": "cus_ana"}]}).status_code == 422


def test_read_only_keys_cannot_invite(client, program, ana):
    _key, raw = factories.make_api_key(program, scopes=["read"])
    response = ApiClient(client, raw).post("/invitations", {"customers": [{"external_id": "cus_ana"}]})
    assert response.status_code == 403
    assert Invitation.objects.count() == 0
