"""The lean redirect path: `GET /r/<code>` answered before Django's request machinery.

A referral click that ends in a 302 needs no session, no middleware, no URL resolver and
no template: `handle_click` resolves the code from its in-process cache, buffers the click
row for the flusher thread and returns the location. This WSGI wrapper answers exactly
those requests itself and hands every other request to Django unchanged: other methods
(HEAD included), other paths, disallowed hosts, plain-HTTP requests when HTTPS is
enforced, and every click whose answer is not a redirect (friend page, 404, 410, 503) —
for those `handle_click(..., only_redirect=True)` records nothing, so the Django view
records the click once when it renders the page.

The location comes only from the service (the link's or the program's destination, or the
destination of a content-vault item of the link's own program named by `?c=<id>`, plus a
signed click id); nothing else in the request can change it.
"""

import logging
import re
from functools import lru_cache

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.encoding import iri_to_uri

from chorus.core.ratelimit import client_ip_from_environ
from chorus.referrals.services.clicks import content_param, handle_click

logger = logging.getLogger("chorus.clicks")

# /r/<code> and /r/<program slug>/<vanity code>, with the optional trailing slash the hub's
# URL patterns forgive. Codes, slugs and vanity codes are ASCII letters, digits, - and _;
# anything else goes to Django, which answers it as the hub's views do.
_CLICK_PATH = re.compile(r"/r/([A-Za-z0-9_-]{1,100})(?:/([A-Za-z0-9_-]{1,100}))?/?")


def _host_allowed(host: str) -> bool:
    """Django's Host check (ALLOWED_HOSTS), remembered per Host header value."""
    return _host_allowed_in(host, tuple(settings.ALLOWED_HOSTS), settings.DEBUG)


@lru_cache(maxsize=256)
def _host_allowed_in(host: str, allowed: tuple, debug: bool) -> bool:
    domain, _port = split_domain_port(host)
    if debug and not allowed:
        allowed = (".localhost", "127.0.0.1", "[::1]")
    return bool(domain) and validate_host(domain, allowed)


def _is_secure(environ) -> bool:
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    if proxy_header:
        header, secure_value = proxy_header
        forwarded = environ.get(header)
        if forwarded is not None:
            return forwarded.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def click_code(path: str) -> str:
    """The code `handle_click` takes ("code" or "slug/vanity") for a click path, else ""."""
    match = _CLICK_PATH.fullmatch(path)
    if match is None:
        return ""
    first, second = match.groups()
    return f"{first}/{second}" if second else first


class RedirectFastPath:
    """WSGI middleware: serve referral redirects directly, pass everything else to `app`."""

    def __init__(self, app):
        self.app = app
        self.ssl_redirect = settings.SECURE_SSL_REDIRECT
        # What the hub's redirect carries after Django's middleware, minus the Vary and
        # Content-Language the locale middleware adds (an empty redirect has no language).
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", "0"),
            ("Cache-Control", "no-store, max-age=0"),
            ("X-Robots-Tag", "noindex"),
            ("Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin"),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", settings.X_FRAME_OPTIONS),
        ]
        if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
            headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
        self.headers = headers
        self.secure_headers = headers
        if settings.SECURE_HSTS_SECONDS:
            hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                hsts += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                hsts += "; preload"
            self.secure_headers = [*headers, ("Strict-Transport-Security", hsts)]

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET":
            path = environ.get("PATH_INFO", "")
            if path.startswith("/r/"):
                answered = self._redirect(environ, start_response, path)
                if answered is not None:
                    return answered
        return self.app(environ, start_response)

    def _redirect(self, environ, start_response, path: str):
        code = click_code(path)
        if not code or not _host_allowed(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")):
            return None
        secure = _is_secure(environ)
        if self.ssl_redirect and not secure:
            return None  # Django's SecurityMiddleware sends the browser to HTTPS first
        query = environ.get("QUERY_STRING")
        try:
            outcome = handle_click(
                # the same client facts as chorus.hub.views.clicks.click_client, so a visitor
                # hashes alike on both paths
                code, ip=client_ip_from_environ(environ), user_agent=environ.get("HTTP_USER_AGENT", "")[:512],
                referrer=environ.get("HTTP_REFERER", "")[:500], only_redirect=True,
                content=content_param(query) if query else "",  # a content-vault share: `?c=<item id>`
            )
        except Exception:  # let Django answer (and log) rather than fail here
            logger.exception("lean redirect path failed for %r", code)
            return None
        if outcome.status != 302:
            return None
        location = outcome.location if outcome.location.isascii() else iri_to_uri(outcome.location)
        headers = self.secure_headers if secure else self.headers
        start_response("302 Found", [("Location", location), *headers])
        return [b""]
