"""POST /integrations/stripe/<program>/: Stripe events end to end, through the conversion ingest."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from chorus.core import ratelimit
from chorus.core.signing import new_click_id
from chorus.integrations.models import InboundEvent
from chorus.integrations.providers.stripe.services import set_signing_secret
from chorus.referrals.models import Conversion, Referral
from chorus.rewards.models import Reward
from chorus.testing import factories
from chorus.testing.api_client import row_counts

from .stripe_fixtures import (
    CREATED,
    SECRET,
    body_of,
    charge,
    checkout_session,
    event,
    invoice,
    sign,
)

URL = "/integrations/stripe/acme/"


@pytest.fixture
def endpoint(program):
    return set_signing_secret(program, SECRET)


@pytest.fixture
def rules(program):
    return factories.make_standard_rules(program)


def deliver(client, payload: dict, *, secret: str = SECRET, timestamp: int | None = None, header: str | None = None,
            url: str = URL):
    body = body_of(payload)
    signature = sign(body, secret, timestamp) if header is None else header
    return client.post(url, data=body, content_type="application/json", headers={"Stripe-Signature": signature})


def counts() -> dict:
    return {**row_counts(), "InboundEvent": InboundEvent.objects.count()}


def click_id(advocate) -> str:
    clicked_at = datetime.fromtimestamp(CREATED, UTC) - timedelta(days=1)
    return new_click_id(advocate.link.pk, advocate.program_id, clicked_at=clicked_at.timestamp()).token


def completed(advocate=None, **fields) -> dict:
    return event("evt_checkout_1", "checkout.session.completed", checkout_session(**fields))


# --- signatures and refusals -------------------------------------------------------------------

def test_purchase_attributed_by_client_reference_id_click_id(client, endpoint, advocate, rules):
    response = deliver(client, completed(client_reference_id=click_id(advocate)))

    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False, "status": "processed", "reason": "purchase"}
    purchase = Conversion.objects.get()
    assert (purchase.type, purchase.amount, purchase.currency, purchase.order_id) == (
        "purchase", 4900, "USD", "pi_3MtwBwLkdIwHu7ix28a3tqPa")
    assert purchase.occurred_at == datetime.fromtimestamp(CREATED, UTC)
    assert (purchase.customer.external_id, purchase.customer.email, purchase.customer.name) == (
        "cus_NffrFeUfNV2Hib", "jenny.rosen@example.com", "Jenny Rosen")
    assert (purchase.referral.advocate, purchase.referral.reason) == (advocate, "click")
    assert sorted((r.kind, r.amount, r.status) for r in Reward.objects.filter(conversion=purchase)) == [
        ("percent", 490, "issued"), ("points", 500, "issued")]  # January: the 30-day hold is over
    logged = InboundEvent.objects.get()
    assert (logged.provider, logged.external_id, logged.event_type, logged.status, logged.conversion) == (
        "stripe", "evt_checkout_1", "checkout.session.completed", "processed", purchase)


def test_purchase_attributed_by_metadata_code(client, endpoint, advocate, rules):
    response = deliver(client, completed(metadata={"chorus_code": advocate.link.code}))

    assert response.status_code == 200
    referral = Referral.objects.get()
    assert (referral.advocate, referral.reason) == (advocate, "referral_code")


def test_client_reference_id_holding_a_promo_code_attributes(client, endpoint, advocate, rules):
    deliver(client, completed(client_reference_id=advocate.link.promo_code))

    assert (Referral.objects.get().advocate, Referral.objects.get().reason) == (advocate, "promo_code")


@pytest.mark.parametrize("case", ["tampered", "other_secret", "only_v0", "missing", "too_old", "too_new"])
def test_bad_signatures_are_refused_with_400_and_nothing_recorded(client, endpoint, advocate, case):
    payload = completed(client_reference_id=click_id(advocate))
    body = body_of(payload)
    now = int(datetime.now(UTC).timestamp())
    header = {
        "tampered": sign(body),
        "other_secret": sign(body, "whsec_other"),
        "only_v0": sign(body).replace("v1=", "v0="),
        "missing": "",
        "too_old": sign(body, timestamp=now - 301),
        "too_new": sign(body, timestamp=now + 301),
    }[case]
    if case == "tampered":
        body = body.replace(b"4900", b"9900")
    before = counts()

    response = client.post(URL, data=body, content_type="application/json", headers={"Stripe-Signature": header})

    assert response.status_code == 400
    assert response.json()["error"] == "bad_signature"
    assert counts() == before


def test_recent_timestamp_within_tolerance_is_accepted(client, endpoint):
    now = int(datetime.now(UTC).timestamp())
    assert deliver(client, completed(), timestamp=now - 290).status_code == 200


def test_multiple_v1_signatures_one_valid_is_accepted(client, endpoint):
    body = body_of(completed())
    header = sign(body, "whsec_old_secret") + "," + sign(body).split(",")[1]
    response = client.post(URL, data=body, content_type="application/json", headers={"Stripe-Signature": header})
    assert response.status_code == 200 and Conversion.objects.count() == 1


def test_program_without_secret_refuses_and_records_nothing(client, program):
    response = deliver(client, completed())
    assert response.status_code == 400
    assert response.json()["error"] == "not_configured"
    assert InboundEvent.objects.count() == 0


def test_unknown_program_is_404(client, endpoint):
    assert deliver(client, completed(), url="/integrations/stripe/nobody/").status_code == 404


def test_signed_body_that_is_not_an_event_is_400(client, endpoint):
    body = b'{"hello": "world"}'
    response = client.post(URL, data=body, content_type="application/json", headers={"Stripe-Signature": sign(body)})
    assert response.status_code == 400 and InboundEvent.objects.count() == 0


def test_absurd_created_time_falls_back_to_now(client, endpoint):
    response = deliver(client, event("evt_far", "checkout.session.completed", checkout_session(), created=10**20))

    assert response.status_code == 200
    assert abs((Conversion.objects.get().occurred_at - datetime.now(UTC)).total_seconds()) < 60


def test_get_is_405(client, endpoint):
    assert client.get(URL).status_code == 405


def test_rate_limit_answers_429_with_retry_after(client, endpoint, settings, monkeypatch):
    settings.CHORUS_STRIPE_WEBHOOK_RATE_LIMIT_PER_MINUTE = 1
    cache.clear()
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_010.0))
    assert deliver(client, completed()).status_code == 200
    response = deliver(client, event("evt_2", "invoice.paid", invoice()))
    assert response.status_code == 429
    assert response["Retry-After"] == "50"
    assert InboundEvent.objects.count() == 1


# --- exactly once, ignored types --------------------------------------------------------------

def test_duplicate_delivery_acts_once(client, endpoint, advocate, rules):
    payload = completed(client_reference_id=click_id(advocate))
    deliver(client, payload)
    before = counts()

    again = deliver(client, payload)

    assert again.status_code == 200
    assert again.json() == {"received": True, "duplicate": True, "status": "processed", "reason": "purchase"}
    assert counts() == before


def test_unknown_event_type_is_accepted_and_ignored(client, endpoint):
    response = deliver(client, event("evt_customer", "customer.created", {"id": "cus_1", "object": "customer"}))

    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert Conversion.objects.count() == 0
    assert InboundEvent.objects.get().reason == "unknown_type"


def test_unpaid_checkout_is_ignored(client, endpoint):
    response = deliver(client, completed(payment_status="unpaid"))
    assert response.json()["reason"] == "not_paid" and Conversion.objects.count() == 0


def test_purchase_in_another_currency_is_logged_as_failed_not_500(client, endpoint):
    session = checkout_session()
    session["currency"] = "eur"
    response = deliver(client, event("evt_eur", "checkout.session.completed", session))

    assert response.status_code == 200
    logged = InboundEvent.objects.get()
    assert (logged.status, logged.reason) == ("failed", "invalid")
    assert "This program counts in USD." in logged.detail
    assert Conversion.objects.count() == 0


# --- subscriptions --------------------------------------------------------------------------

def test_subscription_checkout_and_its_first_invoice_are_one_purchase_renewal_is_another(client, endpoint, advocate,
                                                                                          rules):
    first_invoice = "in_first"
    deliver(client, event("evt_cs", "checkout.session.completed", checkout_session(
        mode="subscription", invoice=first_invoice, payment_intent=None, client_reference_id=click_id(advocate))))
    first = deliver(client, event("evt_in_1", "invoice.paid", invoice(
        invoice_id=first_invoice, billing_reason="subscription_create")))
    renewal = deliver(client, event("evt_in_2", "invoice.paid", invoice(invoice_id="in_second"), created=CREATED + 86400))

    assert first.json()["reason"] == "already_recorded"
    assert renewal.json()["reason"] == "purchase"
    purchases = Conversion.objects.filter(type="purchase").order_by("occurred_at")
    assert [(p.order_id, p.amount) for p in purchases] == [("in_first", 4900), ("in_second", 4900)]
    assert {p.referral.advocate for p in purchases} == {advocate}


def test_zero_amount_invoice_is_ignored(client, endpoint):
    response = deliver(client, event("evt_trial", "invoice.paid", invoice(amount_paid=0)))
    assert response.json()["reason"] == "not_paid" and Conversion.objects.count() == 0


# --- refunds ---------------------------------------------------------------------------------

def refunded(event_id: str, refunded_amount: int, **fields) -> dict:
    return event(event_id, "charge.refunded", charge(amount_refunded=refunded_amount, **fields), created=CREATED + 60)


def test_full_refund_is_linked_to_the_purchase_and_reverses_its_rewards(client, endpoint, advocate, rules):
    deliver(client, completed(client_reference_id=click_id(advocate)))

    response = deliver(client, refunded("evt_refund", 4900))

    assert response.json()["reason"] == "refund"
    purchase, refund = Conversion.objects.get(type="purchase"), Conversion.objects.get(type="refund")
    assert (refund.refunded_conversion, refund.amount, refund.order_id) == (purchase, 4900, purchase.order_id)
    assert set(Reward.objects.filter(conversion=purchase).values_list("status", flat=True)) == {"clawed_back"}


def test_partial_refunds_count_each_delta_once_and_the_last_refunds_the_purchase(client, endpoint, advocate, rules):
    from chorus.analytics.dashboard import program_dashboard

    deliver(client, completed(client_reference_id=click_id(advocate)))
    purchase = Conversion.objects.get(type="purchase")
    day = purchase.occurred_at.date()

    first = deliver(client, refunded("evt_r1", 1000))
    again = deliver(client, refunded("evt_r1", 1000))
    second = deliver(client, refunded("evt_r2", 2500))

    assert (first.json()["reason"], again.json()["duplicate"], second.json()["reason"]) == (
        "partial_refund", True, "partial_refund")
    assert list(InboundEvent.objects.filter(event_type="charge.refunded").order_by("pk").values_list("amount", flat=True)) == [
        1000, 1500]
    # Each partial refund is its own refund row (10.00, then the 15.00 the second event adds):
    # referred revenue drops to 49.00 − 25.00 = 24.00, and the rewards stay.
    refunds = Conversion.objects.filter(type="refund").order_by("pk")
    assert [(row.order_id, row.amount, row.refunded_conversion_id) for row in refunds] == [
        (f"{purchase.order_id}#evt_r1", 1000, purchase.pk), (f"{purchase.order_id}#evt_r2", 1500, purchase.pk)]
    assert program_dashboard(endpoint.program, day, day)["funnel"]["revenue"] == 2400
    assert set(Reward.objects.values_list("status", flat=True)) == {"issued"}

    last = deliver(client, refunded("evt_r3", 4900))

    assert last.json()["reason"] == "refund"
    assert InboundEvent.objects.get(external_id="evt_r3").amount == 2400
    # The last 24.00 is the order's full refund: it claws the rewards back; revenue is 0.
    assert Conversion.objects.get(type="refund", order_id=purchase.order_id).amount == 2400
    assert sum(Conversion.objects.filter(type="refund").values_list("amount", flat=True)) == 4900
    assert program_dashboard(endpoint.program, day, day)["funnel"]["revenue"] == 0
    assert set(Reward.objects.values_list("status", flat=True)) == {"clawed_back"}


def test_older_cumulative_refund_arriving_late_adds_nothing(client, endpoint):
    deliver(client, completed())
    deliver(client, refunded("evt_r2", 3000))

    late = deliver(client, refunded("evt_r1", 1000))

    assert late.json()["reason"] == "refund_counted"
    assert InboundEvent.objects.get(external_id="evt_r1").amount == 0


def test_refund_before_its_purchase_waits_and_applies_when_the_purchase_arrives(client, endpoint, advocate, rules):
    early = deliver(client, refunded("evt_refund", 4900))

    assert early.status_code == 200
    assert early.json() == {"received": True, "duplicate": False, "status": "waiting", "reason": "refund_waiting"}
    assert Conversion.objects.count() == 0

    deliver(client, completed(client_reference_id=click_id(advocate)))

    waiting = InboundEvent.objects.get(external_id="evt_refund")
    refund = Conversion.objects.get(type="refund")
    assert (waiting.status, waiting.reason, waiting.conversion, waiting.amount) == ("processed", "refund", refund, 4900)
    assert refund.refunded_conversion == Conversion.objects.get(type="purchase")
    assert set(Reward.objects.values_list("status", flat=True)) == {"clawed_back"}


def test_refund_of_an_invoice_purchase_is_found_by_its_payment_intent(client, endpoint):
    deliver(client, event("evt_in", "invoice.paid", invoice(invoice_id="in_A", payment_intent="pi_A")))

    response = deliver(client, refunded("evt_r", 4900, payment_intent="pi_A"))

    assert response.json()["reason"] == "refund"
    assert Conversion.objects.get(type="refund").order_id == "in_A"


def test_subscription_invoice_before_its_checkout_is_attributed_when_the_checkout_arrives(client, endpoint, advocate,
                                                                                         rules):
    deliver(client, event("evt_in_1", "invoice.paid", invoice(invoice_id="in_first",
                                                               billing_reason="subscription_create")))
    assert Conversion.objects.get().referral is None

    late = deliver(client, event("evt_cs", "checkout.session.completed", checkout_session(
        mode="subscription", invoice="in_first", payment_intent=None, client_reference_id=click_id(advocate))))

    assert late.json()["reason"] == "already_recorded"
    purchase = Conversion.objects.get()
    assert (purchase.order_id, purchase.referral.advocate, purchase.referral.reason) == ("in_first", advocate, "click")
    assert sorted(Reward.objects.filter(conversion=purchase).values_list("kind", "amount")) == [
        ("percent", 490), ("points", 500)]
