"""Project-wide fixtures: the standard cast, a real SMTP server, database helpers."""

import pytest
from django.db import connection

from chorus.testing import factories
from chorus.testing.smtp import SmtpServer


@pytest.fixture
def owner(db):
    return factories.make_user("owner")


@pytest.fixture
def workspace(owner):
    return factories.make_workspace(owner, name="Acme Analytics")


@pytest.fixture
def teammate(workspace):
    user = factories.make_user("teammate")
    factories.add_member(workspace, user, role="teammate")
    return user


@pytest.fixture
def outsider(db):
    """A marketer of another workspace: must never see Acme's programs."""
    user = factories.make_user("outsider")
    other = factories.make_workspace(user, name="Other Co")
    factories.make_program(other, name="Other program", slug="other-program")
    return user


@pytest.fixture
def program(workspace):
    return factories.make_program(workspace, name="Acme Customers", slug="acme")


@pytest.fixture
def advocate(program):
    return factories.make_advocate(program, email="jane@example.com", name="Jane Doe", external_id="cus_jane")


@pytest.fixture
def api_key(program):
    key, raw = factories.make_api_key(program)
    return raw


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port; Django sends to it over SMTP."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A test that activates a language must not leave it to the next one."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _ledger_triggers(request):
    """The ledger's append-only triggers hold in every database test. SQLite flushes a
    transactional test's tables with DELETE, which they refuse, so they are dropped for
    that flush and put back by the next test."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        yield
        return
    from chorus.rewards import ledger_triggers

    transactional = {"transactional_db", "live_server"} & set(request.fixturenames)
    request.getfixturevalue("transactional_db" if transactional else "db")
    if connection.vendor == "sqlite":
        ledger_triggers.create(connection)
    yield
    if transactional and connection.vendor == "sqlite":
        ledger_triggers.drop(connection)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped with a reason where it cannot run
    (but never in CI, where a missing browser is a failure)."""
    import os
    import shutil

    if not shutil.which(CHROMIUM):
        message = f"{CHROMIUM} is missing: install Debian's chromium package (./dev test does so as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls that tests make
    # beside it are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()
