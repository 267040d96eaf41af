"""Idempotency-Key on API writes: replay, mismatch, in-progress, expiry, what is stored."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from chorus.core import idempotency
from chorus.core.models import IdempotencyRecord
from chorus.referrals import api as referrals_api
from chorus.referrals.models import Conversion
from chorus.testing import factories
from chorus.testing.api_client import ApiClient, row_counts

PATH = "/api/v1/conversions"


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key)


def purchase(order_id: str = "o-1", amount: int = 5000) -> dict:
    return {"type": "purchase", "customer_external_id": "cus_friend", "amount": amount, "order_id": order_id}


def backdate(key: str, age: timedelta) -> None:
    IdempotencyRecord.objects.filter(key=key).update(created_at=timezone.now() - age)


def test_a_repeated_request_replays_the_first_response_and_acts_once(api, program):
    first = api.post("/conversions", purchase(), idempotency_key="key-1")
    counts = row_counts()

    again = api.post("/conversions", purchase(), idempotency_key="key-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert row_counts() == counts
    record = IdempotencyRecord.objects.get()
    assert (record.program, record.key, record.completed, record.response_status) == (program, "key-1", True, 201)
    assert record.response_body == first.json()


def test_the_same_body_in_another_key_order_or_spacing_is_the_same_request(api, program):
    api.post("/conversions", b'{"type": "purchase", "order_id": "o-1", "customer_external_id": "c"}',
             idempotency_key="key-1")

    again = api.post("/conversions", b'{"customer_external_id":"c","order_id":"o-1","type":"purchase"}',
                     idempotency_key="key-1")

    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")
    assert Conversion.objects.count() == 1


def test_the_same_key_with_a_different_body_is_refused_and_writes_nothing(api, program):
    api.post("/conversions", purchase(amount=5000), idempotency_key="key-1")
    counts = row_counts()

    response = api.post("/conversions", purchase(amount=5001), idempotency_key="key-1")

    assert response.status_code == 422
    assert response.json() == {
        "error": "idempotency_key_reused",
        "message": "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
        "field_errors": {"Idempotency-Key": ["Already used with another request body or endpoint."]},
    }
    assert row_counts() == counts
    assert Conversion.objects.get().amount == 5000


def test_the_same_key_on_another_endpoint_is_refused(api, program):
    api.post("/conversions", purchase(), idempotency_key="key-1")
    counts = row_counts()

    response = api.post("/conversions/batch", {"conversions": [purchase()]}, idempotency_key="key-1")

    assert (response.status_code, response.json()["error"]) == (422, "idempotency_key_reused")
    assert row_counts() == counts


def test_keys_belong_to_one_program(client, api, program, outsider):
    from chorus.programs.models import Program

    other = ApiClient(client, factories.make_api_key(Program.objects.get(slug="other-program"))[1])
    api.post("/conversions", purchase(), idempotency_key="key-1")

    response = other.post("/conversions", purchase(amount=1), idempotency_key="key-1")

    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert IdempotencyRecord.objects.filter(key="key-1").count() == 2


def test_a_request_that_fails_validation_stores_nothing_so_the_key_can_be_reused(api, program):
    """Stripe: results are saved only once the endpoint started executing."""
    bad_json = api.post("/conversions", b'{"type": ', idempotency_key="key-1")
    bad_type = api.post("/conversions", {**purchase(), "amount": "50.00"}, idempotency_key="key-1")
    assert (bad_json.status_code, bad_type.status_code) == (400, 422)
    assert IdempotencyRecord.objects.count() == 0

    fixed = api.post("/conversions", purchase(), idempotency_key="key-1")

    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed
    assert Conversion.objects.count() == 1


def test_an_error_the_endpoint_raised_is_stored_and_replayed(api, program):
    """Like Stripe, a 4xx the endpoint itself answered is the request's result for 24 h."""
    refused = api.post("/conversions", {"type": "refund", "order_id": "o-1"}, idempotency_key="refund-1")
    api.post("/conversions", purchase(order_id="o-1"))

    again = api.post("/conversions", {"type": "refund", "order_id": "o-1"}, idempotency_key="refund-1")

    assert refused.status_code == again.status_code == 404
    assert again.json() == refused.json() == {
        "error": "not_found", "message": "No purchase with order_id “o-1” in this program.",
        "field_errors": {"order_id": ["Unknown order."]},
    }
    assert again["Idempotent-Replayed"] == "true"
    assert not Conversion.objects.filter(type="refund").exists()


