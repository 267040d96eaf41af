import logging

import pytest
from django.db import transaction
from django.utils import translation

from chorus.advocates.models import LoginToken
from chorus.advocates.services import issue_login_token
from chorus.notifications.services import send_magic_link


@pytest.fixture
def polish_advocate(advocate):
    advocate.language = "pl"
    advocate.save(update_fields=["language"])
    return advocate


def test_email_waits_for_the_commit(advocate, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        send_magic_link(advocate, issue_login_token(advocate), LoginToken.Purpose.LOGIN)
        assert smtp_server.wait_for(1, timeout=0.3) == []

    assert len(callbacks) == 1
    callbacks[0]()
    assert len(smtp_server.wait_for(1)) == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(transactional_db, advocate, smtp_server):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_magic_link(advocate, "raw-token", LoginToken.Purpose.LOGIN)
        raise RuntimeError("the request failed")

    assert smtp_server.wait_for(1, timeout=0.5) == []


def test_email_has_text_and_html_with_one_call_to_action_in_the_advocates_language(
        polish_advocate, program, smtp_server, django_capture_on_commit_callbacks):
    raw = issue_login_token(polish_advocate)
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        send_magic_link(polish_advocate, raw, LoginToken.Purpose.LOGIN)

    [message] = smtp_server.wait_for(1)
    assert message["To"] == "jane@example.com"
    assert message["From"] == "Acme Customers <chorus@localhost>"
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    url = f"http://127.0.0.1:8000/hub/{program.slug}/login/{raw}/"
    assert url in text
    assert html.count(f'href="{url}"') == 1
    assert '<html lang="pl" dir="ltr">' in html


def test_arabic_email_is_right_to_left(advocate, smtp_server, django_capture_on_commit_callbacks):
    advocate.language = "ar"
    advocate.save(update_fields=["language"])

    with django_capture_on_commit_callbacks(execute=True):
        send_magic_link(advocate, issue_login_token(advocate), LoginToken.Purpose.CONFIRM)

    [message] = smtp_server.wait_for(1)
    assert '<html lang="ar" dir="rtl">' in message.get_body(preferencelist=("html",)).get_content()


def test_without_a_profile_language_the_current_one_is_used(advocate, smtp_server, django_capture_on_commit_callbacks):
    with translation.override("ja"), django_capture_on_commit_callbacks(execute=True):
        send_magic_link(advocate, issue_login_token(advocate), LoginToken.Purpose.LOGIN)

    [message] = smtp_server.wait_for(1)
    assert '<html lang="ja" dir="ltr">' in message.get_body(preferencelist=("html",)).get_content()


def test_a_mail_outage_is_logged_not_raised(advocate, settings, django_capture_on_commit_callbacks, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens

    with caplog.at_level(logging.ERROR, logger="chorus.notifications"), django_capture_on_commit_callbacks(execute=True):
        send_magic_link(advocate, issue_login_token(advocate), LoginToken.Purpose.LOGIN)

    assert "could not send the login email" in caplog.text
