"""In Chromium: from the advocates list to the personal-data page, look up in place, download
the JSON, and erase after typing the address; the advocate's hub session ends with it."""

import json

import pytest

from chorus.advocates.models import Advocate
from chorus.advocates.services import issue_login_token
from chorus.testing import factories


@pytest.fixture
def setup(transactional_db, live_server):
    owner = factories.make_user("marketer")
    workspace = factories.make_workspace(owner, name="Acme")
    program = factories.make_program(workspace, name="Acme", slug="acme-privacy")
    advocate = factories.make_advocate(program, email="jane@example.com", name="Jane Doe", language="en")
    return live_server.url, program, advocate


def test_marketer_downloads_then_erases_a_person(browser, setup, tmp_path):
    base, program, advocate = setup
    hub = browser.new_context(locale="en-US").new_page()
    hub.set_default_timeout(15_000)
    hub.goto(f"{base}/hub/{program.slug}/login/{issue_login_token(advocate)}/")
    hub.click("form button[type=submit]")
    hub.wait_for_url(f"{base}/hub/{program.slug}/")

    console = browser.new_context(locale="en-US", accept_downloads=True).new_page()
    console.set_default_timeout(15_000)
    console.goto(f"{base}/console/login/")
    console.fill("input[name=username]", "marketer")
    console.fill("input[name=password]", "correct-horse-battery")
    console.click("form button[type=submit]")
    console.goto(f"{base}/console/programs/{program.slug}/advocates/")
    console.click("a[title='Personal data']")
    console.wait_for_selector("[data-program=acme-privacy]")
    console.fill("input[name=email]", "nobody@example.com")
    console.click("text=Look up")
    assert "No advocate or customer has this address." in console.inner_text("#person-results .form-error")
    console.fill("input[name=email]", "jane@example.com")
    console.click("text=Look up")
    console.wait_for_selector("#person-results [data-program=acme-privacy]")
    with console.expect_download() as download_info:
        console.click("#person-results >> text=Download personal data")
    path = tmp_path / "export.json"
    download_info.value.save_as(path)
    assert json.loads(path.read_text())["sections"]["advocates"][0]["name"] == "Jane Doe"

    console.click("text=Erase this person…")
    console.fill("input[name=confirmation]", "jane@example.com")
    console.click("text=Erase permanently")
    console.wait_for_selector("text=The person was erased.")
    assert Advocate.objects.get(pk=advocate.pk).status == "disabled"
    hub.goto(f"{base}/hub/{program.slug}/")
    assert hub.url == f"{base}/hub/{program.slug}/login/"
