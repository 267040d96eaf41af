"""The click: resolve a code, record the visit, and say where to send the browser.

This is the hottest path in Chorus, so it avoids the ORM on the way in: link lookups are
cached in-process for a few seconds, and clicks are written in batches by a flusher
thread (every CHORUS_CLICK_FLUSH_SECONDS, and at exit). Attribution never depends on the
row: the click id handed to the merchant is a signed token carrying link, program and time.
"""

import atexit
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models.constants import OnConflict
from django.utils import timezone

from chorus.analytics import rollups
from chorus.core.signing import new_click_id, visitor_hash

from ..models import Click, ReferralLink

logger = logging.getLogger("chorus.clicks")
LINK_CACHE_SECONDS = 10.0
UNIQUE_WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class LinkTarget:
    link_id: int
    program_id: int
    destination: str
    usable: bool  # active link, active program, active advocate, not expired
    expired: bool
    show_friend_page: bool


@dataclass(frozen=True)
class ContentTarget:
    """A content-vault item shared through a link (`?c=<id>`), as the click needs it."""

    content_id: int
    destination: str  # empty: the item cannot send anyone anywhere now, use the link's destination


@dataclass(frozen=True)
class ClickOutcome:
    """What to answer: a redirect `location`, or a page (`status` 200 friend page, 404, 410)."""

    status: int
    location: str = ""
    token: str = ""
    target: LinkTarget | None = None
    content: ContentTarget | None = None

    @property
    def destination(self) -> str:
        """Where the friend goes (without the click id): the shared item's page, else the link's."""
        if self.content is not None and self.content.destination:
            return self.content.destination
        return self.target.destination if self.target else ""


_link_cache: dict[str, tuple[float, LinkTarget | None]] = {}
_content_cache: dict[tuple[int, int], tuple[float, ContentTarget | None]] = {}


_TARGET_FIELDS = ("pk", "program_id", "destination", "is_active", "expires_at", "program__is_active",
                  "program__default_destination", "program__show_friend_page", "advocate__status")
_CODE, _SLUG, _VANITY = "\x00code\x00", "\x00slug\x00", "\x00vanity\x00"  # parameter placeholders


@lru_cache(maxsize=8)
def _target_sql(vendor: str, by_vanity: bool) -> tuple[str, tuple]:
    """The link lookup as the ORM compiles it (`.values(...).first()`), compiled once.

    Every cache miss used to build and compile the same query again, which cost more than
    running it; the parameters are marked by placeholder values and filled in per call."""
    if by_vanity:
        query = ReferralLink.objects.filter(program__slug=_SLUG, vanity_code=_VANITY)
    else:
        query = ReferralLink.objects.filter(code=_CODE)
    sql, params = query.values(*_TARGET_FIELDS).order_by("pk")[:1].query.sql_with_params()
    return sql, tuple(params)


def _target_row(code: str) -> dict | None:
    if "/" in code:
        slug, _, vanity = code.partition("/")
        values = {_SLUG: slug, _VANITY: vanity.lower()}
    else:
        values = {_CODE: code.lower()}
    sql, params = _target_sql(connection.vendor, "/" in code)
    with connection.cursor() as cursor:
        cursor.execute(sql, [values.get(param, param) for param in params])
        found = cursor.fetchone()
    if found is None:
        return None
    row = dict(zip(_TARGET_FIELDS, found, strict=True))
    if row["expires_at"] is not None and timezone.is_naive(row["expires_at"]):  # SQLite: naive UTC, as the ORM reads it
        row["expires_at"] = timezone.make_aware(row["expires_at"], connection.timezone)
    return row


def _load_target(code: str) -> LinkTarget | None:
    row = _target_row(code)
    if row is None:
        return None
    expired = row["expires_at"] is not None and row["expires_at"] <= datetime.now(UTC)
    return LinkTarget(
        link_id=row["pk"], program_id=row["program_id"],
        destination=row["destination"] or row["program__default_destination"],
        usable=row["is_active"] and row["program__is_active"] and row["advocate__status"] != "disabled" and not expired,
        expired=expired, show_friend_page=row["program__show_friend_page"],
    )


