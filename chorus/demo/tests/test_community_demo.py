"""The demo's content vault and events, seeded on a small program."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.campaigns.content import content_numbers
from chorus.campaigns.models import ContentItem, Event, Invitation
from chorus.demo.community import point_content_at, seed_community
from chorus.referrals.services.clicks import handle_click
from chorus.rewards.models import LedgerEntry
from chorus.testing import factories

pytestmark = pytest.mark.django_db


def test_seed_community(settings, tmp_path, owner, workspace):
    settings.MEDIA_ROOT = tmp_path
    base = "http://127.0.0.1:8123"
    program = factories.make_program(workspace, default_destination=f"{base}/demo/shop/", allowed_destinations=[f"{base}/demo/"])
    advocates = [factories.make_advocate(program) for _ in range(60)]
    for number, advocate in enumerate(advocates):
        handle_click(advocate.link.code, ip=f"198.51.100.{number}", user_agent="Mozilla/5.0 Firefox/120", referrer="")
    now = timezone.now()
    seed_community(program, owner, advocates[0], base_url=base, rng=random.Random(1), now=now)

    assert ContentItem.objects.filter(program=program).count() == 4
    assert sum(numbers.clicks for numbers in content_numbers(program).values()) == 3 + 2 + 1
    dinner, meetup, club = Event.objects.filter(program=program).order_by("pk")
    assert (dinner.invitations.count(), dinner.invitations.filter(rsvp="yes").count()) == (30, 10)
    assert dinner.starts_at > now and meetup.starts_at < now - timedelta(days=19)
    assert meetup.invitations.filter(checked_in_at__isnull=False).count() == 15
    assert LedgerEntry.objects.filter(source_type="campaigns.invitation").count() == 15
    assert club.invitations.filter(rsvp="yes").count() == 9
    assert Invitation.objects.filter(advocate=advocates[0], rsvp="yes").count() == 3

    point_content_at(program, "http://127.0.0.1:9999")
    assert ContentItem.objects.get(program=program, kind="video").destination_url == (
        "http://127.0.0.1:9999/demo/shop/?utm_content=video-90s")
