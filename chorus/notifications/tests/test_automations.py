"""Automations: promoter, milestone, reward earned, ask about to expire — each fires once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.campaigns.models import Ask, Completion
from chorus.campaigns.services.events import record_event
from chorus.notifications import automations
from chorus.notifications.models import Automation, AutomationRun, EmailTemplate, OutboundEmail
from chorus.testing import factories


def _automation(program, trigger, key, **fields):
    template = EmailTemplate.objects.get(program=program, key=key)
    return Automation.objects.create(program=program, trigger=trigger, template=template, **fields)


def test_promoter_automation_fires_once_per_person(program, advocate, smtp_server, django_capture_on_commit_callbacks):
    _automation(program, "promoter", "promoter_thanks")
    with django_capture_on_commit_callbacks(execute=True):
        first = automations.fire(program, "promoter", advocate=advocate)
        again = automations.fire(program, "promoter", advocate=advocate)
    assert (len(first), again) == (1, [])
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Thank you, Jane!"
    assert AutomationRun.objects.get().email == first[0]


def test_inactive_automation_sends_nothing(program, advocate, smtp_server, django_capture_on_commit_callbacks):
    _automation(program, "promoter", "promoter_thanks", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert automations.fire(program, "promoter", advocate=advocate) == []
    assert OutboundEmail.objects.count() == 0


def test_milestone_event_fires_once_per_event(program, advocate, smtp_server, django_capture_on_commit_callbacks):
    _automation(program, "milestone", "milestone_reached", event_name="milestone.reached")
    with django_capture_on_commit_callbacks(execute=True):
        record_event(advocate, "milestone.reached", {"milestone": "100 orders"}, event_id="evt_1")
        record_event(advocate, "milestone.reached", {"milestone": "100 orders"}, event_id="evt_1")  # retry
        record_event(advocate, "other.event", {}, event_id="evt_2")  # not this automation's event
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Congratulations on 100 orders!"
    assert len(smtp_server.wait_for(2, timeout=0.5)) == 1


def test_reward_earned_fires_after_commit_once_per_reward(program, advocate, smtp_server,
                                                          django_capture_on_commit_callbacks):
    from chorus.referrals.services.clicks import handle_click
    from chorus.referrals.services.conversions import ConversionInput, record_conversion
    from chorus.rewards import services

    factories.make_standard_rules(program)
    _automation(program, "reward_earned", "reward_earned")
    click = handle_click(advocate.link.code, ip="203.0.113.9", user_agent="Mozilla/5.0 Firefox/120", referrer="")
    with django_capture_on_commit_callbacks(execute=True):
        record_conversion(program, ConversionInput(type="signup", customer_external_id="cus_friend",
                                                   email="friend@example.org", click_id=click.token))
        record_conversion(program, ConversionInput(type="purchase", customer_external_id="cus_friend",
                                                   amount=12_000, order_id="o-1"))
    assert OutboundEmail.objects.count() == 0  # held rewards are not earned yet
    later = timezone.now() + timedelta(days=31)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.release_due_rewards(later) == 2
        assert services.release_due_rewards(later) == 0
    smtp_server.wait_for(4, timeout=1)  # two recognition emails (badges, level) arrive as well
    messages = [m for m in smtp_server.messages if m["X-Chorus-Email"]]
    assert sorted(m["Subject"] for m in messages) == ["You earned 12.00 USD", "You earned 500 points"]
    assert AutomationRun.objects.count() == 2
    assert OutboundEmail.objects.filter(status="sent").count() == 2


def test_expiring_ask_reminder_once_and_only_to_those_who_have_not_done_it(
        program, advocate, smtp_server, django_capture_on_commit_callbacks):
    other = factories.make_advocate(program, email="sam@example.com", name="Sam Roe")
    _automation(program, "ask_expiring", "ask_expiring", hours_before=24)
    now = timezone.now()
    ask = Ask.objects.filter(program=program, status=Ask.Status.PUBLISHED, trigger_event="",
                             type=Ask.Type.REVIEW).order_by("pk").first()
    ask.ends_at = now + timedelta(hours=10)
    ask.save(update_fields=["ends_at"])
    Completion.objects.create(ask=ask, advocate=other, status=Completion.Status.APPROVED, points=ask.points,
                              decided_at=now)
    with django_capture_on_commit_callbacks(execute=True):
        assert automations.send_expiring_ask_reminders(now) == 1
        assert automations.send_expiring_ask_reminders(now) == 0
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "Jane Doe <jane@example.com>"
    assert message["Subject"] == f"Last chance: {ask.title}"


@pytest.mark.parametrize("trigger", ["nonsense"])
def test_unknown_trigger_is_a_programming_error(program, advocate, trigger):
    with pytest.raises(ValueError):
        automations.fire(program, trigger, advocate=advocate)
