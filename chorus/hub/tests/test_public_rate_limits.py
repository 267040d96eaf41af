"""Public pages answer 429 with Retry-After once a visitor passes the limit, before doing anything."""

import pytest

from chorus.notifications.models import Consent, Recipient
from chorus.notifications.tokens import unsubscribe_token
from chorus.testing import factories
from chorus.testing.ratelimits import wait_for_a_fresh_window


@pytest.fixture
def low_limit(settings):
    settings.CHORUS_PUBLIC_RATE_LIMIT_PER_MINUTE = 2
    wait_for_a_fresh_window()
    return 2


def test_unsubscribing_past_the_limit_is_429_and_records_nothing(visitor, program, low_limit):
    url = f"/u/{unsubscribe_token(program.pk, 'friend@example.org')}"
    for _attempt in range(low_limit):
        assert visitor.get(url).status_code == 200

    response = visitor.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert (Consent.objects.count(), Recipient.objects.count()) == (0, 0)


def test_the_limit_is_per_visitor(visitor, client, program, low_limit):
    url = f"/u/{unsubscribe_token(program.pk, 'friend@example.org')}/preferences/"
    for _attempt in range(low_limit):
        visitor.get(url)

    assert visitor.get(url).status_code == 429
    client.defaults["REMOTE_ADDR"] = "198.51.100.7"
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("path", ["/p/{slug}/", "/p/{slug}/wall/", "/p/{slug}/invite/{code}/"])
def test_public_pages_answer_429_with_retry_after(visitor, program, low_limit, path):
    advocate = factories.make_advocate(program, email="jane@example.com")
    from chorus.referrals.services.links import ensure_link

    url = path.format(slug=program.slug, code=ensure_link(advocate).code)
    statuses = [visitor.get(url).status_code for _attempt in range(low_limit + 1)]

    assert statuses[-1] == 429
    assert statuses[:-1] != [429] * low_limit
    assert visitor.get(url)["Retry-After"].isdigit()
