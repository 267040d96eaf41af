"""The console's Integrations page: endpoint URLs, the Stripe signing secret, the event log."""

import pytest
from django.urls import reverse

from chorus.core.models import AuditEvent
from chorus.integrations.models import InboundEvent, StripeEndpoint
from chorus.integrations.providers.stripe.services import set_signing_secret

from .stripe_fixtures import SECRET, body_of, checkout_session, event, sign

NEW_SECRET = "whsec_new0secret0value0abcd"


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def url(program) -> str:
    return reverse("console:integrations", args=[program.slug])


def test_page_shows_both_endpoint_urls_and_the_way_to_authenticate(owner_client, program):
    page = owner_client.get(url(program)).content.decode()

    assert "http://127.0.0.1:8000/integrations/stripe/acme/" in page
    assert "http://127.0.0.1:8000/api/v1/integrations/segment" in page
    assert "No signing secret yet" in page
    assert "Basic auth username" in page
    assert 'aria-current="page">Integrations<' in page


def test_owner_sets_then_replaces_the_secret_which_is_never_shown_in_full(owner_client, owner, program):
    first = owner_client.post(url(program), {"signing_secret": SECRET})
    assert first.status_code == 302
    replaced = owner_client.post(url(program), {"signing_secret": NEW_SECRET}, follow=True)

    endpoint = StripeEndpoint.objects.get(program=program)
    assert (endpoint.signing_secret, endpoint.updated_by) == (NEW_SECRET, owner)
    page = replaced.content.decode()
    assert "whsec_…abcd" in page and NEW_SECRET not in page and SECRET not in page
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "stripe.secret_set", "stripe.secret_replaced"]
    assert all(SECRET not in str(data) for data in AuditEvent.objects.values_list("data", flat=True))


@pytest.mark.parametrize("secret", ["", "sk_live_123456789", "whsec_short", "whsec_has spaces inside"])
def test_bad_secret_is_refused_and_nothing_changes(owner_client, program, secret):
    set_signing_secret(program, SECRET)

    response = owner_client.post(url(program), {"signing_secret": secret})

    assert response.status_code == 422
    assert response.context["form"].errors["signing_secret"]
    assert StripeEndpoint.objects.get(program=program).signing_secret == SECRET


def test_teammate_sees_the_page_but_cannot_set_the_secret(client, teammate, program):
    client.force_login(teammate)
    page = client.get(url(program))
    assert page.status_code == 200 and 'name="signing_secret"' not in page.content.decode()

    response = client.post(url(program), {"signing_secret": SECRET})

    assert response.status_code == 404
    assert not StripeEndpoint.objects.exists()


def test_outsider_cannot_see_the_page(client, outsider, program):
    client.force_login(outsider)
    assert client.get(url(program)).status_code == 404


def test_received_events_are_listed_with_their_outcome(owner_client, client, program):
    set_signing_secret(program, SECRET)
    for payload in (event("evt_paid", "checkout.session.completed", checkout_session()),
                    event("evt_other", "customer.created", {"id": "cus_1", "object": "customer"})):
        body = body_of(payload)
        client.post("/integrations/stripe/acme/", data=body, content_type="application/json",
                    headers={"Stripe-Signature": sign(body)})
    assert InboundEvent.objects.count() == 2

    page = owner_client.get(url(program)).content.decode()

    assert "evt_paid" in page and "Purchase recorded" in page and "pi_3MtwBwLkdIwHu7ix28a3tqPa" in page
    assert "evt_other" in page and "Event type Chorus does not use" in page
