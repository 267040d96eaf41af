"""Stripe deliveries at the same moment (PostgreSQL): threads with their own connections wait
on a barrier and post at once; each event acts once and refunds meet their purchases."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from chorus.integrations.models import InboundEvent
from chorus.integrations.providers.stripe.services import set_signing_secret
from chorus.referrals.models import Conversion
from chorus.testing import factories

from .stripe_fixtures import CREATED, SECRET, body_of, charge, checkout_session, event, sign

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency needs PostgreSQL (SQLite serialises writers)"),
]


def race(payloads: list[dict]) -> list[dict]:
    barrier = threading.Barrier(len(payloads))

    def one(payload):
        body = body_of(payload)
        try:
            barrier.wait(timeout=30)
            response = Client().post("/integrations/stripe/race/", data=body, content_type="application/json",
                                     headers={"Stripe-Signature": sign(body)})
            return response.json()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(payloads)) as pool:
        return list(pool.map(one, payloads))


@pytest.fixture
def program(transactional_db):
    program = factories.make_program(name="Race", slug="race")
    set_signing_secret(program, SECRET)
    return program


def test_the_same_event_delivered_four_times_at_once_acts_once(program):
    results = race([event("evt_same", "checkout.session.completed", checkout_session())] * 4)

    assert sorted(result["duplicate"] for result in results) == [False, True, True, True]
    assert Conversion.objects.count() == InboundEvent.objects.count() == 1


def test_refund_and_purchase_at_once_end_refunded(program):
    for attempt in range(3):
        payment_intent = f"pi_race_{attempt}"
        race([event(f"evt_cs_{attempt}", "checkout.session.completed",
                    checkout_session(session_id=f"cs_{attempt}", payment_intent=payment_intent)),
              event(f"evt_ref_{attempt}", "charge.refunded",
                    charge(charge_id=f"ch_{attempt}", payment_intent=payment_intent), created=CREATED + 60)])

        refund = Conversion.objects.get(type="refund", order_id=payment_intent)
        assert refund.refunded_conversion.order_id == payment_intent
        assert InboundEvent.objects.get(external_id=f"evt_ref_{attempt}").status == "processed"


def test_partial_refunds_at_once_count_the_total_once(program):
    race([event("evt_cs", "checkout.session.completed", checkout_session())])

    race([event(f"evt_r{amount}", "charge.refunded", charge(amount_refunded=amount), created=CREATED + amount)
          for amount in (1000, 2000, 3000)])

    refunds = InboundEvent.objects.filter(event_type="charge.refunded")
    assert sum(refunds.values_list("amount", flat=True)) == 3000
    # Whatever order they ran in, the partial refund rows add up to the 30.00 refunded, once.
    partial = Conversion.objects.filter(type="refund")
    assert sum(partial.values_list("amount", flat=True)) == 3000
    assert all("#" in order_id for order_id in partial.values_list("order_id", flat=True))
