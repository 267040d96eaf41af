"""The click: resolve a code, record the visit, and say where to send the browser.

This is the hottest path in Chorus, so it avoids the ORM on the way in: link lookups are
cached in-process for a few seconds, and clicks are written in batches by a flusher
thread (every CHORUS_CLICK_FLUSH_SECONDS, and at exit). Attribution never depends on the
row: the click id handed to the merchant is a signed token carrying link, program and time.
"""

import atexit
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection

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
class ClickOutcome:
    """What to answer: a redirect `location`, or a page (`status` 200 friend page, 404, 410)."""

    status: int
    location: str = ""
    token: str = ""
    target: LinkTarget | None = None


_link_cache: dict[str, tuple[float, LinkTarget | None]] = {}


def _load_target(code: str) -> LinkTarget | None:
    if "/" in code:
        slug, _, vanity = code.partition("/")
        query = ReferralLink.objects.filter(program__slug=slug, vanity_code=vanity.lower())
    else:
        query = ReferralLink.objects.filter(code=code.lower())
    row = query.values(
        "pk", "program_id", "destination", "is_active", "expires_at", "program__is_active",
        "program__default_destination", "program__show_friend_page", "advocate__status",
    ).first()
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
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "chorus_click"]
    query.append(("chorus_click", token))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def handle_click(code: str, *, ip: str, user_agent: str, referrer: str) -> ClickOutcome:
    """Resolve `code` (random code, or "slug/vanity"), record the click, decide the answer."""
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
    click_id = new_click_id(target.link_id, target.program_id)
    token = click_id.token
    try:
        recorder.record(target, token, click_id.clicked_at, ip=ip, user_agent=user_agent, referrer=referrer)
    except Exception:  # tracking trouble never breaks the redirect
        logger.exception("could not record a click on link %s", target.link_id)
    if target.show_friend_page:
        return ClickOutcome(status=200, token=token, target=target)
    return ClickOutcome(status=302, location=append_click_id(target.destination, token), token=token, target=target)


class ClickRecorder:
    """Buffers click rows and writes them with one INSERT per batch."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending: list[Click] = []
        self._thread: threading.Thread | None = None
        self._pid = None

    def record(self, target: LinkTarget, token: str, clicked_at: int, *, ip: str, user_agent: str, referrer: str) -> None:
        visitor = visitor_hash(ip, user_agent)
        device, is_bot = classify_user_agent(user_agent[:512])
        unique = cache.add(f"uclick:{target.link_id}:{visitor}", 1, timeout=UNIQUE_WINDOW_SECONDS)
        click = Click(
            program_id=target.program_id, link_id=target.link_id, token=token,
            created_at=datetime.fromtimestamp(clicked_at, UTC), visitor_hash=visitor,
            referrer=referrer[:500], device=device, is_bot=is_bot, is_unique=unique and not is_bot,
        )
        if settings.CHORUS_CLICK_FLUSH_SECONDS <= 0:  # synchronous mode (tests, tiny installs)
            Click.objects.bulk_create([click], ignore_conflicts=True)
            return
        with self._lock:
            self._pending.append(click)
        self._ensure_flusher()

    def _ensure_flusher(self) -> None:
        import os

        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="chorus-click-flusher", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(settings.CHORUS_CLICK_FLUSH_SECONDS)
            try:
                self.flush()
            except Exception:
                logger.exception("click flush failed; will retry")
            finally:
                close_old_connections()

    def flush(self) -> int:
        """Write every buffered click now; returns how many were written."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        try:
            Click.objects.bulk_create(batch, batch_size=500, ignore_conflicts=True)
        except Exception:
            with self._lock:  # keep them for the next attempt
                self._pending = batch + self._pending
            raise
        return len(batch)

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)


recorder = ClickRecorder()


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
