"""The advocates API: upsert, read with link and numbers, rewards and ledger pages, scoping."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.advocates.models import Advocate
from chorus.programs.models import Program
from chorus.referrals.models import Click
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.referrals.services.links import set_vanity_code
from chorus.rewards.models import LedgerEntry, Reward
from chorus.testing import factories
from chorus.testing.api_client import ApiClient, row_counts


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key)


@pytest.fixture
def referred(program, advocate):
    """Jane's numbers: 4 clicks (one a bot, one a repeat), a signup, two purchases, one refunded."""
    program.hold_days = 0
    program.save()
    factories.make_standard_rules(program)
    now = timezone.now()
    for n, (unique, bot) in enumerate([(True, False), (True, False), (False, False), (True, True)]):
        Click.objects.create(program=program, link=advocate.link, token=f"t{n}", created_at=now - timedelta(hours=n),
                             visitor_hash=f"v{n}", is_unique=unique, is_bot=bot)
    code = advocate.link.promo_code
    record_conversion(program, ConversionInput(type="signup", customer_external_id="f1", promo_code=code))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="f1", amount=12_000, order_id="o-1"))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="f2", amount=3_000,
                                               order_id="o-2", promo_code=code))
    record_conversion(program, ConversionInput(type="refund", order_id="o-2"))
    return advocate


@pytest.fixture
def stranger(outsider):
    return factories.make_advocate(Program.objects.get(slug="other-program"), email="stranger@example.com")


def not_found(message: str) -> dict:
    return {"error": "not_found", "message": message, "field_errors": {}}


# --- reading -----------------------------------------------------------------------------

def test_get_advocate_returns_link_codes_qr_and_numbers(api, referred, settings):
    link = referred.link
    set_vanity_code(link, "Jane")
    base = settings.CHORUS_BASE_URL

    response = api.get(f"/advocates/{referred.pk}")

    assert response.status_code == 200
    assert response.json() == {
        "id": referred.pk, "email": "jane@example.com", "name": "Jane Doe", "external_id": "cus_jane",
        "language": "", "status": "active",
        "joined_at": referred.joined_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "created_at": referred.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "link": {
            "url": f"{base}/r/{link.code}", "code": link.code, "vanity_code": "jane",
            "vanity_url": f"{base}/r/acme/jane", "promo_code": link.promo_code,
            "qr_svg_url": f"{base}/api/v1/links/{link.code}/qr.svg",
            "qr_png_url": f"{base}/api/v1/links/{link.code}/qr.png",
        },
        "stats": {"clicks": 3, "unique_clicks": 2, "signups": 1, "purchases": 2, "referred_revenue": 12_000,
                  "currency": "USD", "points_balance": 500, "credit_balance": 1200},
    }


def test_another_programs_advocate_is_404(api, stranger):
    for path in (f"/advocates/{stranger.pk}", f"/advocates/{stranger.pk}/rewards", f"/advocates/{stranger.pk}/ledger"):
        response = api.get(path)

        assert response.status_code == 404
        assert response.json() == not_found("No advocate with this id in this program.")


