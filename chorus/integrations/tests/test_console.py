"""The console's Webhooks page: editors manage endpoints (secret shown once), the log and replays;
teammates only read; other workspaces get 404."""

import pytest
from django.urls import reverse

from chorus.integrations.webhooks_out.models import Attempt, Delivery, Endpoint
from chorus.testing import factories

PUBLIC_URL = "https://93.184.215.14/hooks/chorus"


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def url(name, program, *args):
    return reverse(f"console:{name}", args=[program.slug, *args])


def add(client, program, address=PUBLIC_URL, events=("reward.issued", "advocate.joined")):
    return client.post(url("webhooks", program), {"url": address, "description": "CRM", "event_types": list(events)})


def test_adding_an_endpoint_shows_its_secret_once(owner_client, owner, program, settings):
    settings.CHORUS_WEBHOOK_ALLOWED_NETWORKS = []
    response = add(owner_client, program)
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    endpoint = Endpoint.objects.get(program=program)
    assert secret.startswith("whsec_") and secret == endpoint.secret and secret in response.content.decode()
    assert (endpoint.url, endpoint.description, endpoint.event_types, endpoint.created_by) == (
        PUBLIC_URL, "CRM", ["advocate.joined", "reward.issued"], owner)
    listing = owner_client.get(url("webhooks", program)).content.decode()
    assert PUBLIC_URL in listing and secret not in listing
    detail = owner_client.get(url("webhook_endpoint", program, endpoint.pk)).content.decode()
    assert secret not in detail
    assert 'href="/console/programs/acme/webhooks/"' in owner_client.get(url("settings", program)).content.decode()


@pytest.mark.parametrize("address", ["https://127.0.0.1/x", "https://169.254.169.254/", "https://[::1]/x",
                                     "https://localhost/x", "http://93.184.215.14/x", "not a url"])
def test_unsafe_or_malformed_urls_are_refused_with_a_message(owner_client, program, settings, address):
    settings.CHORUS_WEBHOOK_ALLOWED_NETWORKS = []
    response = add(owner_client, program, address=address)
    assert response.status_code == 422
    assert response.context["form"].errors["url"]
    assert not Endpoint.objects.exists()


def test_no_event_chosen_is_refused(owner_client, program):
    response = add(owner_client, program, events=())
    assert response.status_code == 422 and response.context["form"].errors["event_types"]
    assert not Endpoint.objects.exists()


def test_edit_events_disable_enable_and_rotate(owner_client, program, settings):
    settings.CHORUS_WEBHOOK_ALLOWED_NETWORKS = []
    add(owner_client, program)
    endpoint = Endpoint.objects.get()
    first_secret = endpoint.secret
    response = owner_client.post(url("webhook_endpoint", program, endpoint.pk),
                                 {"description": "Warehouse", "event_types": ["badge.awarded"]})
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.event_types) == ("Warehouse", ["badge.awarded"])

    owner_client.post(url("webhook_disable", program, endpoint.pk))
    endpoint.refresh_from_db()
    assert (endpoint.is_enabled, endpoint.disabled_reason) == (False, "manual")
    owner_client.post(url("webhook_enable", program, endpoint.pk))
    endpoint.refresh_from_db()
    assert (endpoint.is_enabled, endpoint.disabled_reason) == (True, "")

    response = owner_client.post(url("webhook_rotate", program, endpoint.pk))
    endpoint.refresh_from_db()
    assert response.status_code == 200 and response.context["secret"] == endpoint.secret != first_secret
    assert endpoint.previous_secret == first_secret


def test_test_event_and_replay_appear_in_the_delivery_log(owner_client, program, receiver,
                                                         django_capture_on_commit_callbacks):
    owner_client.post(url("webhooks", program), {"url": receiver.url(), "event_types": ["advocate.joined"]})
    endpoint = Endpoint.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        with_test = owner_client.post(url("webhook_test", program, endpoint.pk), follow=True)
    assert with_test.status_code == 200
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == "succeeded" and len(receiver.requests) == 1
    page = owner_client.get(url("webhook_endpoint", program, endpoint.pk)).content.decode()
    assert delivery.message.msg_id in page and "webhook.test" in page and "HTTP 200" in page

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url("webhook_replay", program, endpoint.pk, delivery.pk))
    assert list(Attempt.objects.filter(delivery=delivery).values_list("number", "trigger")) == [
        (1, "scheduled"), (2, "manual")]
    assert len(receiver.requests) == 2


def test_teammates_read_but_cannot_change(client, teammate, program, settings):
    settings.CHORUS_WEBHOOK_ALLOWED_NETWORKS = []
    endpoint = Endpoint.objects.create(program=program, url=PUBLIC_URL, event_types=["reward.issued"], secret="whsec_x")
    client.force_login(teammate)
    page = client.get(url("webhooks", program))
    assert page.status_code == 200 and PUBLIC_URL in page.content.decode() and "Add an endpoint" not in page.content.decode()
    assert client.get(url("webhook_endpoint", program, endpoint.pk)).status_code == 200
    assert add(client, program).status_code == 404
    for name in ("webhook_disable", "webhook_rotate", "webhook_test", "webhook_delete"):
        assert client.post(url(name, program, endpoint.pk)).status_code == 404
    endpoint.refresh_from_db()
    assert (endpoint.is_enabled, endpoint.secret, Endpoint.objects.count()) == (True, "whsec_x", 1)


def test_other_workspaces_get_404(client, outsider, program):
    endpoint = Endpoint.objects.create(program=program, url=PUBLIC_URL, event_types=["reward.issued"], secret="whsec_x")
    client.force_login(outsider)
    assert client.get(url("webhooks", program)).status_code == 404
    assert client.get(url("webhook_endpoint", program, endpoint.pk)).status_code == 404
    other = factories.make_program(factories.make_workspace(), slug="elsewhere")
    client.force_login(program.workspace.memberships.first().user)
    assert client.get(url("webhook_endpoint", other, endpoint.pk)).status_code == 404
