import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from chorus.advocates.models import Advocate, LoginToken
from chorus.core.signing import visitor_hash

from .conftest import BROWSER_UA

LINK = re.compile(r"http://127\.0\.0\.1:8000(/hub/[a-z0-9-]+/login/[A-Za-z0-9_-]+/)")


def _emailed_path(smtp_server, address: str, count: int = 1) -> str:
    smtp_server.wait_for(count)
    message = smtp_server.messages_to(address)[-1]
    return LINK.search(smtp_server.body(message)).group(1)


def _logged_in_advocate_id(client, program):
    return client.session.get(f"chorus.hub.{program.pk}")


# --- join -----------------------------------------------------------------------------

def test_join_creates_a_pending_advocate_and_emails_a_confirmation(
        visitor, program, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(f"/p/{program.slug}/join/", {"name": "Ana Nowak", "email": "ana@example.pl", "language": "pl"})

    assert response.status_code == 200
    assert response.templates[0].name == "hub/check_email.html"
    advocate = Advocate.objects.get(email="ana@example.pl")
    assert (advocate.program, advocate.name, advocate.language, advocate.status) == (program, "Ana Nowak", "pl", "pending")
    assert advocate.link.code
    smtp_server.wait_for(1)
    [message] = smtp_server.messages
    assert message["To"] == "ana@example.pl"
    with translation.override("pl"):  # the email speaks the language chosen on the join page
        expected_subject = gettext("Confirm your email to join %(program)s") % {"program": "Acme Customers"}
    assert message["Subject"].strip() == expected_subject
    assert message["From"] == "Acme Customers <chorus@localhost>"
    assert message.get_body(preferencelist=("plain",)) is not None
    html = message.get_body(preferencelist=("html",)).get_content()
    assert html.count('href="http://127.0.0.1:8000/hub/acme/login/') == 1
    assert LoginToken.objects.get(advocate=advocate).purpose == "confirm"


def test_confirmation_link_logs_in_and_activates(visitor, program, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        visitor.post(f"/p/{program.slug}/join/", {"name": "Ana Nowak", "email": "ana@example.pl", "language": "en"})
    path = _emailed_path(smtp_server, "ana@example.pl")

    page = visitor.get(path)
    assert page.status_code == 200
    assert "Log me in" in page.content.decode()
    assert Advocate.objects.get().status == "pending"  # opening the link alone changes nothing

    response = visitor.post(path)

    advocate = Advocate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hub/{program.slug}/"
    assert advocate.status == "active" and advocate.joined_at is not None
    assert _logged_in_advocate_id(visitor, program) == advocate.pk
    assert advocate.known_visitors == [visitor_hash("203.0.113.10", BROWSER_UA)]
    assert visitor.get(f"/hub/{program.slug}/").status_code == 200


def test_joining_with_an_enrolled_email_sends_a_login_link_and_changes_nothing(
        visitor, program, advocate, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(f"/p/{program.slug}/join/", {"name": "Mallory", "email": "JANE@example.com", "language": "de"})

    assert response.status_code == 200
    assert response.templates[0].name == "hub/check_email.html"
    advocate.refresh_from_db()
    assert (advocate.name, advocate.language, advocate.status) == ("Jane Doe", "", "active")
    assert Advocate.objects.count() == 1
    smtp_server.wait_for(1)
    [message] = smtp_server.messages
    assert message["To"] == "jane@example.com"
    assert message["Subject"] == "Your login link for Acme Customers"
    assert LoginToken.objects.get().purpose == "login"


def test_join_form_errors(visitor, program):
    response = visitor.post(f"/p/{program.slug}/join/", {"name": "", "email": "nope", "language": "xx"})

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "email", "language"}
    assert Advocate.objects.count() == 0


# --- magic link -----------------------------------------------------------------------

def _request_link(client, program, email, capture):
    with capture(execute=True):
        return client.post(f"/hub/{program.slug}/login/", {"email": email})


def test_magic_link_is_emailed_and_works_once(visitor, program, advocate, smtp_server, django_capture_on_commit_callbacks):
    response = _request_link(visitor, program, "jane@example.com", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response.templates[0].name == "hub/check_email.html"
    smtp_server.wait_for(1)
    [message] = smtp_server.messages
    assert message["Subject"] == "Your login link for Acme Customers"
    text = smtp_server.body(message)
    assert "Hi Jane," in text
    assert "This link works once and expires in 15 minutes." in text
    path = _emailed_path(smtp_server, "jane@example.com")

    first = visitor.post(path)
    assert first.status_code == 302 and first["Location"] == f"/hub/{program.slug}/"
    assert _logged_in_advocate_id(visitor, program) == advocate.pk

    visitor.post(f"/hub/{program.slug}/logout/")
    assert _logged_in_advocate_id(visitor, program) is None
    second = visitor.post(path)
    assert second.status_code == 410
    assert second.templates[0].name == "hub/magic_link_invalid.html"
    assert "expired or was already used" in second.content.decode()
    assert _logged_in_advocate_id(visitor, program) is None


def test_opening_the_magic_link_does_not_spend_it(visitor, program, advocate):
    from chorus.advocates.services import issue_login_token

    raw = issue_login_token(advocate)
    for _ in range(3):  # a mail scanner fetching the link
        page = visitor.get(f"/hub/{program.slug}/login/{raw}/")
        assert page.status_code == 200
        assert page["Referrer-Policy"] == "no-referrer"
    assert LoginToken.objects.get().used_at is None
    assert visitor.post(f"/hub/{program.slug}/login/{raw}/").status_code == 302


def test_expired_magic_link_is_refused(visitor, program, advocate):
    from chorus.advocates.services import issue_login_token

    raw = issue_login_token(advocate)
    LoginToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = visitor.post(f"/hub/{program.slug}/login/{raw}/")

    assert response.status_code == 410
    assert _logged_in_advocate_id(visitor, program) is None


def test_unknown_or_other_programs_token_is_refused(visitor, workspace, program, advocate):
    from chorus.advocates.services import issue_login_token
    from chorus.testing import factories

    other = factories.make_program(workspace, slug="partners")
    raw = issue_login_token(advocate)

    assert visitor.post(f"/hub/{other.slug}/login/{raw}/").status_code == 404
    assert visitor.post(f"/hub/{program.slug}/login/not-a-token/").status_code == 404
    assert LoginToken.objects.get().used_at is None


def test_login_answers_the_same_for_unknown_emails_and_sends_nothing(
        visitor, program, advocate, smtp_server, django_capture_on_commit_callbacks):
    response = _request_link(visitor, program, "stranger@example.com", django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert response.templates[0].name == "hub/check_email.html"
    assert LoginToken.objects.count() == 0
    assert smtp_server.wait_for(1, timeout=0.5) == []


def test_disabled_advocate_gets_no_link(visitor, program, advocate, smtp_server, django_capture_on_commit_callbacks):
    advocate.status = "disabled"
    advocate.save(update_fields=["status"])

    response = _request_link(visitor, program, "jane@example.com", django_capture_on_commit_callbacks)

    assert response.templates[0].name == "hub/check_email.html"
    assert LoginToken.objects.count() == 0


def test_login_links_are_limited_per_advocate_without_telling(
        visitor, program, advocate, smtp_server, django_capture_on_commit_callbacks, settings):
    settings.CHORUS_MAGIC_LINKS_PER_HOUR = 3
    answers = []
    for _attempt in range(5):
        response = _request_link(visitor, program, "jane@example.com", django_capture_on_commit_callbacks)
        answers.append((response.status_code, response.templates[0].name))

    assert answers == [(200, "hub/check_email.html")] * 5
    assert LoginToken.objects.count() == 3
    assert len(smtp_server.wait_for(3)) == 3


def test_login_requests_are_limited_per_ip(visitor, program, advocate, django_capture_on_commit_callbacks):
    statuses = [
        _request_link(visitor, program, f"someone{index}@example.com", django_capture_on_commit_callbacks).status_code
        for index in range(11)
    ]

    assert statuses == [200] * 10 + [429]
    limited = _request_link(visitor, program, "jane@example.com", django_capture_on_commit_callbacks)
    assert limited.status_code == 429
    assert limited["Retry-After"].isdigit()
    assert LoginToken.objects.count() == 0
    other_ip = visitor.post(f"/hub/{program.slug}/login/", {"email": "jane@example.com"}, REMOTE_ADDR="198.51.100.7")
    assert other_ip.status_code == 200


def test_hub_pages_need_a_login_for_that_program(visitor, workspace, program, advocate):
    from chorus.testing import factories

    other = factories.make_program(workspace, slug="partners")
    session = visitor.session
    session[f"chorus.hub.{other.pk}"] = advocate.pk  # an id stored for another program
    session.save()

    for path in ("", "qr.svg", "qr.png"):
        response = visitor.get(f"/hub/{program.slug}/{path}")
        assert response.status_code == 302 and response["Location"] == f"/hub/{program.slug}/login/"
    assert visitor.get(f"/hub/{other.slug}/").status_code == 302  # not an advocate of that program


def test_logout_needs_post(visitor, program, advocate):
    assert visitor.get(f"/hub/{program.slug}/logout/").status_code == 405


# --- language -------------------------------------------------------------------------

@pytest.fixture
def logged_in(visitor, program, advocate):
    from chorus.advocates.services import issue_login_token

    visitor.post(f"/hub/{program.slug}/login/{issue_login_token(advocate)}/")
    return visitor


def test_language_switch_saves_the_advocate_language_and_arabic_is_rtl(logged_in, program, advocate):
    response = logged_in.post(f"/hub/{program.slug}/language/", {"language": "ar", "next": f"/hub/{program.slug}/"})

    assert response.status_code == 302 and response["Location"] == f"/hub/{program.slug}/"
    advocate.refresh_from_db()
    assert advocate.language == "ar"
    page = logged_in.get(f"/hub/{program.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="ar" dir="rtl">' in page.content.decode()


def test_profile_language_wins_over_the_browser(logged_in, program, advocate):
    advocate.language = "ja"
    advocate.save(update_fields=["language"])
    logged_in.cookies.pop("django_language", None)

    page = logged_in.get(f"/hub/{program.slug}/", HTTP_ACCEPT_LANGUAGE="de")

    assert '<html lang="ja" dir="ltr">' in page.content.decode()
    assert page["Content-Language"] == "ja"


def test_without_a_profile_language_the_browser_decides(logged_in, program):
    page = logged_in.get(f"/hub/{program.slug}/", HTTP_ACCEPT_LANGUAGE="de")

    assert '<html lang="de" dir="ltr">' in page.content.decode()


def test_language_switch_for_visitors_sets_the_cookie(visitor, program, advocate):
    response = visitor.post(f"/hub/{program.slug}/language/", {"language": "pl", "next": f"/p/{program.slug}/"})

    assert response.status_code == 302 and response["Location"] == f"/p/{program.slug}/"
    assert response.cookies["django_language"].value == "pl"
    advocate.refresh_from_db()
    assert advocate.language == ""
    assert '<html lang="pl" dir="ltr">' in visitor.get(f"/p/{program.slug}/").content.decode()


def test_language_switch_refuses_offsite_next_and_unknown_languages(visitor, program):
    response = visitor.post(f"/hub/{program.slug}/language/", {"language": "xx", "next": "https://evil.example.org/"})

    assert response.status_code == 302 and response["Location"] == f"/p/{program.slug}/"
    assert "django_language" not in response.cookies
