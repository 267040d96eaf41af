"""The advocate hears about a redemption the marketer fulfilled or rejected, over real SMTP,
in their language; their own cancellation sends nothing, nor does a turned-off preference."""

import pytest

from chorus.advocates.models import Advocate
from chorus.rewards import redemptions
from chorus.rewards.models import CatalogItem
from chorus.rewards.tests.catalog_helpers import give_points, make_item

pytestmark = pytest.mark.django_db
SHIPPING = {"name": "Jane Doe", "address": "1 Main St", "city": "Berlin", "postal_code": "10115", "country": "DE"}


@pytest.fixture
def hoodie(program, advocate):
    CatalogItem.objects.filter(program=program).delete()
    give_points(advocate, 1000)
    return make_item(program, title="Hoodie", fulfilment="shipping", cost_points=300,
                     titles={"de": "Kapuzenpulli"})


def redeem(advocate, item, captured):
    with captured(execute=True):
        redemption, _created = redemptions.redeem(advocate, item, shipping=SHIPPING)
    return redemption


def test_fulfilment_email_carries_the_note(hoodie, advocate, owner, smtp_server, django_capture_on_commit_callbacks):
    redemption = redeem(advocate, hoodie, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        redemptions.fulfil(redemption.pk, user=owner, note="Sent with DHL 123")
    [message] = smtp_server.wait_for(1)
    body = smtp_server.body(message)
    assert message["Subject"] == "Your reward is ready: Hoodie"
    assert "“Hoodie” has been fulfilled." in body and "Note: Sent with DHL 123" in body
    assert f"/hub/{hoodie.program.slug}/redemptions/" in body


def test_rejection_email_gives_the_reason_and_the_points_back_in_german(
        hoodie, advocate, owner, smtp_server, django_capture_on_commit_callbacks):
    Advocate.objects.filter(pk=advocate.pk).update(language="de")
    advocate.refresh_from_db()
    redemption = redeem(advocate, hoodie, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        redemptions.reject(redemption.pk, user=owner, reason="Ausverkauft")
    [message] = smtp_server.wait_for(1)
    body = smtp_server.body(message)
    assert message["Subject"] == "Ihre Einlösung wurde nicht genehmigt: Kapuzenpulli"
    assert "Grund: Ausverkauft" in body
    assert "Ihre 300 Punkte sind wieder in Ihrem Guthaben." in body


def test_no_email_for_the_advocates_own_cancellation_or_when_turned_off(
        hoodie, advocate, owner, smtp_server, django_capture_on_commit_callbacks):
    first = redeem(advocate, hoodie, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        redemptions.cancel(first.pk, advocate=advocate)
    Advocate.objects.filter(pk=advocate.pk).update(email_on_approval=False)
    advocate.refresh_from_db()
    second = redeem(advocate, hoodie, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        redemptions.fulfil(second.pk, user=owner)
    assert smtp_server.wait_for(1, timeout=1) == []
