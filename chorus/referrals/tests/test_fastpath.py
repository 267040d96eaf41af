"""The lean redirect path in front of Django (config.wsgi → chorus.referrals.fastpath).

Requests are built as WSGI environs (wsgiref's testing defaults) and sent to the WSGI
application itself, as granian or gunicorn would.
"""

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from chorus.core.signing import parse_click_id
from chorus.referrals.fastpath import RedirectFastPath, click_code
from chorus.referrals.models import Click
from chorus.referrals.services import clicks
from chorus.referrals.services.links import set_vanity_code
from config.wsgi import application, django_application

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _fresh_caches():
    cache.clear()
    clicks.forget_cached_links()
    yield
    cache.clear()
    clicks.forget_cached_links()


@pytest.fixture(autouse=True)
def _keep_test_transaction():
    """Django's handler closes "old" connections around each request, which would end the
    test's transaction; the test client switches that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class Response:
    def __init__(self, status: str, headers: list, body: bytes):
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.body = body


def call(app, path: str, *, method: str = "GET", query: str = "", **extra) -> Response:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
               "REMOTE_ADDR": "203.0.113.10", "HTTP_USER_AGENT": IPHONE, "wsgi.input": io.BytesIO(b""), **extra}
    setup_testing_defaults(environ)
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=headers)

    chunks = app(environ, start_response)
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return Response(started["status"], started["headers"], body)


class DjangoStandIn:
    """Records what reaches "Django" when the lean path hands a request on."""

    def __init__(self):
        self.paths = []

    def __call__(self, environ, start_response):
        self.paths.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        start_response("299 Handed On", [("Content-Type", "text/plain")])
        return [b"django"]


@pytest.fixture
def stand_in():
    return DjangoStandIn()


@pytest.fixture
def buffered(settings, monkeypatch):
    """Clicks are buffered as in production; the test flushes them itself (no thread)."""
    settings.CHORUS_CLICK_FLUSH_SECONDS = 3600
    monkeypatch.setattr(clicks.recorder, "_start_flusher", lambda: None)
    yield clicks.recorder
    clicks.recorder.flush()


def test_redirect_is_answered_without_django_and_the_click_recorded_after_flush(advocate, program, stand_in, buffered):
    response = call(RedirectFastPath(stand_in), f"/r/{advocate.link.code}", HTTP_REFERER="https://social.example.net/p/1")

    assert response.status_code == 302
    assert stand_in.paths == []
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("https", "shop.example.com", "/")
    token = parse_qs(location.query)["chorus_click"][0]
    click_id = parse_click_id(token)
    assert (click_id.link_id, click_id.program_id) == (advocate.link.pk, program.pk)
    assert response.headers["Cache-Control"] == "no-store, max-age=0"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.body == b""

    assert buffered.pending() == 1
    assert Click.objects.count() == 0
    assert clicks.flush_clicks() == 1
    click = Click.objects.get()
    assert (click.token, click.link_id, click.program_id) == (token, advocate.link.pk, program.pk)
    assert (click.device, click.is_bot, click.is_unique) == ("mobile", False, True)
    assert click.referrer == "https://social.example.net/p/1"


def test_vanity_path_and_trailing_slash_are_served_by_the_lean_path(advocate, program, stand_in):
    set_vanity_code(advocate.link, "jane-rocks")

    for path in (f"/r/{program.slug}/jane-rocks", f"/r/{program.slug}/JANE-ROCKS/", f"/r/{advocate.link.code}/"):
        assert call(RedirectFastPath(stand_in), path).status_code == 302

    assert stand_in.paths == []
    assert Click.objects.filter(link=advocate.link).count() == 3


def test_unknown_code_falls_through_to_django_404_page(db):
    response = call(application, "/r/nosuchcode1")

    assert response.status_code == 404
    assert b"<html" in response.body.lower()
    assert Click.objects.count() == 0


@pytest.mark.parametrize("query", [
    "url=https://evil.example/", "next=//evil.example", "destination=https%3A%2F%2Fevil.example%2F",
    "chorus_click=forged&redirect=https://evil.example/",
])
def test_no_query_parameter_changes_the_target(advocate, query):
    response = call(application, f"/r/{advocate.link.code}", query=query)

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("https://shop.example.com/?chorus_click=")
    assert "evil" not in location and "forged" not in location
    assert parse_click_id(parse_qs(urlsplit(location).query)["chorus_click"][0]) is not None


def test_friend_page_is_rendered_by_django_and_the_click_recorded_once(program, advocate):
    program.show_friend_page = True
    program.save()

    response = call(application, f"/r/{advocate.link.code}")

    assert response.status_code == 200
    assert Click.objects.filter(link=advocate.link).count() == 1


def test_disabled_link_falls_through_to_django_410_page(advocate):
    advocate.link.is_active = False
    advocate.link.save()

    response = call(application, f"/r/{advocate.link.code}")

    assert response.status_code == 410
    assert Click.objects.count() == 0


@pytest.mark.parametrize("method", ["HEAD", "POST", "PUT", "OPTIONS"])
def test_other_methods_go_to_django(advocate, stand_in, method):
    response = call(RedirectFastPath(stand_in), f"/r/{advocate.link.code}", method=method)

    assert response.status_code == 299
    assert stand_in.paths == [(method, f"/r/{advocate.link.code}")]
    assert Click.objects.count() == 0


@pytest.mark.parametrize("path", ["/", "/r/", "/r", "/r/a/b/c", "/r/caf\xc3\xa9", "/r/x%2Fy", "/p/acme/", "/api/v1/docs"])
def test_other_paths_go_to_django(db, stand_in, path):
    call(RedirectFastPath(stand_in), path)

    assert stand_in.paths == [("GET", path)]


def test_disallowed_host_goes_to_django_which_refuses_it(advocate, stand_in):
    call(RedirectFastPath(stand_in), f"/r/{advocate.link.code}", HTTP_HOST="evil.example")
    refused = call(application, f"/r/{advocate.link.code}", HTTP_HOST="evil.example")

    assert stand_in.paths == [("GET", f"/r/{advocate.link.code}")]
    assert refused.status_code == 400
    assert Click.objects.count() == 0


def test_plain_http_goes_to_django_when_https_is_enforced(settings, advocate, stand_in):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    app = RedirectFastPath(stand_in)

    call(app, f"/r/{advocate.link.code}")
    secure = call(app, f"/r/{advocate.link.code}", HTTP_X_FORWARDED_PROTO="https")

    assert stand_in.paths == [("GET", f"/r/{advocate.link.code}")]
    assert secure.status_code == 302
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=3600")


def test_lean_redirect_carries_the_headers_of_djangos_and_the_same_visitor(advocate):
    """The hub view's redirect (through every middleware) and the lean one look alike to a
    browser, and hash the same visitor."""
    lean = call(application, f"/r/{advocate.link.code}")
    full = call(django_application, f"/r/{advocate.link.code}")

    assert (lean.status_code, full.status_code) == (302, 302)
    for header in ("Cache-Control", "Referrer-Policy", "X-Content-Type-Options", "X-Frame-Options",
                   "Cross-Origin-Opener-Policy", "X-Robots-Tag", "Content-Type"):
        assert lean.headers.get(header) == full.headers.get(header), header
    first, second = Click.objects.order_by("pk")
    assert first.visitor_hash == second.visitor_hash
    assert (first.is_unique, second.is_unique) == (True, False)


def test_tracking_trouble_never_breaks_the_redirect(advocate, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("cache is down")

    monkeypatch.setattr(clicks.recorder, "record", broken)

    assert call(application, f"/r/{advocate.link.code}").status_code == 302


@pytest.mark.parametrize(("path", "code"), [
    ("/r/abc123", "abc123"), ("/r/abc123/", "abc123"), ("/r/acme/jane-rocks", "acme/jane-rocks"),
    ("/r/acme/jane-rocks/", "acme/jane-rocks"), ("/r/", ""), ("/r/a/b/c", ""), ("/r/a b", ""), ("/x/abc", ""),
])
def test_click_code(path, code):
    assert click_code(path) == code


WORKER = textwrap.dedent("""
    import json, multiprocessing, os, sys
    import django
    django.setup()
    from chorus.referrals.services import clicks

    written = sys.argv[1]

    def write(rows):  # stands in for the INSERT: one JSON line per row, tagged with the pid
        with open(written, "a") as out:
            for row in rows:
                out.write(json.dumps({"pid": os.getpid(), "token": row[2]}) + "\\n")

    clicks.recorder._write = write
    target = clicks.LinkTarget(link_id=1, program_id=1, destination="https://shop.example.com/",
                               usable=True, expired=False, show_friend_page=False)

    def serve():  # like a granian worker: handle clicks, then return on SIGTERM (os._exit follows)
        for number in range(25):
            clicks.recorder.record(target, f"token-{number}", 1_700_000_000, ip="198.51.100.1",
                                   user_agent="Firefox", referrer="")

    worker = multiprocessing.get_context("fork").Process(target=serve)
    worker.start()
    worker.join(30)
    print(json.dumps({"worker_exit": worker.exitcode, "worker_pid": worker.pid}))
