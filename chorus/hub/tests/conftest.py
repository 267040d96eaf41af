import pytest
from django.core.cache import cache
from django.utils import translation

from chorus.referrals.services.clicks import forget_cached_links

BROWSER_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _fresh_state():
    """Rate-limit counters, unique-click keys and cached links start empty in every test,
    and the language a request activated does not leak into the next test."""
    cache.clear()
    forget_cached_links()
    yield
    cache.clear()
    forget_cached_links()
    translation.deactivate()


@pytest.fixture
def visitor(client):
    """The test client dressed as an ordinary desktop visitor."""
    client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    client.defaults["REMOTE_ADDR"] = "203.0.113.10"
    return client
