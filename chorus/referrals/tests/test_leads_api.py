"""Leads API: create (idempotent), list with filters and cursor, PATCH stage changes."""

import json

import pytest
from django.core.cache import cache

from chorus.programs.models import Program
from chorus.referrals.models import Conversion, Lead
from chorus.rewards.models import Reward, RewardRule
from chorus.testing import factories
from chorus.testing.api_client import API, ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key)


def patch(api, path: str, body: dict):
    return api.client.patch(API + path, data=json.dumps(body), content_type="application/json",
                            headers={"Authorization": f"Bearer {api.key}"})


def referral_body(advocate, email="sam@globex.example") -> dict:
    return {"source": "referral", "advocate_id": advocate.pk, "name": "Sam Lee", "company": "Globex", "email": email,
            "consent": True, "note": "Evaluating tools."}


def test_create_is_idempotent_and_refuses_duplicates(api, program, advocate):
    response = api.post("/leads", referral_body(advocate), idempotency_key="lead-1")
    assert response.status_code == 201
    created = response.json()
    assert {key: created[key] for key in ("source", "advocate_id", "name", "company", "email", "stage", "deal_value",
                                          "currency", "entered_via", "conversion_id")} == {
        "source": "referral", "advocate_id": advocate.pk, "name": "Sam Lee", "company": "Globex",
        "email": "sam@globex.example", "stage": "submitted", "deal_value": 0, "currency": "USD", "entered_via": "api",
        "conversion_id": None}
    replay = api.post("/leads", referral_body(advocate), idempotency_key="lead-1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true" and replay.json()["id"] == created["id"]
    again = api.post("/leads", referral_body(advocate), idempotency_key="lead-2")
    assert again.status_code == 409
    assert again.json() == {"error": "duplicate_lead",
                            "message": "sam@globex.example has already been referred or logged as a lead in this program.",
                            "field_errors": {"email": ["sam@globex.example has already been referred or logged as a lead in this program."]}}
    assert Lead.objects.count() == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"consent": False}, "consent"),
    ({"email": ""}, "email"),
    ({"email": "not-an-email"}, "email"),
    ({"phone": "abc"}, "phone"),
    ({"name": ""}, "name"),
    ({"advocate_id": None}, "advocate"),
    ({"deal_value": 12.5}, "deal_value"),
    ({"unknown": 1}, "unknown"),
])
def test_create_refuses_bad_fields(api, program, advocate, change, field):
    response = api.post("/leads", {**referral_body(advocate), **change})
    assert response.status_code == 422, response.json()
    assert field in response.json()["field_errors"]
    assert Lead.objects.count() == 0


def test_other_channel_deal_and_another_programs_advocate(api, program, advocate, outsider):
    stranger = factories.make_advocate(Program.objects.get(slug="other-program"), email="x@example.com")
    response = api.post("/leads", {**referral_body(advocate), "advocate_id": stranger.pk})
    assert response.status_code == 404
    response = api.post("/leads", {"source": "other", "channel": "Outbound", "name": "Ana", "company": "Initech"})
    assert response.status_code == 201
    assert (response.json()["source"], response.json()["advocate_id"], response.json()["channel"]) == ("other", None, "Outbound")


def test_list_filters_and_cursor(api, program, advocate):
    ids = [api.post("/leads", referral_body(advocate, email=f"p{n}@globex.example")).json()["id"] for n in range(3)]
    api.post("/leads", {"source": "other", "name": "Ana", "company": "Initech"})
    first = api.get("/leads?source=referral&limit=2").json()
    assert [item["id"] for item in first["items"]] == [ids[2], ids[1]]
    second = api.get(f"/leads?source=referral&limit=2&cursor={first['next_cursor']}").json()
    assert [item["id"] for item in second["items"]] == [ids[0]] and second["next_cursor"] is None
    patch(api, f"/leads/{ids[0]}", {"stage": "qualified"})
    assert [item["id"] for item in api.get("/leads?stage=qualified").json()["items"]] == [ids[0]]
    assert api.get("/leads?stage=closed").status_code == 422


def test_patch_moves_the_lead_and_rewards_a_win_once(api, program, advocate):
    factories.make_rule(program, name="Per won deal", event=RewardRule.Event.LEAD_WON, amount=1000)
    lead_id = api.post("/leads", referral_body(advocate)).json()["id"]
    refused = patch(api, f"/leads/{lead_id}", {"stage": "won", "deal_value": 5000})
    assert refused.status_code == 409 and refused.json()["message"] == "Qualify the lead before marking it won."
    assert patch(api, f"/leads/{lead_id}", {"stage": "qualified", "deal_value": 4000}).json()["deal_value"] == 4000
    won = patch(api, f"/leads/{lead_id}", {"stage": "won", "deal_value": 5000})
    assert won.status_code == 200
    assert (won.json()["stage"], won.json()["deal_value"]) == ("won", 5000)
    assert won.json()["conversion_id"] == Conversion.objects.get(type="lead_won").pk
    back = patch(api, f"/leads/{lead_id}", {"stage": "submitted"})
    assert back.status_code == 409 and back.json()["error"] == "lead_closed"
    assert patch(api, f"/leads/{lead_id}", {"stage": "won"}).status_code == 409
    assert Reward.objects.count() == 1
    lost = patch(api, f"/leads/{api.post('/leads', referral_body(advocate, 'b@x.example')).json()['id']}", {"stage": "lost"})
    assert lost.status_code == 422 and lost.json()["field_errors"] == {"lost_reason": ["Say why the lead was lost."]}


def test_another_programs_lead_is_404(api, program, outsider):
    other = Program.objects.get(slug="other-program")
    from chorus.referrals.services.leads import LeadInput, create_lead

    lead = create_lead(other, LeadInput(name="A", company="B", source="other"), entered_via="console")
    assert api.get(f"/leads/{lead.pk}").status_code == 404
    assert patch(api, f"/leads/{lead.pk}", {"stage": "qualified"}).status_code == 404
    assert api.get("/leads").json()["items"] == []
    lead.refresh_from_db()
    assert lead.stage == "submitted"