""")


def test_buffered_clicks_are_written_when_a_forked_worker_exits(tmp_path):
    """Forked server workers (granian's) end with os._exit, which skips atexit: the flusher
    thread itself writes the buffer when the worker's main thread returns, long before its
    next tick (an hour here)."""
    written = tmp_path / "written.jsonl"
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", "CHORUS_TESTING": "true",
           "CHORUS_CLICK_FLUSH_SECONDS": "3600", "CHORUS_SQLITE_PATH": str(tmp_path / "unused.sqlite3"),
           "PYTHONPATH": str(REPO)}

    completed = subprocess.run([sys.executable, "-c", WORKER, str(written)], cwd=REPO, env=env,
                               capture_output=True, text=True, timeout=60)

    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["worker_exit"] == 0
    rows = [json.loads(line) for line in written.read_text().splitlines()]
    assert sorted(row["token"] for row in rows) == sorted(f"token-{number}" for number in range(25))
    assert {row["pid"] for row in rows} == {result["worker_pid"]}


def test_link_lookup_reads_what_the_orm_reads(program, advocate):
    """The cache-miss lookup runs the ORM's compiled query directly; it must read the same row."""
    from datetime import timedelta

    from django.utils import timezone

    from chorus.referrals.models import ReferralLink
    from chorus.testing import factories

    other = factories.make_advocate(program)
    other.link.expires_at = timezone.now() + timedelta(days=3)
    other.link.destination = "https://shop.example.com/spring"
    other.link.is_active = False
    other.link.save()
    set_vanity_code(advocate.link, "jane-rocks")

    def orm(code):
        if "/" in code:
            slug, _, vanity = code.partition("/")
            query = ReferralLink.objects.filter(program__slug=slug, vanity_code=vanity.lower())
        else:
            query = ReferralLink.objects.filter(code=code.lower())
        return query.values(*clicks._TARGET_FIELDS).first()

    codes = [advocate.link.code, advocate.link.code.upper(), other.link.code, f"{program.slug}/JANE-ROCKS",
             "nosuchcode", f"{program.slug}/nosuch", f"other/{advocate.link.code}"]
    for code in codes:
        assert clicks._target_row(code) == orm(code), code
    assert clicks._target_row(other.link.code)["expires_at"] == other.link.expires_at


def test_unique_clicks_are_decided_in_the_database_across_processes(program, advocate, settings):
    """Two server processes (two recorders, no shared cache) still count a visitor once an hour."""
    from datetime import timedelta

    from chorus.referrals.models import Click
    from chorus.referrals.services.clicks import ClickRecorder, resolve_code

    settings.CHORUS_CLICK_FLUSH_SECONDS = 3600  # buffer; this test flushes by hand
    target = resolve_code(advocate.link.code)
    first, second = ClickRecorder(), ClickRecorder()
    t0 = 1_780_000_000
    first.record(target, "tok-a", t0, ip="203.0.113.1", user_agent="Firefox", referrer="")
    first.record(target, "tok-b", t0 + 60, ip="203.0.113.1", user_agent="Firefox", referrer="")
    first.flush()
    second.record(target, "tok-c", t0 + 120, ip="203.0.113.1", user_agent="Firefox", referrer="")
    second.record(target, "tok-d", t0 + 130, ip="203.0.113.2", user_agent="Firefox", referrer="")
    second.record(target, "tok-e", t0 + 120 + 3601, ip="203.0.113.1", user_agent="Firefox", referrer="")
    second.flush()
    unique = dict(Click.objects.values_list("token", "is_unique"))
    assert unique == {"tok-a": True, "tok-b": False, "tok-c": False, "tok-d": True, "tok-e": True}
    assert Click.objects.get(token="tok-e").created_at - Click.objects.get(token="tok-c").created_at == timedelta(seconds=3601)
