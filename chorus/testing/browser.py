"""Logged-in Chromium pages for browser tests: a marketer in the console, an advocate in the hub,
each in a context of its own (separate cookies), through the real login pages."""

from chorus.advocates.services import issue_login_token

from .factories import DEFAULT_PASSWORD

TIMEOUT_MS = 15_000


def console_page(browser, base_url: str, username: str, password: str = DEFAULT_PASSWORD, locale: str = "en-US"):
    """`locale` also sets Accept-Language, so "ar" shows the console in Arabic (right to left)."""
    page = browser.new_context(locale=locale).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base_url}/console/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}/console/**")
    return page


def hub_page(browser, base_url: str, program, advocate):
    """The advocate's hub after following a magic link and pressing its button."""
    page = browser.new_context(locale="en-US").new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base_url}/hub/{program.slug}/login/{issue_login_token(advocate)}/")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}/hub/{program.slug}/")
    return page
