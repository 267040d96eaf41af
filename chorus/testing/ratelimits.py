"""Helpers for tests of the fixed-window rate limits (chorus.core.ratelimit)."""

import time


def wait_for_a_fresh_window(seconds_needed: int = 15) -> None:
    """Limits count per clock minute: start a test early in one, so the count does not restart midway."""
    left = 60 - time.time() % 60
    if left < seconds_needed:
        time.sleep(left + 0.05)
