"""The baseline: a trivial WSGI app with a static response of the same shape as a redirect.

Served by the same granian settings and driven by the same wrk settings, it measures what
the server, the loopback network and wrk cost on this machine, so the redirect figure can
be read as a ratio to it.
"""

_HEADERS = [
    ("Location", "https://shop.example.com/?chorus_click=AQAAAAAAAAABAAAAAAAAAAFmZmZmZmZmZmZmZmZmZmZmZmZmZg"),
    ("Content-Length", "0"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Content-Type-Options", "nosniff"),
]


def application(environ, start_response):
    start_response("302 Found", _HEADERS)
    return [b""]
