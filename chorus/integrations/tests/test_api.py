"""The webhooks API: admin-scoped keys list, create and delete endpoints and read deliveries."""

import pytest

from chorus.integrations.webhooks_out.models import Endpoint
from chorus.testing import factories
from chorus.testing.api_client import API, ApiClient

PUBLIC_URL = "https://93.184.215.14/hooks/chorus"


@pytest.fixture
def admin_api(client, program):
    _key, raw = factories.make_api_key(program, scopes=["admin"])
    return ApiClient(client, raw)


def test_admin_keys_create_list_and_delete_endpoints(admin_api, program, settings):
    settings.CHORUS_WEBHOOK_ALLOWED_NETWORKS = []
    created = admin_api.post("/webhooks/endpoints", {"url": PUBLIC_URL, "event_types": ["reward.issued"],
                                                     "description": "CRM"})
    assert created.status_code == 201
    body = created.json()
    endpoint = Endpoint.objects.get(program=program)
    assert body["secret"] == endpoint.secret and body["secret"].startswith("whsec_")
    assert (body["id"], body["url"], body["event_types"], body["is_enabled"]) == (
        endpoint.pk, PUBLIC_URL, ["reward.issued"], True)
    listed = admin_api.get("/webhooks/endpoints").json()
    assert [item["id"] for item in listed["items"]] == [endpoint.pk] and "secret" not in listed["items"][0]
    assert listed["next_cursor"] is None
    assert admin_api.get(f"/webhooks/endpoints/{endpoint.pk}/deliveries").json() == {"items": [], "next_cursor": None}
    deleted = admin_api.client.delete(f"{API}/webhooks/endpoints/{endpoint.pk}",
                                      headers={"Authorization": f"Bearer {admin_api.key}"})
    assert deleted.status_code == 204 and not Endpoint.objects.exists()


def test_unsafe_urls_and_unknown_events_are_422(admin_api, settings):
    settings.CHORUS_WEBHOOK_ALLOWED_NETWORKS = []
    refused = admin_api.post("/webhooks/endpoints", {"url": "https://169.254.169.254/", "event_types": ["reward.issued"]})
    assert refused.status_code == 422 and refused.json()["error"] == "unsafe_url"
    assert "url" in refused.json()["field_errors"]
    unknown = admin_api.post("/webhooks/endpoints", {"url": PUBLIC_URL, "event_types": ["reward.eaten"]})
    assert unknown.status_code == 422 and "event_types" in unknown.json()["field_errors"]
    assert not Endpoint.objects.exists()


def test_keys_without_the_admin_scope_are_refused(client, program, settings):
    _key, raw = factories.make_api_key(program, scopes=["read", "write"])
    api = ApiClient(client, raw)
    assert api.get("/webhooks/endpoints").status_code == 403
    assert api.post("/webhooks/endpoints", {"url": PUBLIC_URL, "event_types": ["reward.issued"]}).status_code == 403
    assert not Endpoint.objects.exists()


def test_other_programs_endpoints_are_404(admin_api, workspace):
    other = factories.make_program(workspace, slug="other")
    endpoint = Endpoint.objects.create(program=other, url=PUBLIC_URL, event_types=["reward.issued"], secret="whsec_x")
    assert admin_api.get(f"/webhooks/endpoints/{endpoint.pk}/deliveries").status_code == 404
    assert admin_api.get("/webhooks/endpoints").json() == {"items": [], "next_cursor": None}


def test_deliveries_are_listed_page_by_page_with_a_cursor(admin_api, program):
    from chorus.integrations.webhooks_out import EventType, emit

    endpoint = Endpoint.objects.create(program=program, url=PUBLIC_URL, event_types=["advocate.joined"],
                                       secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    for number in (1, 2, 3):
        emit(program.pk, EventType.ADVOCATE_JOINED, {"advocate": {"id": number}}, f"advocate:{number}")
    path = f"/webhooks/endpoints/{endpoint.pk}/deliveries"
    first = admin_api.get(f"{path}?limit=2").json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = admin_api.get(f"{path}?limit=2&cursor={first['next_cursor']}").json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    seen = [item["msg_id"] for item in first["items"] + second["items"]]
    assert len(set(seen)) == 3 and {item["event_type"] for item in first["items"]} == {"advocate.joined"}
    assert admin_api.get(f"{path}?cursor=forged").status_code == 400