def resolve_code(code: str) -> LinkTarget | None:
    now = time.monotonic()
    cached = _link_cache.get(code)
    if cached and cached[0] > now:
        return cached[1]
    target = _load_target(code)
    if len(_link_cache) > 100_000:
        _link_cache.clear()
    _link_cache[code] = (now + LINK_CACHE_SECONDS, target)
    return target


def forget_cached_links() -> None:
    _link_cache.clear()
    _content_cache.clear()


def content_param(query_string: str) -> str:
    """The `c` parameter of a raw query string (`c=12`), without parsing the rest."""
    for part in query_string.split("&"):
        if part.startswith("c="):
            return part[2:]
    return ""


def _load_content(program_id: int, content_id: int) -> ContentTarget | None:
    """The item of this program with this id. Its destination was checked against the
    program's allowed destinations when saved; it is checked again here, so a destination
    the marketer has since removed sends friends to the link's destination instead."""
    item_model = Click._meta.get_field("content").related_model
    item = item_model.objects.select_related("program").filter(pk=content_id, program_id=program_id).first()
    if item is None:
        return None
    destination = item.click_destination(item.program)
    usable = item.is_active and (not item.destination_url or item.program.destination_allowed(destination))
    return ContentTarget(content_id=item.pk, destination=destination if usable else "")


def resolve_content(program_id: int, content: str) -> ContentTarget | None:
    """A shared item by its id in the link's program, cached like links; None if there is none."""
    if not content.isdigit() or len(content) > 12:
        return None
    key = (program_id, int(content))
    now = time.monotonic()
    cached = _content_cache.get(key)
    if cached and cached[0] > now:
        return cached[1]
    target = _load_content(*key)
    if len(_content_cache) > 100_000:
        _content_cache.clear()
    _content_cache[key] = (now + LINK_CACHE_SECONDS, target)
    return target


_BOT_WORDS = ("bot", "crawl", "spider", "slurp", "facebookexternalhit", "preview", "curl", "wget",
              "python-requests", "headless", "monitor", "scan")


@lru_cache(maxsize=4096)
def classify_user_agent(user_agent: str) -> tuple[str, bool]:
    """(device class, is bot) for a User-Agent header, using ua-parser's device rules."""
    lowered = user_agent.lower()
    if not user_agent or any(word in lowered for word in _BOT_WORDS):
        return Click.Device.BOT, True
    from ua_parser import parse_device

    device = parse_device(user_agent)
    family = (device.family if device else "") or "Other"
    if family == "Spider":
        return Click.Device.BOT, True
    if "ipad" in lowered or "tablet" in lowered or ("android" in lowered and "mobile" not in lowered):
        return Click.Device.TABLET, False
    if "mobi" in lowered or "iphone" in lowered:
        return Click.Device.MOBILE, False
    if family == "Other":
        return Click.Device.DESKTOP, False
    return Click.Device.OTHER, False


def append_click_id(url: str, token: str) -> str:
    before, after = _click_id_slot(url)
    if _URL_SAFE_TOKEN.fullmatch(token):  # a signed click id is URL-safe base64: nothing to quote
        return f"{before}{token}{after}"
    return _with_click_id(url, token)


_URL_SAFE_TOKEN = re.compile(r"[A-Za-z0-9_-]*")


def _with_click_id(url: str, token: str) -> str:
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "chorus_click"]
    query.append(("chorus_click", token))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


@lru_cache(maxsize=1024)
def _click_id_slot(url: str) -> tuple[str, str]:
    """The destination split around where the click id goes (parsed once per destination)."""
    marker = "CHORUSCLICKID"
    while marker in url:
        marker += "X"
    before, _marker, after = _with_click_id(url, marker).partition(marker)
    return before, after


