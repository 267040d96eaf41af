"""Each event type is emitted by its real domain action, with the payload a receiver reads,
and the conversion hot path costs no query when no endpoint takes its events."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chorus.advocates.services import activate_advocate, join_program
from chorus.campaigns.services.asks import save_ask
from chorus.campaigns.services.completions import submit_completion
from chorus.integrations.webhooks_out import EventType, emit_many
from chorus.integrations.webhooks_out.events import subscribed_types
from chorus.integrations.webhooks_out.models import Message
from chorus.integrations.webhooks_out.services import create_endpoint
from chorus.referrals.services.clicks import handle_click
from chorus.referrals.services.conversions import (
    ConversionInput,
    record_conversion,
    record_conversions,
)
from chorus.rewards import badges, points, redemptions
from chorus.rewards.services import release_due_rewards
from chorus.rewards.tests.catalog_helpers import give_points, make_item
from chorus.testing import factories


@pytest.fixture
def hooked(program, receiver):
    """An endpoint of the program taking every event, on the local receiver."""
    endpoint, secret = create_endpoint(program, url=receiver.url(), event_types=EventType.values)
    return endpoint


def payloads(event_type):
    return [message.payload for message in Message.objects.filter(event_type=event_type).order_by("pk")]


def sent(receiver, event_type):
    return [body for request in receiver.requests if (body := json.loads(request["body"]))["type"] == event_type]


def test_advocate_joined_when_added_and_when_a_pending_advocate_confirms(
        program, hooked, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        added = factories.make_advocate(program, email="ann@example.com", name="Ann", external_id="cus_ann")
    with django_capture_on_commit_callbacks(execute=True):
        pending = join_program(program, email="bo@example.com", name="Bo")
    assert [p["data"]["advocate"]["email"] for p in payloads("advocate.joined")] == ["ann@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        activate_advocate(pending)
    joined = sent(receiver, "advocate.joined")
    assert [body["data"]["advocate"]["id"] for body in joined] == [added.pk, pending.pk]
    assert joined[0]["data"]["advocate"]["external_id"] == "cus_ann"
    assert joined[0]["data"]["advocate"]["name"] == "Ann"


@pytest.fixture
def referred(program, advocate, hooked, django_capture_on_commit_callbacks):
    """A friend who clicked the advocate's link and signed up, under the standard rules."""
    factories.make_standard_rules(program)
    click = handle_click(advocate.link.code, ip="203.0.113.9", user_agent="Mozilla/5.0 (X11; Linux) Firefox/120",
                         referrer="")
    with django_capture_on_commit_callbacks(execute=True):
        return record_conversion(program, ConversionInput(type="signup", customer_external_id="cus_friend",
                                                          email="friend@example.org", click_id=click.token))


def test_conversion_recorded_and_referral_attributed(program, advocate, referred, receiver):
    (conversion,) = sent(receiver, "conversion.recorded")
    assert conversion["data"]["conversion"] == {
        "id": referred.conversion.pk, "type": "signup", "customer_id": referred.conversion.customer_id,
        "customer_external_id": "cus_friend", "order_id": "", "amount": 0, "currency": "USD",
        "occurred_at": conversion["data"]["conversion"]["occurred_at"], "referral_id": referred.conversion.referral_id,
        "advocate_id": advocate.pk}
    (referral,) = sent(receiver, "referral.attributed")
    assert referral["data"]["referral"]["id"] == referred.conversion.referral_id
    assert referral["data"]["referral"]["advocate_id"] == advocate.pk
    assert referral["data"]["referral"]["customer_external_id"] == "cus_friend"
    assert referral["data"]["referral"]["reason"] == "click"


def test_reward_approved_and_issued_at_once_and_after_the_hold(
        program, advocate, referred, receiver, django_capture_on_commit_callbacks):
    friend_reward = referred.rewards[0]
    assert [b["data"]["reward"]["id"] for b in sent(receiver, "reward.issued")] == [friend_reward.pk]
    assert [b["data"]["reward"]["id"] for b in sent(receiver, "reward.approved")] == [friend_reward.pk]
    with django_capture_on_commit_callbacks(execute=True):
        purchase = record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_friend",
                                                              amount=12_000, order_id="o-1"))
    assert len(sent(receiver, "reward.issued")) == 1  # held for 30 days
    with django_capture_on_commit_callbacks(execute=True):
        assert release_due_rewards(timezone.now() + timedelta(days=31)) == 2
    issued = {b["data"]["reward"]["id"]: b["data"]["reward"] for b in sent(receiver, "reward.issued")}
    assert set(issued) == {friend_reward.pk, *(reward.pk for reward in purchase.rewards)}
    points_reward = next(r for r in purchase.rewards if r.kind == "points")
    assert issued[points_reward.pk]["amount"] == 500
    assert issued[points_reward.pk]["advocate_id"] == advocate.pk
    assert issued[points_reward.pk]["status"] == "issued"


