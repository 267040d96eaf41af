"""The registrations for the other parts of issue 4 (customers, NPS, invitations, email), on
rows made directly: these run once those parts are merged, and are skipped before."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from chorus.privacy.registry import email_hash
from chorus.privacy.services import erase_person, export_person

pytestmark = pytest.mark.skipif(
    not all(apps.is_installed(app) for app in ("chorus.insights", "chorus.invitations"))
    or not any(model.__name__ == "UsageEvent" for model in apps.get_app_config("advocates").get_models()),
    reason="the customers, NPS, invitations and email parts are not merged yet")


def model(label):
    return apps.get_model(label)


@pytest.fixture
def rows(story, owner):
    program, jane, customer = story.program, story.jane, story.jane_customer
    now = timezone.now()
    usage = model("advocates.UsageEvent").objects.create(program=program, customer=customer, name="report.created",
                                                         properties={"title": "Jane's report"}, occurred_at=now)
    survey = model("insights.NpsSurvey").objects.create(program=program, name="Q4")
    send = model("insights.NpsSend").objects.create(survey=survey, program=program, advocate=jane,
                                                    email="jane@example.com", email_normalized="jane@example.com",
                                                    name="Jane Doe", language="en")
    response = model("insights.NpsResponse").objects.create(
        program=program, send=send, advocate=jane, email_normalized="jane@example.com", score=10,
        category="promoter", comment="Jane loves it", source="email", responded_at=now)
    nomination = model("insights.Nomination").objects.create(program=program, customer=customer, nominated_by=owner,
                                                             reason="Jane Doe talks about us at every meetup")
    invitation = model("invitations.Invitation").objects.create(
        program=program, customer=customer, email="jane@example.com", email_normalized="jane@example.com",
        name="Jane Doe", token_hash="f" * 64, expires_at=now + timedelta(days=14), last_sent_at=now,
        clicked_at=now, joined_at=now, advocate=jane)
    outbound = model("notifications.OutboundEmail").objects.create(
        program=program, template_key="nps", category="marketing", to_email="jane@example.com",
        email_normalized="jane@example.com", name="Jane Doe", language="en", advocate=jane,
        context={"name": "Jane"}, subject="Jane, how likely…", links=["https://x.example/jane"], status="sent")
    model("notifications.Recipient").objects.create(program=program, email_normalized="jane@example.com",
                                                    opted_out=["marketing"])
    consent = model("notifications.Consent").objects.create(program=program, email_normalized="jane@example.com",
                                                            category="marketing", granted=False, source="hub")
    suppression = model("notifications.Suppression").objects.create(program=program, email_normalized="jane@example.com",
                                                                    reason="bounce", source="webhook")
    return usage, send, response, nomination, invitation, outbound, consent, suppression


def test_other_parts_are_exported_and_erased(story, rows, django_capture_on_commit_callbacks):
    usage, send, response, nomination, invitation, outbound, consent, suppression = rows
    sections = export_person(story.program, "jane@example.com", via="api")["sections"]
    assert [len(sections[name]) for name in ("usage_events", "nps_sends", "nps_responses", "nominations",
                                             "advocate_invitations", "emails_sent", "email_preferences",
                                             "email_consents", "email_suppressions")] == [1] * 9
    with django_capture_on_commit_callbacks(execute=True):
        erase_person(story.program, "jane@example.com", via="api")
    hashed = f"erased:{email_hash('jane@example.com')}"
    for row in (usage, send, response, invitation, outbound, consent, suppression):
        row.refresh_from_db()
    assert usage.properties == {} and response.score == 10 and (response.comment, response.email_normalized) == ("", "")
    assert send.email.endswith("@invalid") and (send.name, send.language) == ("", "")
    assert not model("insights.Nomination").objects.exists()
    assert invitation.email.endswith("@invalid") and invitation.name == "" and invitation.expires_at <= timezone.now()
    assert invitation.joined_at is not None
    assert outbound.to_email.endswith("@invalid") and (outbound.email_normalized, outbound.name, outbound.context,
                                                       outbound.subject, outbound.links, outbound.status) == (
        hashed, "", {}, "", [], "sent")
    assert not model("notifications.Recipient").objects.exists()
    assert (consent.email_normalized, consent.granted) == (hashed, False)
    assert list(model("notifications.Suppression").objects.values_list("email_normalized", "reason")) == [
        (hashed, "bounce")]


def test_an_erased_address_joins_the_suppression_list_by_hash(story, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erase_person(story.program, "friend@example.org", via="console")
    assert list(model("notifications.Suppression").objects.values_list("program", "email_normalized", "source")) == [
        (story.program.pk, f"erased:{email_hash('friend@example.org')}", "erasure")]


def test_an_erased_person_gets_no_more_email_even_when_imported_again(story, django_capture_on_commit_callbacks):
    """The suppression list keeps only the erased address's hash, and every send checks it."""
    from chorus.notifications.consent import is_suppressed
    from chorus.notifications.marketing import send_marketing_email

    program, email = story.program, "Friend@Example.org"
    assert not is_suppressed(program, "friend@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        erase_person(program, email, via="console")
    assert is_suppressed(program, "friend@example.org")
    assert send_marketing_email(program, to_email=email, template_key="news", context={}) is None
    assert model("notifications.OutboundEmail").objects.get().status == "suppressed"