@pytest.mark.parametrize("path", ["/advocates/0", "/advocates/987654", "/advocates/99999999999999999999999"])
def test_unknown_advocate_is_404(api, program, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response.json() == not_found("No advocate with this id in this program.")


def test_non_numeric_advocate_id_is_404(api, program):
    response = api.get("/advocates/jane")

    assert response.status_code == 404
    assert response.json() == not_found("There is no API endpoint at this address.")


def test_reading_needs_a_key_with_the_read_scope(client, advocate):
    _key, write_only = factories.make_api_key(advocate.program, scopes=["write"])

    missing = ApiClient(client, None).get(f"/advocates/{advocate.pk}")
    forbidden = ApiClient(client, write_only).get(f"/advocates/{advocate.pk}")

    assert missing.status_code == 401
    assert forbidden.status_code == 403
    assert forbidden.json()["message"] == "This API key lacks the “read” scope."


def test_admin_scope_can_read_and_write(client, advocate):
    _key, admin = factories.make_api_key(advocate.program, scopes=["admin"])
    api = ApiClient(client, admin)

    assert api.get(f"/advocates/{advocate.pk}").status_code == 200
    assert api.post("/advocates", {"email": "new@example.com"}).status_code == 201


# --- rewards and ledger ---------------------------------------------------------------------

def test_rewards_are_listed_newest_first_with_a_cursor(api, referred):
    rewards = list(Reward.objects.filter(advocate=referred).order_by("-pk"))
    assert len(rewards) == 4

    first = api.get(f"/advocates/{referred.pk}/rewards?limit=3").json()
    second = api.get(f"/advocates/{referred.pk}/rewards?limit=3&cursor={first['next_cursor']}").json()

    assert [item["id"] for item in first["items"]] == [reward.pk for reward in rewards[:3]]
    assert first["next_cursor"] and first["next_cursor"] != str(rewards[2].pk)  # opaque, signed
    assert [item["id"] for item in second["items"]] == [rewards[3].pk]
    assert second["next_cursor"] is None
    newest = rewards[0]
    assert first["items"][0] == {
        "id": newest.pk, "rule": newest.rule.name, "conversion_id": newest.conversion_id, "kind": newest.kind,
        "amount": newest.amount, "currency": newest.currency, "status": "clawed_back",
        "status_reason": "refunded", "status_reason_text": "Order o-2 was refunded", "hold_until": None,
        "created_at": newest.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def test_ledger_is_listed_newest_first_with_a_cursor(api, referred):
    entries = list(LedgerEntry.objects.filter(advocate=referred).order_by("-pk"))

    first = api.get(f"/advocates/{referred.pk}/ledger?limit=2").json()
    rest = api.get(f"/advocates/{referred.pk}/ledger?cursor={first['next_cursor']}").json()

    assert [(item["unit"], item["amount"], item["reason"]) for item in first["items"] + rest["items"]] == [
        ("credit", -300, "clawback"), ("points", -500, "clawback"), ("credit", 300, "reward"),
        ("points", 500, "reward"), ("credit", 1200, "reward"), ("points", 500, "reward")]
    assert [item["id"] for item in first["items"] + rest["items"]] == [entry.pk for entry in entries]
    assert first["next_cursor"] and rest["next_cursor"] is None
    assert first["items"][0]["reward_id"] == entries[0].reward_id
    assert first["items"][0]["currency"] == "USD"


def test_an_advocate_without_entries_has_an_empty_ledger(api, advocate):
    assert api.get(f"/advocates/{advocate.pk}/ledger").json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("query, field_errors", [
    ("limit=0", {"limit": ["Use a number of at least 1."]}),
    ("limit=501", {"limit": ["Use a number of at most 500."]}),
    ("limit=ten", {"limit": ["Enter a whole number."]}),
])
def test_bad_paging_parameters_are_422(api, advocate, query, field_errors):
    response = api.get(f"/advocates/{advocate.pk}/ledger?{query}")

    assert response.status_code == 422
    assert response.json() == {"error": "invalid", "message": "The request has invalid fields.",
                               "field_errors": field_errors}


# --- creating and updating ----------------------------------------------------------------------

def test_post_creates_an_advocate_with_a_link(api, program):
    response = api.post("/advocates", {"email": "Sam@Example.com", "name": "Sam Lee", "external_id": "cus_sam",
                                       "language": "de"})

    assert response.status_code == 201
    advocate = Advocate.objects.get(external_id="cus_sam")
    body = response.json()
    assert (body["id"], body["email"], body["name"], body["language"], body["status"]) == (
        advocate.pk, "Sam@example.com", "Sam Lee", "de", "active")
    assert body["link"]["code"] == advocate.link.code
    assert body["link"]["promo_code"].startswith("SAMLEE-")
    assert body["stats"] == {"clicks": 0, "unique_clicks": 0, "signups": 0, "purchases": 0, "referred_revenue": 0,
                             "currency": "USD", "points_balance": 0, "credit_balance": 0}


def test_post_with_a_known_email_or_external_id_updates_and_answers_200(api, advocate):
    by_email = api.post("/advocates", {"email": "JANE@example.com", "name": "Jane Q. Doe"})
    by_id = api.post("/advocates", {"email": "jane.doe@example.com", "external_id": "cus_jane"})

    assert (by_email.status_code, by_id.status_code) == (200, 200)
    assert by_email.json()["id"] == by_id.json()["id"] == advocate.pk
    advocate.refresh_from_db()
    assert (advocate.name, advocate.email, Advocate.objects.count()) == ("Jane Q. Doe", "jane.doe@example.com", 1)


@pytest.mark.parametrize("body, message, field_errors", [
    ({"name": "No Email"}, "The request has invalid fields.", {"email": ["This field is required."]}),
    ({"email": "nope"}, "Enter a valid email address.",
     {"email": ["An email address must have an @-sign."]}),
    ({"email": "x@example.com", "language": "xx"}, "Unknown language.",
     {"language": ["Use one of: ar, de, en, ja, pl"]}),
    ({"email": "x@example.com", "role": "vip"}, "The request has invalid fields.", {"role": ["Unknown field."]}),
    ({"email": "x@example.com", "name": 7}, "The request has invalid fields.", {"name": ["Enter text."]}),
])
def test_invalid_advocates_are_422_and_write_nothing(api, program, body, message, field_errors):
    counts = row_counts()

    response = api.post("/advocates", body)

    assert response.status_code == 422
    assert response.json() == {"error": "invalid", "message": message, "field_errors": field_errors}
    assert row_counts() == counts


def test_an_external_id_and_email_of_two_different_advocates_is_422(api, advocate, program):
    factories.make_advocate(program, email="bob@example.com", name="Bob", external_id="cus_bob")

    response = api.post("/advocates", {"email": "jane@example.com", "external_id": "cus_bob"})

    assert response.status_code == 422
    assert response.json()["field_errors"] == {"email": ["Already used by another advocate."]}
    assert Advocate.objects.get(external_id="cus_bob").email == "bob@example.com"


def test_post_advocates_replays_with_an_idempotency_key(api, program):
    first = api.post("/advocates", {"email": "sam@example.com"}, idempotency_key="adv-1")
    again = api.post("/advocates", {"email": "sam@example.com"}, idempotency_key="adv-1")

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert again.json() == first.json()
    assert Advocate.objects.count() == 1


def test_the_advocate_is_created_in_the_keys_program_only(api, program, stranger):
    response = api.post("/advocates", {"email": "stranger@example.com"})

    assert response.status_code == 201
    assert response.json()["id"] != stranger.pk
    assert Advocate.objects.get(pk=response.json()["id"]).program == program