def handle_click(code: str, *, ip: str, user_agent: str, referrer: str, only_redirect: bool = False,
                 record: bool = True, content: str = "") -> ClickOutcome:
    """Resolve `code` (random code, or "slug/vanity"), record the click, decide the answer.

    `content` is the `c` query parameter of a content-vault share: the id of an item of the
    link's program. The click is then recorded for that item too, and the friend lands on
    the item's destination; an unknown id is ignored (the link works as without it).

    `record=False` answers without counting a click (HEAD requests from link previewers).

    With `only_redirect`, a click that would show the friend page is not recorded: the
    caller (the lean WSGI path) hands the request to the page view, which records it.
    """
    if not code or len(code) > 100:
        return ClickOutcome(status=404)
    try:
        target = resolve_code(code)
    except Exception:  # the database is down: there is nothing to redirect to
        logger.exception("link lookup failed for %r", code)
        return ClickOutcome(status=503)
    if target is None:
        return ClickOutcome(status=404)
    if not target.usable:
        return ClickOutcome(status=410, target=target)
    if only_redirect and target.show_friend_page:
        return ClickOutcome(status=200, target=target)
    shared = None
    if content:
        try:
            shared = resolve_content(target.program_id, content)
        except Exception:  # the item lookup failing must not lose the click
            logger.exception("content lookup failed for %r", content)
    click_id = new_click_id(target.link_id, target.program_id)
    token = click_id.token
    try:
        if record:
            recorder.record(target, token, click_id.clicked_at, ip=ip, user_agent=user_agent, referrer=referrer,
                            content_id=shared.content_id if shared else None)
    except Exception:  # tracking trouble never breaks the redirect
        logger.exception("could not record a click on link %s", target.link_id)
    outcome = ClickOutcome(status=200, token=token, target=target, content=shared)
    if target.show_friend_page:
        return outcome
    return ClickOutcome(status=302, location=append_click_id(outcome.destination, token), token=token, target=target,
                        content=shared)


