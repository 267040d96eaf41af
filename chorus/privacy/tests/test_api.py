import pytest

from chorus.advocates.models import Advocate
from chorus.core.models import AuditEvent
from chorus.privacy.models import Erasure
from chorus.privacy.registry import email_hash
from chorus.testing import factories
from chorus.testing.api_client import ApiClient


@pytest.fixture
def api(client, story):
    key, raw = factories.make_api_key(story.program, scopes=["read", "write"])
    api = ApiClient(client, raw)
    api.key_prefix = key.prefix
    return api


def test_export_answers_the_json_document_and_is_audited(api, story):
    response = api.get("/people/export?email=jane%40example.com")
    assert response.status_code == 200
    body = response.json()
    assert (body["schema_version"], body["program"]["slug"], body["person"]["advocate_ids"]) == (1, "acme", [story.jane.pk])
    assert body["sections"]["advocates"][0]["email"] == "jane@example.com"
    event = AuditEvent.objects.get(action="personal_data.exported")
    assert (event.actor, event.data["via"], event.data["api_key"]) == (None, "api", api.key_prefix)


def test_export_validation(api, story):
    missing = api.get("/people/export")
    assert (missing.status_code, missing.json()["field_errors"]) == (422, {"email": ["This field is required."]})
    invalid = api.get("/people/export?email=nope")
    assert (invalid.status_code, invalid.json()["message"]) == (422, "Enter a valid email address.")
    unknown = api.get("/people/export?email=nobody%40example.com")
    assert (unknown.status_code, unknown.json()["error"], unknown.json()["message"]) == (
        404, "not_found", "Chorus holds no personal data for this email address in Acme Customers.")


def test_another_programs_key_finds_nobody(client, story, outsider):
    other = factories.make_program(name="Elsewhere", slug="elsewhere")
    key, raw = factories.make_api_key(other)
    response = ApiClient(client, raw).get("/people/export?email=jane%40example.com")
    assert (response.status_code, response.json()["message"]) == (
        404, "Chorus holds no personal data for this email address in Elsewhere.")
    erase = ApiClient(client, raw).post("/people/erase", {"email": "jane@example.com"})
    assert erase.status_code == 404
    assert Advocate.objects.get(pk=story.jane.pk).status == "active"


def test_scopes(client, story):
    _key, read_only = factories.make_api_key(story.program, scopes=["read"])
    response = ApiClient(client, read_only).post("/people/erase", {"email": "jane@example.com"})
    assert (response.status_code, response.json()["message"]) == (403, "This API key lacks the “write” scope.")
    _key, write_only = factories.make_api_key(story.program, scopes=["write"])
    response = ApiClient(client, write_only).get("/people/export?email=jane%40example.com")
    assert (response.status_code, response.json()["message"]) == (403, "This API key lacks the “read” scope.")
    assert ApiClient(client, None).get("/people/export?email=jane%40example.com").status_code == 401
    assert Advocate.objects.get(pk=story.jane.pk).status == "active" and not AuditEvent.objects.filter(
        action__startswith="personal_data").exists()


def test_erase_is_idempotent_with_and_without_a_key(api, story, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post("/people/erase", {"email": "jane@example.com"}, idempotency_key="erase-jane-1")
    assert first.status_code == 200
    body = first.json()
    assert (body["erased"], body["already_erased"], body["email_hash"], body["advocate_ids"], body["customer_ids"]) == (
        True, False, email_hash("jane@example.com"), [story.jane.pk], [story.jane_customer.pk])
    assert body["sections"]["login_tokens"] == 1 and "jane" not in first.content.decode().lower()
    replayed = api.post("/people/erase", {"email": "jane@example.com"}, idempotency_key="erase-jane-1")
    assert (replayed.status_code, replayed.headers["Idempotent-Replayed"], replayed.json()) == (200, "true", body)
    again = api.post("/people/erase", {"email": "JANE@example.com"})
    assert (again.status_code, again.json()["already_erased"], again.json()["erased_at"]) == (200, True, body["erased_at"])
    assert Erasure.objects.count() == 1
    event = AuditEvent.objects.get(action="personal_data.erased")
    assert (event.data["via"], event.data["api_key"]) == ("api", api.key_prefix)
    enrol = api.post("/advocates", {"email": "jane@example.com", "name": "Jane Doe"}, idempotency_key=story.idempotency_key)
    assert (enrol.status_code, enrol.json(), enrol.headers["Idempotent-Replayed"]) == (200, {"erased": True}, "true")


def test_erase_validation_changes_nothing(api, story):
    missing = api.post("/people/erase", {})
    assert (missing.status_code, missing.json()["field_errors"]) == (422, {"email": ["This field is required."]})
    invalid = api.post("/people/erase", {"email": "jane at example"})
    assert (invalid.status_code, invalid.json()["field_errors"]["email"][0].startswith("An email address must have")) == (
        422, True)
    unknown = api.post("/people/erase", {"email": "nobody@example.com"})
    assert (unknown.status_code, unknown.json()["message"]) == (
        404, "Chorus holds no personal data for this email address in Acme Customers.")
    assert Advocate.objects.get(pk=story.jane.pk).status == "active" and Erasure.objects.count() == 0
