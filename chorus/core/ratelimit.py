"""Fixed-window rate limits on Django's cache (Redis in production)."""

import time

from django.core.cache import cache
from django.utils.translation import gettext as _

from .errors import RateLimited


def hit(bucket: str, limit: int, window_seconds: int = 60) -> None:
    """Count one hit in `bucket`; raise RateLimited once `limit` is passed in the window."""
    window = int(time.time() // window_seconds)
    key = f"rl:{bucket}:{window}"
    if cache.add(key, 1, timeout=window_seconds + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window_seconds + 5)
            count = 1
    if count > limit:
        retry_after = window_seconds - int(time.time() % window_seconds) or 1
        raise RateLimited(_("Too many requests; slow down and try again shortly."), retry_after=retry_after)


def client_ip(request) -> str:
    return client_ip_from_environ(request.META) or "unknown"


def client_ip_from_environ(environ) -> str:
    """The visitor's address: REMOTE_ADDR, or — behind CHORUS_TRUSTED_PROXIES reverse
    proxies — the X-Forwarded-For entry the outermost trusted proxy saw."""
    from django.conf import settings

    proxies = settings.CHORUS_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:64]
    return environ.get("REMOTE_ADDR", "") or ""