class ClickRecorder:
    """Buffers click rows and writes them in batches of multi-row INSERTs.

    Rows are buffered as plain tuples (building a model instance per click costs more than
    the rest of the click), and written with `INSERT ... ON CONFLICT DO NOTHING` — what
    `bulk_create(ignore_conflicts=True)` sends, without its per-field preparation.

    The flusher thread is not a daemon: when the main thread finishes (the interpreter
    exits, or a forked server worker — granian's, for one — returns after SIGTERM/SIGINT),
    it wakes up, writes what is left and ends. Forked workers leave through `os._exit`,
    which skips `atexit`, so the thread is what saves the last clicks there.
    """

    _COLUMNS = ("program", "link", "token", "created_at", "visitor_hash", "referrer", "device", "is_bot", "is_unique",
                "content")
    EXIT_ATTEMPTS = 3
    ROWS_PER_STATEMENT = 100

    def __init__(self):
        self._lock = threading.Lock()
        self._pending: list[tuple] = []
        self._thread: threading.Thread | None = None
        self._pid = None

    def record(self, target: LinkTarget, token: str, clicked_at: int, *, ip: str, user_agent: str, referrer: str,
               content_id: int | None = None) -> None:
        visitor = visitor_hash(ip, user_agent)
        device, is_bot = classify_user_agent(user_agent[:512])
        row = (target.program_id, target.link_id, token, datetime.fromtimestamp(clicked_at, UTC), visitor,
               referrer[:500], device, is_bot, False, content_id)  # is_unique is decided when written
        if settings.CHORUS_CLICK_FLUSH_SECONDS <= 0:  # synchronous mode (tests, tiny installs)
            self._write([row])
            return
        with self._lock:
            self._pending.append(row)
        if self._pid != os.getpid() or not self._thread.is_alive():
            self._start_flusher()

    def _start_flusher(self) -> None:
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name="chorus-click-flusher", daemon=False)
            self._thread.start()
            self._pid = os.getpid()

    def _after_fork_in_child(self) -> None:
        """A forked process starts with its own lock, no flusher and nothing buffered
        (the parent writes what it had buffered)."""
        self._lock = threading.Lock()
        self._pending = []
        self._thread = None
        self._pid = None

    def _run(self) -> None:
        main = threading.main_thread()
        while main.is_alive():
            main.join(settings.CHORUS_CLICK_FLUSH_SECONDS)  # sleeps; wakes at once when the process exits
            self._flush_logged()
        for _attempt in range(self.EXIT_ATTEMPTS):  # exiting: write what is left, retrying briefly
            if self._flush_logged() and not self.pending():
                break
            time.sleep(0.5)
        left = self.pending()
        if left:
            logger.error("exiting with %d click(s) not written", left)
        connection.close()

    def _flush_logged(self) -> bool:
        try:
            self.flush()
            return True
        except Exception:
            logger.exception("click flush failed; will retry")
            return False
        finally:
            close_old_connections()

    def flush(self) -> int:
        """Write every buffered click now; returns how many were written."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        try:
            self._write(batch)
        except Exception:
            with self._lock:  # keep them for the next attempt
                self._pending = batch + self._pending
            raise
        return len(batch)

    def _write(self, rows: list[tuple]) -> None:
        adapt = connection.ops.adapt_datetimefield_value
        # 100 rows a statement: within every backend's parameter limit, and short enough for
        # psycopg to cache the parsed statement (huge statements are slower per row)
        size = max(1, min(self.ROWS_PER_STATEMENT, connection.ops.bulk_batch_size(self._COLUMNS, rows)))
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            rows = _mark_unique(cursor, rows)
            for start in range(0, len(rows), size):
                chunk = rows[start : start + size]
                params = [value for row in chunk for value in (*row[:3], adapt(row[3]), *row[4:])]
                cursor.execute(_insert_sql(connection.vendor, len(chunk)), params)
            # the dashboard's rollups, in the same transaction: one grouped upsert per flush
            rollups.clicks_written([(row[0], row[5], row[3], row[7], row[8]) for row in rows])

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)


def _mark_unique(cursor, rows: list[tuple]) -> list[tuple]:
    """Set is_unique: a human click with no click of the same visitor on the same link in the
    hour before it, in the database or earlier in this batch.

    Decided in the writing transaction, so it holds across server processes without a shared
    cache: SQLite's IMMEDIATE transactions already take turns, and on PostgreSQL an advisory
    lock makes concurrent flushes take turns for this one check-and-insert."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_UNIQUE_LOCK_KEY])
    rows = sorted(rows, key=lambda row: row[3])
    window = timedelta(seconds=UNIQUE_WINDOW_SECONDS)
    last_seen: dict[tuple[int, str], datetime] = {}
    visitors = sorted({row[4] for row in rows})
    for start in range(0, len(visitors), 500):
        earlier = Click.objects.filter(
            link_id__in={row[1] for row in rows}, visitor_hash__in=visitors[start : start + 500],
            created_at__gte=rows[0][3] - window, created_at__lte=rows[-1][3],
        ).values_list("link_id", "visitor_hash", "created_at")
        for link_id, visitor, created_at in earlier:
            key = (link_id, visitor)
            last_seen[key] = max(created_at, last_seen.get(key, created_at))
    marked = []
    for row in rows:
        key = (row[1], row[4])
        previous = last_seen.get(key)
        unique = not row[7] and (previous is None or row[3] - previous > window)
        last_seen[key] = row[3] if previous is None else max(previous, row[3])
        marked.append((*row[:8], unique, *row[9:]))
    return marked


_UNIQUE_LOCK_KEY = 0x43686F7275730001  # "Chorus" + 1: serialises click flushes on PostgreSQL


@lru_cache(maxsize=64)
def _insert_sql(vendor: str, rows: int) -> str:
    """`INSERT ... VALUES (...), (...) ON CONFLICT DO NOTHING` for `rows` clicks, as bulk_create
    with ignore_conflicts writes it (one statement per batch)."""
    fields = [Click._meta.get_field(name) for name in ClickRecorder._COLUMNS]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * rows)
    insert = connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)
    suffix = connection.ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    return f"{insert} {quote(Click._meta.db_table)} ({columns}) VALUES {values} {suffix}".strip()


recorder = ClickRecorder()
os.register_at_fork(after_in_child=recorder._after_fork_in_child)


def flush_clicks() -> int:
    return recorder.flush()


@atexit.register
def _flush_at_exit() -> None:
    try:
        if recorder.pending():
            recorder.flush()
            connection.close()
    except Exception:
        logger.exception("could not flush clicks at exit")