def test_a_duplicate_sent_while_the_first_is_running_gets_409(api, program):
    body = purchase()
    print_ = idempotency.fingerprint("POST", PATH, ApiClient.encode(body))
    IdempotencyRecord.objects.create(program=program, key="key-1", fingerprint=print_)
    counts = row_counts()

    response = api.post("/conversions", body, idempotency_key="key-1")

    assert response.status_code == 409
    assert response.json() == {
        "error": "idempotency_key_in_use",
        "message": "A request with this Idempotency-Key is in progress; retry after it has finished.",
        "field_errors": {},
    }
    assert row_counts() == counts


def test_an_unfinished_record_of_a_crashed_request_is_taken_over_after_ten_minutes(api, program):
    body = purchase()
    IdempotencyRecord.objects.create(program=program, key="key-1",
                                     fingerprint=idempotency.fingerprint("POST", PATH, ApiClient.encode(body)))
    backdate("key-1", timedelta(minutes=11))

    response = api.post("/conversions", body, idempotency_key="key-1")

    assert response.status_code == 201
    record = IdempotencyRecord.objects.get()
    assert (record.completed, record.response_status) == (True, 201)
    assert timezone.now() - record.created_at < timedelta(minutes=1)


def test_records_older_than_24_hours_count_as_absent(api, program):
    api.post("/conversions", purchase(order_id="o-1"), idempotency_key="key-1")
    backdate("key-1", timedelta(hours=24, seconds=1))

    response = api.post("/conversions", purchase(order_id="o-2"), idempotency_key="key-1")

    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert list(Conversion.objects.order_by("pk").values_list("order_id", flat=True)) == ["o-1", "o-2"]
    assert IdempotencyRecord.objects.get().response_body["order_id"] == "o-2"


def test_prune_expired_deletes_only_records_past_24_hours(program):
    for key in ("old", "fresh"):
        IdempotencyRecord.objects.create(program=program, key=key, fingerprint="f", completed=True)
    backdate("old", timedelta(hours=25))

    assert idempotency.prune_expired() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_a_server_error_releases_the_key_so_a_retry_can_act(api, program, monkeypatch):
    def broken(program, data):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(referrals_api, "record_conversion", broken)
    failed = api.post("/conversions", purchase(), idempotency_key="key-1")
    assert failed.status_code == 500
    assert failed.json() == {"error": "server_error", "message": "Something went wrong on our side; it has been logged.",
                             "field_errors": {}}
    assert IdempotencyRecord.objects.count() == 0
    monkeypatch.undo()

    retried = api.post("/conversions", purchase(), idempotency_key="key-1")

    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    assert Conversion.objects.count() == 1


def test_a_busy_database_is_503_with_retry_after_and_not_stored(api, program, monkeypatch):
    def busy(program, data):
        raise OperationalError("database is locked")

    monkeypatch.setattr(referrals_api, "record_conversion", busy)

    response = api.post("/conversions", purchase(), idempotency_key="key-1")

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["error"] == "unavailable"
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize("key, message", [
    ("k" * 256, "Use at most 255 characters."),
    ("", "Use at least 1 character."),
    ("clé", "This value has an invalid format."),
])
def test_a_malformed_key_is_422(api, program, key, message):
    response = api.post("/conversions", purchase(), idempotency_key=key)

    assert response.status_code == 422
    assert response.json()["field_errors"] == {"Idempotency-Key": [message]}
    assert row_counts()["Conversion"] == 0


def test_batches_are_idempotent_too(api, program):
    body = {"conversions": [purchase(order_id="o-1"), purchase(order_id="o-2")]}
    first = api.post("/conversions/batch", body, idempotency_key="batch-1")

    again = api.post("/conversions/batch", body, idempotency_key="batch-1")

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (200, 200, "true")
    assert again.json() == first.json()
    assert first.json()["recorded"] == 2
    assert Conversion.objects.count() == 2


def test_fingerprint_depends_on_method_path_and_canonical_body():
    base = idempotency.fingerprint("POST", PATH, b'{"a": 1, "b": [1, 2]}')

    assert idempotency.fingerprint("post", PATH, b'{"b":[1,2],"a":1}') == base
    assert idempotency.fingerprint("PUT", PATH, b'{"a": 1, "b": [1, 2]}') != base
    assert idempotency.fingerprint("POST", PATH + "/batch", b'{"a": 1, "b": [1, 2]}') != base
    assert idempotency.fingerprint("POST", PATH, b'{"a": 1, "b": [2, 1]}') != base
    assert idempotency.fingerprint("POST", PATH, b"not json") != idempotency.fingerprint("POST", PATH, b"not json!")