def test_reward_clawed_back_on_refund(program, referred, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        purchase = record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_friend",
                                                              amount=12_000, order_id="o-1"))
        release_due_rewards(timezone.now() + timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        record_conversion(program, ConversionInput(type="refund", order_id="o-1"))
    clawed = sorted(b["data"]["reward"]["id"] for b in sent(receiver, "reward.clawed_back"))
    assert clawed == sorted(reward.pk for reward in purchase.rewards)
    assert {b["data"]["reward"]["status"] for b in sent(receiver, "reward.clawed_back")} == {"clawed_back"}


def test_ask_completed(program, advocate, hooked, receiver, django_capture_on_commit_callbacks):
    ask = save_ask(program, {"type": "social_follow", "title": "Follow us", "points": 100, "moderation": "auto"})
    with django_capture_on_commit_callbacks(execute=True):
        submitted = submit_completion(ask, advocate, {"url": "https://x.com/jane"})
    (body,) = sent(receiver, "ask.completed")
    assert body["data"]["completion"]["id"] == submitted.completion.pk
    assert body["data"]["completion"]["ask_id"] == ask.pk
    assert body["data"]["completion"]["advocate_id"] == advocate.pk
    assert (body["data"]["completion"]["points"], body["data"]["completion"]["status"]) == (100, "approved")


def test_redemption_requested_and_fulfilled(program, advocate, hooked, receiver, owner,
                                            django_capture_on_commit_callbacks):
    give_points(advocate, 1000)
    item = make_item(program)
    with django_capture_on_commit_callbacks(execute=True):
        redemption, _created = redemptions.redeem(advocate, item)
    (requested,) = sent(receiver, "redemption.requested")
    assert requested["data"]["redemption"]["id"] == redemption.pk
    assert (requested["data"]["redemption"]["cost_points"], requested["data"]["redemption"]["status"]) == (300, "requested")
    assert sent(receiver, "redemption.fulfilled") == []
    with django_capture_on_commit_callbacks(execute=True):
        redemptions.fulfil(redemption.pk, user=owner)
    (fulfilled,) = sent(receiver, "redemption.fulfilled")
    assert fulfilled["data"]["redemption"]["status"] == "fulfilled"
    assert fulfilled["data"]["redemption"]["item_id"] == item.pk


def test_level_reached_and_badge_awarded(program, advocate, hooked, receiver, django_capture_on_commit_callbacks):
    source = factories.make_advocate(program, email="source@example.com")
    points.credit(advocate, 600, source=source)
    with django_capture_on_commit_callbacks(execute=True):
        awards = badges.award_earned_badges(advocate, notify=False)
    (level,) = sent(receiver, "level.reached")
    assert level["data"]["level_reached"]["advocate_id"] == advocate.pk
    assert level["data"]["level_reached"]["points_earned"] == 600
    awarded = sent(receiver, "badge.awarded")
    assert sorted(b["data"]["badge_award"]["badge_id"] for b in awarded) == sorted(a.badge_id for a in awards)
    assert awarded and all(b["data"]["badge_award"]["advocate_id"] == advocate.pk for b in awarded)
    with django_capture_on_commit_callbacks(execute=True):
        assert badges.award_earned_badges(advocate, notify=False) == []
    assert len(sent(receiver, "level.reached")) == 1


def test_conversion_batches_cost_no_webhook_query_without_endpoints(program, advocate):
    items = [ConversionInput(type="signup", customer_external_id=f"cus_{n}", email=f"f{n}@example.org")
             for n in range(3)]
    record_conversions(program, items[:1])  # warms the program's subscribed types
    assert subscribed_types(program.pk) == frozenset()
    with CaptureQueriesContext(connection) as queries:
        emit_many(program, EventType.CONVERSION_RECORDED, [object()], lambda _o: pytest.fail("described"))
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as without:
        record_conversions(program, items[1:])
    assert not [q for q in without.captured_queries if "integrations_" in q["sql"]]


def test_conversion_batches_write_their_messages_in_bulk(program, hooked, django_capture_on_commit_callbacks):
    items = [ConversionInput(type="signup", customer_external_id=f"cus_{n}", email=f"f{n}@example.org")
             for n in range(5)]
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
        record_conversions(program, items)
    inserts = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith("INSERT") and "integrations_message" in q["sql"]]
    assert len(inserts) == 1
    assert Message.objects.filter(event_type="conversion.recorded").count() == 5
