"""Catalog API: items and redemptions, idempotent redeeming, clear refusals that change nothing."""

import json

import pytest

from chorus.advocates.models import Account
from chorus.core.models import IdempotencyRecord
from chorus.programs.models import Program
from chorus.rewards import points
from chorus.rewards.models import CatalogItem, LedgerEntry, Redemption
from chorus.testing import factories
from chorus.testing.api_client import API, ApiClient

from .catalog_helpers import give_points, make_item, pooled_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key)


def patch(api, path: str, body: dict):
    return api.client.patch(API + path, data=json.dumps(body), content_type="application/json",
                            headers={"Authorization": f"Bearer {api.key}"})


def counts() -> tuple[int, int, int]:
    return Redemption.objects.count(), LedgerEntry.objects.count(), IdempotencyRecord.objects.filter(completed=True).count()


def test_create_list_and_patch_items(api, program):
    CatalogItem.objects.filter(program=program).delete()
    body = {"kind": "stuff", "title": "$25 gift card", "titles": {"de": "Geschenkkarte"}, "cost_points": 2500,
            "fulfilment": "code_pool", "is_cash_like": True, "value_amount": 2500,
            "min_level_id": program.levels.get(rank=1).pk}
    response = api.post("/catalog-items", body, idempotency_key="item-1")
    assert response.status_code == 201
    created = response.json()
    assert (created["title"], created["titles"], created["unused_codes"], created["warnings"]) == (
        "$25 gift card", {"en": "$25 gift card", "de": "Geschenkkarte"}, 0, [])
    assert api.post("/catalog-items", body, idempotency_key="item-1").json()["id"] == created["id"]
    assert CatalogItem.objects.filter(program=program).count() == 1
    Account.objects.create(program=program, name="Globex")
    changed = patch(api, f"/catalog-items/{created['id']}", {"is_active": False, "stock": None})
    assert changed.status_code == 200
    assert changed.json()["is_active"] is False
    assert changed.json()["warnings"][0].startswith("This is a B2B program")
    listed = api.get("/catalog-items?active=false").json()
    assert [item["id"] for item in listed["items"]] == [created["id"]] and listed["next_cursor"] is None


def test_bad_item_input(api, program, workspace):
    other_level = factories.make_program(workspace, name="Other", slug="other").levels.first()
    response = api.post("/catalog-items", {"kind": "stuff", "title": "X", "cost_points": 10, "min_level_id": other_level.pk})
    assert response.status_code == 422
    assert response.json()["field_errors"] == {"min_level_id": ["Unknown level."]}
    response = api.post("/catalog-items", {"kind": "stuff", "title": "X", "cost_points": 0})
    assert response.status_code == 422 and "cost_points" in response.json()["field_errors"]
    item = make_item(program)
    response = patch(api, f"/catalog-items/{item.pk}", {"title": None})
    assert response.status_code == 422
    assert response.json()["message"] == "These fields may not be null: title."


def test_redeem_a_gift_card_through_the_api(api, program, advocate):
    item = pooled_item(program, codes=["GIFT-1"])
    give_points(advocate, 600)
    response = api.post("/redemptions", {"advocate_id": advocate.pk, "item_id": item.pk}, idempotency_key="r-1")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["code"], body["cost_points"], body["item_title"]) == ("fulfilled", "GIFT-1", 500, "Gift card")
    replay = api.post("/redemptions", {"advocate_id": advocate.pk, "item_id": item.pk}, idempotency_key="r-1")
    assert (replay.status_code, replay["Idempotent-Replayed"], replay.json()["id"]) == (201, "true", body["id"])
    assert points.balance(advocate) == 100
    assert api.get(f"/redemptions?advocate_id={advocate.pk}").json()["items"][0]["code"] == "GIFT-1"


def test_refusals_are_409_with_a_code_and_change_nothing(api, program, advocate):
    item = make_item(program, title="Pass", cost_points=300, stock=0)
    give_points(advocate, 100)
    before = counts()
    response = api.post("/redemptions", {"advocate_id": advocate.pk, "item_id": item.pk})
    assert (response.status_code, response.json()) == (409, {
        "error": "out_of_stock", "message": "Sorry, “Pass” is out of stock.", "field_errors": {}})
    CatalogItem.objects.filter(pk=item.pk).update(stock=5)
    response = api.post("/redemptions", {"advocate_id": advocate.pk, "item_id": item.pk})
    assert (response.status_code, response.json()["error"]) == (409, "insufficient_points")
    assert response.json()["message"] == "Not enough points: this costs 300 and you have 100."
    assert counts() == before


