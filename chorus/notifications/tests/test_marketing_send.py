"""Sending program emails: headers (RFC 8058), suppression, opt-outs, the frequency cap, consent."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.notifications import consent
from chorus.notifications.marketing import send_marketing_email
from chorus.notifications.models import Consent, OutboundEmail, Recipient, Suppression
from chorus.notifications.tokens import unsubscribe_token


def _send(program, capture, to="jane@example.com", **fields):
    fields.setdefault("template_key", "reward_earned")
    fields.setdefault("context", {"reward": "a $20 gift card", "points": 250, "link": "https://shop.example.com/rewards"})
    with capture(execute=True):
        return send_marketing_email(program, to_email=to, name="Jane Doe", **fields)


def test_a_marketing_email_arrives_personalised_with_one_click_unsubscribe_headers(
        program, smtp_server, django_capture_on_commit_callbacks):
    email = _send(program, django_capture_on_commit_callbacks)

    [message] = smtp_server.wait_for(1)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert message["Subject"] == "You earned a $20 gift card"
    assert message["To"] == "Jane Doe <jane@example.com>"
    assert message["Message-ID"] == email.message_id
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = unsubscribe_token(program.pk, "jane@example.com")
    assert message["List-Unsubscribe"].strip() == (f"<http://127.0.0.1:8000/u/{token}>, "
                                           f"<mailto:chorus@localhost?subject=unsubscribe%20{token}>")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Thanks to you, a $20 gift card is yours. You now have 250 points." in text
    assert "<strong>250 points</strong>" in html
    assert 'dir="ltr"' in html
    tracked = re.findall(r'href="(http://127.0.0.1:8000/e/c/[^"]+)"', html)
    assert len(tracked) == 1
    assert f"See my rewards: {tracked[0]}" in text
    assert email.links == ["https://shop.example.com/rewards"]


def test_unsubscribe_link_acts_only_on_post(client, program, smtp_server, django_capture_on_commit_callbacks):
    _send(program, django_capture_on_commit_callbacks)
    url = smtp_server.wait_for(1)[0]["List-Unsubscribe"].split(",")[0].strip().strip("<>")
    path = url.removeprefix("http://127.0.0.1:8000")

    page = client.get(path)
    assert page.status_code == 200
    assert "Unsubscribe from all emails" in page.content.decode()
    assert Consent.objects.count() == 0

    response = client.post(path, {"List-Unsubscribe": "One-Click"})  # no CSRF token, as mail providers do
    assert response.status_code == 200
    [row] = Consent.objects.all()
    assert (row.email_normalized, row.category, row.granted, row.source) == ("jane@example.com", "all", False, "one_click")
    assert row.at is not None
    assert _send(program, django_capture_on_commit_callbacks) is None
    skipped = OutboundEmail.objects.order_by("-pk").first()
    assert (skipped.status, skipped.status_reason) == ("suppressed", "unsubscribed: all")
    assert len(smtp_server.wait_for(2, timeout=0.5)) == 1


def test_a_forged_unsubscribe_token_changes_nothing(client, program):
    response = client.post("/u/eyJwIjoxfQ:forged/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404
    assert Consent.objects.count() == 0


def test_suppressed_addresses_are_never_sent_to(program, smtp_server, django_capture_on_commit_callbacks):
    consent.suppress(program, "Jane@Example.com", reason="bounce", source="api")

    assert _send(program, django_capture_on_commit_callbacks, category="invitation") is None
    row = OutboundEmail.objects.get()
    assert (row.status, row.status_reason) == ("suppressed", "suppressed: bounce")
    assert smtp_server.wait_for(1, timeout=0.5) == []


def test_frequency_cap_allows_three_emails_a_week(program, smtp_server, django_capture_on_commit_callbacks):
    for _ in range(3):
        assert _send(program, django_capture_on_commit_callbacks) is not None
    assert _send(program, django_capture_on_commit_callbacks) is None
    capped = OutboundEmail.objects.order_by("-pk").first()
    assert (capped.status, capped.status_reason) == ("capped", "frequency cap: 3 emails in the last 7 days")
    # invitations and surveys are exempt from the cap (not from suppression)
    assert _send(program, django_capture_on_commit_callbacks, category="nps") is not None
    assert len(smtp_server.wait_for(4)) == 4
    # a week later the cap has room again
    OutboundEmail.objects.update(created_at=timezone.now() - timedelta(days=7, minutes=1))
    assert _send(program, django_capture_on_commit_callbacks) is not None


def test_category_opt_out_keeps_other_categories(program, smtp_server, django_capture_on_commit_callbacks):
    consent.set_preferences(program, "jane@example.com", {"rewards": False}, source=Consent.Source.HUB)

    assert _send(program, django_capture_on_commit_callbacks) is None  # reward_earned is a "rewards" email
    assert _send(program, django_capture_on_commit_callbacks, template_key="news") is not None
    assert Recipient.objects.get().opted_out == ["rewards"]
    assert [(c.category, c.granted, c.source) for c in Consent.objects.all()] == [("rewards", False, "hub")]
    assert smtp_server.wait_for(1)[0]["Subject"] == "News from Acme Customers"


@pytest.mark.parametrize("language, direction", [("ar", "rtl"), ("de", "ltr")])
def test_email_in_the_recipients_language(program, smtp_server, django_capture_on_commit_callbacks, language, direction):
    _send(program, django_capture_on_commit_callbacks, language=language)
    [message] = smtp_server.wait_for(1)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f'<html lang="{language}" dir="{direction}">' in html
    if language == "ar":
        assert message["Subject"] == "لقد ربحت a $20 gift card"


def test_suppression_list_is_unique_per_program(program):
    first, created = consent.suppress(program, "a@example.com", reason="complaint")
    again, created_again = consent.suppress(program, "A@example.com", reason="bounce")
    assert (created, created_again, again.pk, again.reason) == (True, False, first.pk, "complaint")
    assert Suppression.objects.count() == 1


def test_confirming_the_email_to_join_records_consent(program):
    from chorus.advocates.models import LoginToken
    from chorus.advocates.services import consume_login_token, issue_login_token, join_program

    advocate = join_program(program, email="Sam@Example.com", name="Sam Roe")
    assert Consent.objects.count() == 0  # not before the address is confirmed
    consume_login_token(program, issue_login_token(advocate, LoginToken.Purpose.CONFIRM))
    [row] = Consent.objects.all()
    assert (row.email_normalized, row.category, row.granted, row.source) == ("sam@example.com", "all", True, "join")
