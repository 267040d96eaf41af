import pytest

from chorus.advocates.models import Advocate
from chorus.campaigns.services.asks import save_ask
from chorus.campaigns.services.completions import (
    approve_completion,
    reject_completion,
    submit_completion,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(program, advocate):
    ask = save_ask(program, {"type": "social_follow", "title": "Follow us", "titles": {"pl": "Obserwuj nas"},
                             "points": 150, "moderation": "review", "config": {}})
    return submit_completion(ask, advocate, {"url": "https://x.com/jane/status/1"}).completion


def test_approval_email_names_the_ask_and_the_points_in_the_advocates_language(
        pending, advocate, owner, mailoutbox, django_capture_on_commit_callbacks):
    Advocate.objects.filter(pk=advocate.pk).update(language="pl")
    with django_capture_on_commit_callbacks(execute=True):
        approve_completion(pending.pk, user=owner)
        approve_completion(pending.pk, user=owner)  # a second approval mails nobody
    decisions = [message for message in mailoutbox if "Obserwuj nas" in message.subject]
    assert [message.to for message in decisions] == [["jane@example.com"]]
    assert "150" in decisions[0].body and "/hub/acme/progress/" in decisions[0].body


def test_rejection_email_gives_the_reason(pending, owner, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reject_completion(pending.pk, reason="The post is private.", user=owner)
    assert mailoutbox[0].subject == "Not approved: Follow us"
    assert "“Follow us” was not approved." in mailoutbox[0].body
    assert "Reason: The post is private." in mailoutbox[0].body


def test_no_decision_email_for_an_advocate_who_turned_them_off(pending, advocate, owner, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    Advocate.objects.filter(pk=advocate.pk).update(email_on_approval=False)
    with django_capture_on_commit_callbacks(execute=True):
        approve_completion(pending.pk, user=owner)
    assert [message.subject for message in mailoutbox if "Follow us" in message.subject] == []
    assert len(mailoutbox) == 1  # the badge email (early adopter) has its own preference
