import pytest

from .receiver import Receiver


@pytest.fixture
def receiver(settings):
    """A local HTTP receiver, with 127.0.0.1 allow-listed for it (and a short client timeout)."""
    settings.CHORUS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.CHORUS_WEBHOOK_TIMEOUT_SECONDS = 1
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _forget_cached_subscriptions():
    """The subscribed-types cache outlives a test's rolled-back endpoints: forget it after each test."""
    yield
    from chorus.integrations.webhooks_out.events import forget_all_subscriptions

    forget_all_subscriptions()