def test_shipping_is_validated(api, program, advocate):
    item = make_item(program, fulfilment="shipping", cost_points=100)
    give_points(advocate, 100)
    response = api.post("/redemptions", {"advocate_id": advocate.pk, "item_id": item.pk})
    assert response.status_code == 422
    assert set(response.json()["field_errors"]) == {"name", "address", "city", "country"}
    response = api.post("/redemptions", {"advocate_id": advocate.pk, "item_id": item.pk, "shipping": {
        "name": "Jane", "address": "1 Main St", "city": "Berlin", "country": "ZZ"}})
    assert (response.status_code, response.json()["field_errors"]) == (422, {
        "country": ["Use a two-letter country code, e.g. DE, JP or PL."]})
    assert Redemption.objects.count() == 0


def test_queue_actions(api, program, advocate):
    item = make_item(program, cost_points=100)
    give_points(advocate, 300)
    first = api.post("/redemptions", {"advocate_id": advocate.pk, "item_id": item.pk}).json()
    second = api.post("/redemptions", {"advocate_id": advocate.pk, "item_id": item.pk}).json()
    assert first["status"] == "requested"
    assert api.post(f"/redemptions/{first['id']}/approve").json()["status"] == "approved"
    fulfilled = api.post(f"/redemptions/{first['id']}/fulfil", {"note": "Shipped"}).json()
    assert (fulfilled["status"], fulfilled["status_note"]) == ("fulfilled", "Shipped")
    no_reason = api.post(f"/redemptions/{second['id']}/reject", {"note": ""})
    assert (no_reason.status_code, no_reason.json()["field_errors"]) == (422, {"reason": ["Required."]})
    assert api.post(f"/redemptions/{second['id']}/reject", {"note": "Sorry"}).json()["status"] == "rejected"
    again = api.post(f"/redemptions/{second['id']}/cancel", {})
    assert (again.status_code, again.json()["error"]) == (409, "wrong_status")
    assert points.balance(advocate) == 200


def test_other_programs_are_invisible(api, program, advocate, outsider):
    other = Program.objects.get(slug="other-program")
    foreign_item = make_item(other, title="Foreign")
    stranger = factories.make_advocate(other, email="stranger@example.com")
    assert api.get(f"/catalog-items/{foreign_item.pk}").status_code == 404
    response = api.post("/redemptions", {"advocate_id": stranger.pk, "item_id": make_item(program).pk})
    assert (response.status_code, response.json()["message"]) == (404, "No advocate with this id in this program.")
    response = api.post("/redemptions", {"advocate_id": advocate.pk, "item_id": foreign_item.pk})
    assert (response.status_code, response.json()["message"]) == (404, "No catalog item with this id in this program.")


def test_read_only_key_cannot_redeem(client, program, advocate):
    _key, raw = factories.make_api_key(program, scopes=["read"])
    response = ApiClient(client, raw).post("/redemptions", {"advocate_id": advocate.pk, "item_id": make_item(program).pk})
    assert response.status_code == 403


def test_delete_item(api, program, advocate):
    unused, used = make_item(program, title="Unused"), make_item(program, title="Used", cost_points=100)
    give_points(advocate, 100)
    api.post("/redemptions", {"advocate_id": advocate.pk, "item_id": used.pk})
    delete = api.client.delete(f"{API}/catalog-items/{unused.pk}", headers={"Authorization": f"Bearer {api.key}"})
    assert delete.status_code == 204 and not CatalogItem.objects.filter(pk=unused.pk).exists()
    refused = api.client.delete(f"{API}/catalog-items/{used.pk}", headers={"Authorization": f"Bearer {api.key}"})
    assert (refused.status_code, refused.json()["error"]) == (409, "item_redeemed")


def test_add_codes_to_a_pool(api, program):
    item = pooled_item(program, codes=["A-1"])
    response = api.post(f"/catalog-items/{item.pk}/codes", {"codes": ["B-2", "A-1", "B-2", "C-3"]})
    assert (response.status_code, response.json()) == (200, {
        "added": 2, "duplicates_in_request": ["B-2"], "already_in_pool": ["A-1"], "unused_codes": 3})
    bad = api.post(f"/catalog-items/{item.pk}/codes", {"codes": ["D-4", "E 5"]})
    assert (bad.status_code, bad.json()["message"]) == (
        422, "Code 2: use letters, digits and punctuation, without spaces. Nothing was imported.")
    assert api.post(f"/catalog-items/{item.pk}/codes", {"codes": []}).status_code == 422
    assert item.pool_codes.count() == 3
    manual = make_item(program)
    refused = api.post(f"/catalog-items/{manual.pk}/codes", {"codes": ["X-1"]})
    assert refused.status_code == 422 and refused.json()["message"].startswith("This item does not give out codes from a pool")
