"""End to end in headless Chromium: the marketer invites a customer from the console, the email
arrives at a real SMTP server, the invitee opens the link in it, presses one button and lands
logged in on the starter asks."""

import re

import pytest

from chorus.advocates.models import Advocate
from chorus.testing import factories

from .conftest import TRACKED, make_customer

pytestmark = pytest.mark.browser


@pytest.fixture
def setup(transactional_db, live_server, settings, smtp_server):
    settings.CHORUS_BASE_URL = live_server.url
    owner = factories.make_user("marketer")
    workspace = factories.make_workspace(owner, name="Acme")
    program = factories.make_program(workspace, name="Acme", slug="acme-invite")
    customer = make_customer(program, "ana@example.pl", "Ana Nowak", language="en")
    return live_server.url, program, customer


def test_invitee_clicks_the_emailed_link_and_lands_logged_in_on_the_asks(browser, setup, smtp_server):
    base, program, customer = setup
    console = browser.new_context(locale="en-US").new_page()
    console.set_default_timeout(15_000)
    console.goto(f"{base}/console/login/")
    console.fill("input[name=username]", "marketer")
    console.fill("input[name=password]", "correct-horse-battery")
    console.click("form button[type=submit]")
    console.goto(f"{base}/console/programs/{program.slug}/invitations/?customers={customer.pk}")
    assert console.is_checked(f"#selected-customers input[value='{customer.pk}']")
    console.click("text=Send invitations")
    console.wait_for_selector("text=1 invitation sent.")

    [message] = smtp_server.wait_for(1)
    text = message.get_body(preferencelist=("plain",)).get_content()
    tracked = TRACKED.pattern.replace(r"http://127\.0\.0\.1:8000", base.replace(".", r"\."))
    link = re.search(tracked, text).group(1)
    invitee = browser.new_context(locale="en-US").new_page()
    invitee.set_default_timeout(15_000)
    invitee.goto(link)
    assert "/p/acme-invite/welcome/" in invitee.url
    invitee.click("text=Join and open my hub")
    invitee.wait_for_url(f"{base}/hub/{program.slug}/asks/")
    assert "Welcome to our advocate program" in invitee.content()
    assert invitee.is_visible("nav.hub-nav")
    advocate = Advocate.objects.get(program=program)
    assert (advocate.email, advocate.status) == ("ana@example.pl", "active")
