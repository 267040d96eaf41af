"""The snippet running in a real browser (headless Chromium) on a stand-in merchant site.

Requests to the merchant (`http://shop.test`) and to Chorus (`http://chorus.test`) are
answered by Playwright routes; Chorus's answers come from the real Django views through the
test client, so the browser applies its own cookie and CORS rules to our real responses.
Playwright runs route handlers in their own context, where Django opens another database
connection: the tests commit their data (transactional_db) so that connection sees it.
"""

from urllib.parse import parse_qs, urlsplit

import pytest

from chorus.referrals.models import Conversion

pytestmark = pytest.mark.browser

MERCHANT_PAGE = """<!doctype html><html><head>
<script src="http://chorus.test/s/chorus.js" data-program="%(slug)s" data-window-days="7" async></script>
</head><body>
<form id="signup" data-chorus action="/signup" method="post"><input name="email"></form>
<form id="search" action="/search"><input name="q"></form>
</body></html>"""


def _serve_chorus(django_client):
    def handle(route):
        request = route.request
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"HTTP_ORIGIN": request.headers.get("origin", ""), "HTTP_USER_AGENT": request.headers.get("user-agent", "")}
        try:
            response = django_client.generic(request.method, path, data=request.post_data_buffer or b"",
                                             content_type=request.headers.get("content-type", ""), **headers)
        except Exception:
            route.abort()  # fail the browser's request at once instead of leaving it hanging
            raise
        route.fulfill(status=response.status_code, headers=dict(response.items()), body=response.content)
    return handle


@pytest.fixture
def merchant(transactional_db, browser, client, program):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.route("http://shop.test/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body=MERCHANT_PAGE % {"slug": program.slug}))
    page.route("http://chorus.test/**", _serve_chorus(client))
    yield context, page
    context.close()


def test_snippet_keeps_the_click_decorates_forms_and_tracks_a_browser_signup(merchant, client, program, advocate):
    context, page = merchant
    location = client.get(f"/r/{advocate.link.code}", HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0")["Location"]
    token = parse_qs(urlsplit(location).query)["chorus_click"][0]

    page.goto(f"http://shop.test/?chorus_click={token}&ref=jane")
    page.wait_for_function("window.chorus && typeof window.chorus.track === 'function'")

    cookies = {cookie["name"]: cookie for cookie in context.cookies("http://shop.test/")}
    assert cookies["chorus_click"]["value"] == token
    assert cookies["chorus_ref"]["value"] == "jane"
    assert cookies["chorus_click"]["sameSite"] == "Lax"
    lifetime_days = (cookies["chorus_click"]["expires"] - page.evaluate("Date.now() / 1000")) / 86400
    assert 6.9 < lifetime_days <= 7
    assert page.eval_on_selector("#signup input[name=chorus_click]", "input => input.value") == token
    assert page.eval_on_selector("#signup input[name=chorus_ref]", "input => input.value") == "jane"
    assert page.query_selector("#search input[name=chorus_click]") is None

    page.goto("http://shop.test/welcome")  # a later page without the parameters
    page.wait_for_function("window.chorus && typeof window.chorus.track === 'function'")
    assert page.evaluate("chorus.clickId()") == token
    answer = page.evaluate("chorus.track('signup', {email: 'friend@example.org'})")

    assert answer == {"accepted": True, "duplicate": False}
    conversion = Conversion.objects.get()
    assert (conversion.type, conversion.trust, conversion.customer.email) == ("signup", "browser", "friend@example.org")
    assert conversion.referral.advocate == advocate


def test_track_rejects_with_the_field_errors(merchant, program):
    context, page = merchant
    page.goto("http://shop.test/")
    page.wait_for_function("window.chorus && typeof window.chorus.track === 'function'")

    result = page.evaluate("chorus.track('purchase', {amount: '12.50', email: 'a@example.org'})"
                           ".then(() => null, error => [error.status, Object.keys(error.response.field_errors)])")

    assert result == [422, ["amount"]]
    assert Conversion.objects.count() == 0
