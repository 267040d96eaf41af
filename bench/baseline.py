"""Baselines: trivial WSGI apps served by the same granian settings and driven the same way
as Chorus in the same run, so that a figure can be read as a ratio to what the server, the
loopback network and the load generator cost on this machine at that moment.

`application` answers a static 302 of the same shape as a referral redirect;
`ingest_application` parses a conversions request and answers one JSON result per event.
"""

import json

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


def ingest_application(environ, start_response):
    """The ingest baseline: read and parse the JSON body, answer a JSON result per event
    (the HTTP and JSON work of the conversions API, none of its domain work)."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    payload = json.loads(environ["wsgi.input"].read(length) or b"{}")
    events = payload.get("conversions", [payload])
    results = [{"index": index, "ok": True, "status": 201, "result": {"type": event.get("type")}}
               for index, event in enumerate(events)]
    body = json.dumps({"recorded": len(results), "duplicates": 0, "failed": 0, "results": results}).encode()
    start_response("201 Created" if "conversions" not in payload else "200 OK",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
