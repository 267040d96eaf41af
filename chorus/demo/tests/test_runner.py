"""`chorus demo`'s pieces that run before Django: environment defaults and the local mailbox."""

import argparse
import os

from django.core.mail import EmailMultiAlternatives, get_connection

from chorus.demo.mailbox import DemoMailbox
from chorus.demo.runner import _configure_environment

LONG_LINK = "http://127.0.0.1:8000/hub/acme-analytics/login/" + "x" * 43 + "/"


def test_demo_defaults_fill_only_what_the_environment_leaves_open(monkeypatch):
    for name in ("DEBUG", "CHORUS_BASE_URL", "CHORUS_MAGIC_LINK_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    _configure_environment(argparse.Namespace(host="0.0.0.0", port=8123))
    assert (os.environ["DEBUG"], os.environ["CHORUS_BASE_URL"], os.environ["CHORUS_MAGIC_LINK_MINUTES"]) == (
        "true", "http://127.0.0.1:8123", "1440")

    monkeypatch.setenv("CHORUS_BASE_URL", "https://demo.example.com")
    monkeypatch.setenv("DEBUG", "false")
    _configure_environment(argparse.Namespace(host="127.0.0.1", port=9000))
    assert (os.environ["DEBUG"], os.environ["CHORUS_BASE_URL"]) == ("false", "https://demo.example.com")


def test_mailbox_prints_what_django_sends_over_smtp_decoded():
    printed: list[str] = []
    mailbox = DemoMailbox(output=printed.append).start()
    try:
        connection = get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1",
                                    port=mailbox.port, use_tls=False, use_ssl=False, username="", password="")
        message = EmailMultiAlternatives(
            "Votre lien de connexion — Łódź", f"Bonjour Zoë,\n\nLog in:\n{LONG_LINK}\n", "chorus@example.com",
            ["maya.chen@example.com"], connection=connection,
        )
        message.attach_alternative(f'<p><a href="{LONG_LINK}">Log in</a></p>', "text/html")
        assert message.send() == 1
    finally:
        mailbox.stop()
    (shown,) = printed
    assert "To: maya.chen@example.com" in shown and "Subject: Votre lien de connexion — Łódź" in shown
    assert "Bonjour Zoë," in shown and f"\n{LONG_LINK}\n" in shown and "<p>" not in shown
