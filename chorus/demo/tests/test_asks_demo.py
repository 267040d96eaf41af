"""The demo's asks: a believable mix for the advocates to look at, the star's in particular."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.campaigns.models import AskOpening, Completion
from chorus.campaigns.services.asks import asks_for_advocate
from chorus.demo.asks import seed_asks
from chorus.rewards import points
from chorus.testing import factories

pytestmark = pytest.mark.django_db


def test_seed_asks_gives_a_mix_of_statuses(program, owner, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    star = factories.make_advocate(program, email="maya.chen@example.com", name="Maya Chen")
    for number in range(12):
        factories.make_advocate(program, email=f"advocate{number}@example.com")
    now = timezone.now()
    seed_asks(program, owner, star, now)
    statuses = set(Completion.objects.filter(ask__program=program).values_list("status", flat=True))
    assert statuses == {"pending", "approved", "rejected"}
    mine = {c.ask.type: c for c in Completion.objects.filter(advocate=star).select_related("ask")}
    assert (mine["review"].status, mine["review"].evidence_content_type) == ("pending", "image/png")
    assert mine["social_share"].status == "rejected" and mine["social_share"].rejection_reason
    assert mine["survey"].status == mine["quiz"].status == mine["social_follow"].status == "approved"
    assert points.balance(star) == 150 + 25 + 50
    assert AskOpening.objects.filter(advocate=star, ask__trigger_event="milestone.reached").count() == 1
    cards = asks_for_advocate(star)
    assert cards[0].ask.title == "Share our v5 launch" and cards[0].ends_at < now + timedelta(days=3)
    assert "100 orders! Tell us how you got there" in {card.ask.title for card in cards}
    assert not Completion.objects.filter(ask__program=program, created_at__gt=now).exists()
