"""Saving asks, the advocate's list, milestone triggers and refer-a-friend completions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.campaigns.models import AdvocateEvent, AskOpening, Completion
from chorus.campaigns.services.asks import (
    asks_for_advocate,
    delete_ask,
    get_ask_for_advocate,
    save_ask,
)
from chorus.campaigns.services.completions import submit_completion
from chorus.campaigns.services.events import record_event
from chorus.campaigns.services.referrals import complete_referral_asks
from chorus.core.errors import Forbidden, Gone, InvalidInput
from chorus.referrals.services.clicks import handle_click
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.rewards import points
from chorus.testing import factories

pytestmark = pytest.mark.django_db


def test_body_is_sanitised_and_texts_kept_per_language(bare_program, owner):
    ask = save_ask(bare_program, {
        "type": "news", "title": "Big news", "titles": {"de": "Große Neuigkeiten", "ja": "大ニュース"},
        "body": '<p onclick="steal()">Hello <script>alert(1)</script><a href="javascript:x()">x</a>'
                '<a href="https://acme.example">site</a></p>',
        "bodies": {"de": "<p>Hallo<img src=x onerror=alert(1)></p>"}}, user=owner)
    assert ask.body == ('<p>Hello <a rel="noopener noreferrer nofollow">x</a>'
                        '<a href="https://acme.example" rel="noopener noreferrer nofollow">site</a></p>')
    assert ask.bodies == {"de": '<p>Hallo<img src="x"></p>'}
    assert (ask.localized_title("de"), ask.localized_title("pl"), ask.localized_title("ja")) == \
        ("Große Neuigkeiten", "Big news", "大ニュース")


def test_invalid_ask_reports_every_field(bare_program):
    now = timezone.now()
    with pytest.raises(InvalidInput) as refused:
        save_ask(bare_program, {"type": "survey", "title": "", "points": -5, "starts_at": now, "ends_at": now,
                                "audience": "named", "config": {"questions": [{"kind": "single", "label": "Pick",
                                                                                "choices": ["only one"]}]},
                                "trigger_event": "has spaces"})
    assert refused.value.field_errors == {
        "title": ["Give a title of at most 200 characters."],
        "points": ["Give a whole number from 0 to 1000000."],
        "ends_at": ["The end must come after the start."],
        "trigger_event": ["Use letters, digits and . _ : - (at most 100), e.g. milestone.reached."],
        "audience": ["Name at least one advocate."],
        "config": ["Give at least two choices."],
    }
    assert not bare_program.asks.exists()


def test_update_changes_only_given_fields_and_delete_keeps_history(make_ask, member, owner):
    ask = make_ask("beta", title="Try the beta", points=200)
    save_ask(ask.program, {"points": 250}, ask=ask, user=owner)
    ask.refresh_from_db()
    assert (ask.title, ask.points, ask.type) == ("Try the beta", 250, "beta")
    submit_completion(ask, member, {"motivation": "yes"})
    with pytest.raises(InvalidInput) as refused:
        save_ask(ask.program, {"type": "ugc"}, ask=ask)
    assert refused.value.field_errors == {"type": ["The type cannot change once advocates have completed the ask."]}
    assert delete_ask(ask, user=owner) is False
    ask.refresh_from_db()
    assert ask.status == "archived"
    unused = make_ask("news", points=0)
    assert delete_ask(unused, user=owner) is True


def test_list_sorted_by_urgency_then_points_with_done_ones_last(make_ask, member, bare_program):
    now = timezone.now()
    open_ended_small = make_ask(title="small", points=10)
    open_ended_big = make_ask(title="big", points=500)
    soon = make_ask(title="soon", points=5, ends_at=now + timedelta(days=2))
    later = make_ask(title="later", points=5, ends_at=now + timedelta(days=9))
    done = make_ask(title="done", points=900)
    make_ask(title="draft", status="draft")
    make_ask(title="over", starts_at=now - timedelta(days=5), ends_at=now - timedelta(days=1))
    make_ask(title="future", starts_at=now + timedelta(days=1))
    make_ask(title="not for me", audience="named",
             named_advocates=[factories.make_advocate(bare_program, email="olga@example.com").pk])
    submit_completion(done, member, {"url": "https://x.com/max"})
    cards = asks_for_advocate(member, now)
    assert [(card.ask.title, card.can_act) for card in cards] == [
        ("soon", True), ("later", True), ("big", True), ("small", True), ("done", False)]
    assert cards[0].ends_at == soon.ends_at and cards[-1].last_status == "approved"
    assert {open_ended_small, open_ended_big, later} <= {card.ask for card in cards}


def test_milestone_event_opens_the_ask_once(make_ask, member):
    ask = make_ask(title="Tell us about your 100 orders", trigger_event="milestone.reached",
                   trigger_properties={"milestone": "first-100-orders"}, trigger_window_days=7)
    assert asks_for_advocate(member) == []
    with pytest.raises(Forbidden):
        get_ask_for_advocate(member, ask.pk)
    other = record_event(member, "milestone.reached", {"milestone": "first-10-orders"}, event_id="evt_1")
    assert (other.created, other.opened) == (True, [])
    first = record_event(member, "milestone.reached", {"milestone": "first-100-orders", "orders": 100},
                         event_id="evt_2")
    assert first.opened == [ask]
    again = record_event(member, "milestone.reached", {"milestone": "first-100-orders"}, event_id="evt_2")
    assert (again.created, again.event.pk, again.opened) == (False, first.event.pk, [])
    no_id = record_event(member, "milestone.reached", {"milestone": "first-100-orders"})
    assert no_id.opened == []  # opens once per advocate
    assert (AdvocateEvent.objects.count(), AskOpening.objects.count()) == (3, 1)
    opening = AskOpening.objects.get()
    assert opening.closes_at - opening.opened_at == timedelta(days=7)
    assert [card.ask for card in asks_for_advocate(member)] == [ask]
    assert submit_completion(ask, member, {"url": "https://x.com/max"}).completion.status == "approved"
    with pytest.raises(Gone):
        submit_completion(ask, member, {"url": "https://x.com/max"}, now=timezone.now() + timedelta(days=8))


def test_bad_event_is_refused(member):
    with pytest.raises(InvalidInput) as refused:
        record_event(member, "", {"x": 1})
    assert list(refused.value.field_errors) == ["name"]
    with pytest.raises(InvalidInput):
        record_event(member, "milestone.reached", ["not", "a", "dict"])
    assert not AdvocateEvent.objects.exists()


def test_referred_friend_completes_refer_asks_once(program, advocate, make_ask):
    refer = make_ask("refer_friend", program=program, points=300, config={"conversion": "purchase"})
    outcome = handle_click(advocate.link.code, ip="203.0.113.9", user_agent="Mozilla/5.0 Firefox/120", referrer="")
    record_conversion(program, ConversionInput(type="signup", customer_external_id="cus_friend",
                                               email="friend@example.org", click_id=outcome.token))
    assert not Completion.objects.filter(ask=refer).exists()  # a signup does not count for this ask
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_friend", amount=5000,
                                               order_id="o-1"))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_friend", amount=5000,
                                               order_id="o-2"))
    completion = Completion.objects.get(ask=refer)
    assert (completion.advocate, completion.status, completion.data["conversion_type"]) == \
        (advocate, "approved", "purchase")
    assert points.balance(advocate) == 300


def test_conversion_path_is_cheap_without_referral_asks(program, advocate, django_assert_num_queries):
    outcome = handle_click(advocate.link.code, ip="203.0.113.9", user_agent="Mozilla/5.0 Firefox/120", referrer="")
    signup = record_conversion(program, ConversionInput(type="signup", customer_external_id="cus_friend",
                                                         email="friend@example.org", click_id=outcome.token))
    program.asks.filter(type="refer_friend").delete()
    with django_assert_num_queries(1):
        assert complete_referral_asks(program, [signup.conversion]) == 0
    with django_assert_num_queries(0):
        complete_referral_asks(program, [])
