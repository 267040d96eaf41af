"""The API covers what a developer automates: the program's settings (admin scope), advocates
listed and synced with cursors and `updated_since`, vanity codes, deleting asks, reading and
changing access events — and the OpenAPI document describes every operation completely."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from openapi_spec_validator import validate

from chorus.advocates.models import Advocate
from chorus.campaigns.models import Ask, Event
from chorus.programs.models import Program
from chorus.testing import factories
from chorus.testing.api_client import API, ApiClient


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key)


def _send(client, method: str, key: str, path: str, body=None):
    return getattr(client, method)(API + path, data=json.dumps(body) if body is not None else None,
                                   content_type="application/json", headers={"Authorization": f"Bearer {key}"})


# --- the program ------------------------------------------------------------------------------

def test_a_read_key_reads_the_program(client, program):
    _key, raw = factories.make_api_key(program, scopes=["read"])

    body = ApiClient(client, raw).get("/program").json()

    assert (body["id"], body["slug"], body["currency"], body["hold_days"]) == (program.pk, "acme", "USD", 30)


def test_changing_program_settings_needs_the_admin_scope(client, program):
    _key, writer = factories.make_api_key(program, scopes=["read", "write"])

    response = _send(client, "patch", writer, "/program", {"hold_days": 7})

    assert response.status_code == 403
    assert response.json()["message"] == "This API key lacks the “admin” scope."
    assert Program.objects.get(pk=program.pk).hold_days == 30


def test_an_admin_key_changes_program_settings(client, program):
    _key, admin = factories.make_api_key(program, scopes=["admin"])

    response = _send(client, "patch", admin, "/program", {"hold_days": 7, "friend_offer": "25% off"})

    assert response.status_code == 200
    assert (response.json()["hold_days"], response.json()["friend_offer"]) == (7, "25% off")
    program.refresh_from_db()
    assert (program.hold_days, program.friend_offer) == (7, "25% off")


def test_invalid_program_settings_are_422_and_change_nothing(client, program):
    _key, admin = factories.make_api_key(program, scopes=["admin"])

    response = _send(client, "patch", admin, "/program", {"kind": "galaxy", "hold_days": 7})

    assert response.status_code == 422
    assert response.json()["field_errors"] == {"kind": ["Choose customer, employee or partner."]}
    assert Program.objects.get(pk=program.pk).hold_days == 30


# --- advocates: cursor pagination and sync ----------------------------------------------------------

def test_advocates_are_listed_newest_first_page_by_page(api, program):
    made = [factories.make_advocate(program, email=f"a{index}@example.com") for index in range(5)]

    first = api.get("/advocates?limit=2").json()
    second = api.get(f"/advocates?limit=2&cursor={first['next_cursor']}").json()
    third = api.get(f"/advocates?limit=2&cursor={second['next_cursor']}").json()

    listed = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert listed == [advocate.pk for advocate in reversed(made)]
    assert third["next_cursor"] is None
    assert first["items"][0]["email"] == "a4@example.com"


def test_updated_since_lists_changes_oldest_first_for_sync(api, program):
    old, changed, new = (factories.make_advocate(program, email=f"{name}@example.com") for name in ("old", "changed", "new"))
    start = timezone.now() - timedelta(days=3)
    Advocate.objects.filter(pk=old.pk).update(updated_at=start)
    Advocate.objects.filter(pk=changed.pk).update(updated_at=start + timedelta(days=2))
    Advocate.objects.filter(pk=new.pk).update(updated_at=start + timedelta(days=1))
    since = (start + timedelta(hours=1)).isoformat().replace("+00:00", "Z")

    first = api.get(f"/advocates?limit=1&updated_since={since}").json()
    second = api.get(f"/advocates?limit=1&updated_since={since}&cursor={first['next_cursor']}").json()

    assert [item["email"] for item in first["items"] + second["items"]] == ["new@example.com", "changed@example.com"]
    assert second["next_cursor"] is None


@pytest.mark.parametrize("cursor", ["abc", "12", "eyJtb2RlIjoiaWQifQ:forged:signature"])
def test_a_forged_cursor_is_400(api, advocate, cursor):
    response = api.get(f"/advocates?cursor={cursor}")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_cursor"
    assert response.json()["field_errors"] == {"cursor": [
        "This cursor is not valid here; use the next_cursor of the previous page with the same filters."]}


def test_a_cursor_of_another_listing_mode_is_400(api, program):
    for index in range(3):
        factories.make_advocate(program, email=f"b{index}@example.com")
    cursor = api.get("/advocates?limit=1").json()["next_cursor"]

    response = api.get(f"/advocates?limit=1&updated_since=2020-01-01T00:00:00Z&cursor={cursor}")

    assert response.status_code == 400


# --- links, asks, access events --------------------------------------------------------------

def test_setting_a_vanity_code_and_a_taken_one(client, api_key, program, advocate):
    other = factories.make_advocate(program, email="other@example.com")

    response = _send(client, "patch", api_key, f"/advocates/{advocate.pk}/link", {"vanity_code": "Jane"})
    taken = _send(client, "patch", api_key, f"/advocates/{other.pk}/link", {"vanity_code": "jane"})

    assert response.status_code == 200
    assert response.json()["link"]["vanity_code"] == "jane"
    assert taken.status_code == 409
    assert taken.json()["field_errors"] == {"vanity_code": ["That code is already taken in this program."]}
    other.link.refresh_from_db()
    assert other.link.vanity_code == ""


def test_deleting_an_ask_nobody_completed(client, api_key, program):
    created = ApiClient(client, api_key).post("/asks", {"type": "review", "title": "Review us"}).json()

    response = _send(client, "delete", api_key, f"/asks/{created['id']}")

    assert response.status_code == 204
    assert not Ask.objects.filter(pk=created["id"]).exists()


def test_reading_and_changing_an_access_event(client, api_key, program):
    api = ApiClient(client, api_key)
    created = api.post("/access-events", {"kind": "club", "title": "Insiders"}).json()

    changed = _send(client, "patch", api_key, f"/access-events/{created['id']}", {"capacity": 30, "points": 50})
    refused = _send(client, "patch", api_key, f"/access-events/{created['id']}", {"title": None})

    assert changed.status_code == 200
    assert (changed.json()["capacity"], changed.json()["points"]) == (30, 50)
    assert api.get(f"/access-events/{created['id']}").json()["capacity"] == 30
    assert refused.status_code == 422
    assert Event.objects.get(pk=created["id"]).title == "Insiders"


# --- the OpenAPI document -----------------------------------------------------------------------

@pytest.fixture
def document(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_the_openapi_document_is_valid(document):
    validate(document)


def test_every_operation_is_described_and_tagged(document):
    missing = [label for label, operation in _operations(document)
               if not (operation.get("summary") and operation.get("description") and operation.get("tags"))]

    assert missing == []


def test_every_operation_documents_its_error_responses(document):
    missing = [label for label, operation in _operations(document)
               if not any(code.startswith("4") for code in operation.get("responses", {}))]

    assert missing == []


def _has_example(document, body: dict) -> bool:
    content = body.get("content", {})
    for media in content.values():
        if "example" in media or "examples" in media:
            return True
        schema = media.get("schema", {})
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        if schema.get("examples") or schema.get("example"):
            return True
    return False


def test_every_request_body_has_a_published_example(document):
    missing = [label for label, operation in _operations(document)
               if "requestBody" in operation and not _has_example(document, operation["requestBody"])]

    assert missing == []


# --- rewards, referral reviews, suspension, moderation, RSVPs --------------------------------------

@pytest.fixture
def flagged(program, advocate):
    """Jane signs herself up with her own promo code: a self-referral, its two rewards held."""
    from chorus.referrals.services.conversions import ConversionInput, record_conversion
    from chorus.rewards.models import RewardRule, Side

    factories.make_rule(program, name="100 points per signup", event=RewardRule.Event.SIGNUP, amount=100)
    factories.make_rule(program, name="Welcome discount", side=Side.FRIEND, event=RewardRule.Event.SIGNUP,
                        kind=RewardRule.Kind.COUPON, amount=1500)
    result = record_conversion(program, ConversionInput(type="signup", email="Jane@Example.com", name="Jane D.",
                                                        promo_code=advocate.link.promo_code))
    return result.conversion.referral


def test_rewards_are_listed_and_a_flagged_referral_is_denied(api, program, flagged):
    from chorus.rewards.models import Reward

    listed = api.get("/rewards?status=pending").json()
    denied = api.post(f"/referrals/{flagged.pk}/review", {"approve": False, "note": "Self-referral"})
    again = api.post(f"/referrals/{flagged.pk}/review", {"approve": True})

    assert sorted(item["status_reason"] for item in listed["items"]) == ["awaiting_review", "awaiting_review"]
    assert {item["referral_id"] for item in listed["items"]} == {flagged.pk}
    assert denied.status_code == 200
    assert (denied.json()["review"], denied.json()["note"]) == ("denied", "Self-referral")
    assert again.status_code == 409
    assert sorted(Reward.objects.filter(referral=flagged).values_list("status", flat=True)) == ["denied", "denied"]
    assert api.get("/rewards?status=pending").json()["items"] == []


def test_reviewing_another_programs_referral_is_404(client, outsider, flagged):
    other = Program.objects.get(slug="other-program")
    _key, raw = factories.make_api_key(other)

    response = ApiClient(client, raw).post(f"/referrals/{flagged.pk}/review", {"approve": True})

    assert response.status_code == 404
    flagged.refresh_from_db()
    assert flagged.review == "flagged"


def test_suspending_and_reinstating_an_advocate(api, advocate):
    from chorus.advocates.services import activate_advocate

    activate_advocate(advocate)
    suspended = api.post(f"/advocates/{advocate.pk}/suspend")
    assert (suspended.status_code, suspended.json()["status"]) == (200, "disabled")
    assert api.get("/advocates?status=disabled").json()["items"][0]["id"] == advocate.pk

    reinstated = api.post(f"/advocates/{advocate.pk}/reinstate")

    assert (reinstated.status_code, reinstated.json()["status"]) == (200, "active")
    advocate.refresh_from_db()
    assert advocate.status == "active"


def test_the_moderation_queue_lists_pending_completions_of_every_ask(api, program, advocate):
    from chorus.advocates.services import activate_advocate

    activate_advocate(advocate)
    ask = api.post("/asks", {"type": "blog_comment", "title": "Comment", "points": 60, "moderation": "review"}).json()
    submitted = api.post(f"/asks/{ask['id']}/completions",
                         {"advocate_id": advocate.pk, "data": {"url": "https://blog.example.com/p#c1"}})

    queue = api.get("/completions?status=pending").json()

    assert submitted.status_code == 201, submitted.json()
    assert [item["id"] for item in queue["items"]] == [submitted.json()["id"]]


def test_an_events_invitations_and_rsvps_are_listed(api, program, advocate):
    from chorus.advocates.services import activate_advocate

    activate_advocate(advocate)
    event = api.post("/access-events", {"kind": "club", "title": "Insiders"}).json()
    api.post(f"/access-events/{event['id']}/invitations", {"advocate_ids": [advocate.pk]})

    listed = api.get(f"/access-events/{event['id']}/invitations").json()

    assert [(item["advocate_id"], item["rsvp"]) for item in listed["items"]] == [(advocate.pk, "none")]
    assert api.get(f"/access-events/{event['id']}/invitations?rsvp=yes").json()["items"] == []


# --- conversions, API keys, public QR codes ----------------------------------------------------

def test_conversions_are_listed_with_their_advocate(api, program, advocate):
    code = advocate.link.promo_code
    api.post("/conversions", {"type": "signup", "customer_external_id": "f1", "promo_code": code})
    api.post("/conversions", {"type": "purchase", "customer_external_id": "f1", "amount": 4900, "order_id": "o-1"})

    listed = api.get("/conversions").json()
    purchases = api.get("/conversions?type=purchase").json()

    assert [(item["type"], item["advocate_id"], item["customer_external_id"]) for item in listed["items"]] == [
        ("purchase", advocate.pk, "f1"), ("signup", advocate.pk, "f1")]
    assert [(item["order_id"], item["amount"]) for item in purchases["items"]] == [("o-1", 4900)]


def test_an_admin_key_creates_lists_and_revokes_keys(client, program):
    from chorus.programs.models import ApiKey

    key, admin = factories.make_api_key(program, scopes=["admin"])
    api = ApiClient(client, admin)

    created = api.post("/api-keys", {"name": "Warehouse", "scopes": ["read"]})
    new_key = created.json()["key"]
    listed = api.get("/api-keys").json()
    revoked = api.post(f"/api-keys/{created.json()['id']}/revoke")
    itself = api.post(f"/api-keys/{key.pk}/revoke")

    assert created.status_code == 201 and created.json()["scopes"] == ["read"]
    assert ApiClient(client, new_key).get("/program").status_code == 401  # revoked since
    assert [item["name"] for item in listed["items"]] == ["Warehouse", "test key"]
    assert "key" not in listed["items"][0]
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert itself.status_code == 409
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_managing_keys_needs_the_admin_scope(client, program):
    from chorus.programs.models import ApiKey

    _key, writer = factories.make_api_key(program, scopes=["read", "write"])
    api = ApiClient(client, writer)

    assert api.get("/api-keys").status_code == 403
    assert api.post("/api-keys", {"name": "Sneaky", "scopes": ["admin"]}).status_code == 403
    assert ApiKey.objects.count() == 1


def test_public_qr_codes_are_rate_limited(client, advocate, settings):
    from django.core.cache import cache

    from chorus.testing.ratelimits import wait_for_a_fresh_window

    settings.CHORUS_PUBLIC_RATE_LIMIT_PER_MINUTE = 1
    cache.clear()
    wait_for_a_fresh_window()
    url = f"{API}/links/{advocate.link.code}/qr.svg"

    assert client.get(url).status_code == 200
    limited = client.get(url)

    assert limited.status_code == 429
    assert limited["Retry-After"].isdigit()
    cache.clear()


@pytest.mark.parametrize("since", ["0017-09-01T00:00:01Z", "0001-01-01T00:00:00-23:59", "9999-12-31T23:59:59+14:00"])
def test_far_away_sync_times_are_answered(api, advocate, since):
    from urllib.parse import quote

    response = api.get(f"/advocates?updated_since={quote(since)}")

    assert response.status_code == 200
    assert len(response.json()["items"]) == (0 if since.startswith("9999") else 1)


def test_numbers_too_large_to_store_are_422(api, program):
    asks_before = Ask.objects.count()

    response = api.post("/asks", {"type": "review", "title": "Review us", "points": 10**30})

    assert response.status_code == 422
    assert response.json() == {"error": "invalid", "message": "A number in the request is too large.", "field_errors": {
        "points": ["Numbers must lie between -9223372036854775808 and 9223372036854775807."]}}
    assert Ask.objects.count() == asks_before


def test_an_id_too_large_to_store_is_not_a_server_error(api, program):
    response = api.get(f"/advocates/{10**30}")

    assert response.status_code in (404, 422)
    assert response.json()["error"] in ("not_found", "invalid")


def test_reading_changing_and_deleting_a_content_item(client, api_key, program):
    from chorus.campaigns.models import ContentItem

    api = ApiClient(client, api_key)
    created = api.post("/content", {"title": "Our numbers", "destination_url": "https://shop.example.com/"}).json()

    changed = _send(client, "patch", api_key, f"/content/{created['id']}", {"is_active": False, "order": 3})
    refused = _send(client, "patch", api_key, f"/content/{created['id']}", {"destination_url": "https://evil.example/"})
    read = api.get(f"/content/{created['id']}").json()
    deleted = _send(client, "delete", api_key, f"/content/{created['id']}")

    assert changed.status_code == 200 and (changed.json()["is_active"], changed.json()["order"]) == (False, 3)
    assert refused.status_code == 422 and list(refused.json()["field_errors"]) == ["destination_url"]
    assert (read["destination_url"], read["order"]) == ("https://shop.example.com/", 3)
    assert deleted.status_code == 204
    assert not ContentItem.objects.filter(pk=created["id"]).exists()
