"""The demo seed: the promised volumes, real attribution and rewards, and only once."""

import io
import time
from datetime import timedelta

from django.core.management import call_command
from django.db.models import Count, F, Max, Min
from django.utils import timezone

from chorus.advocates.models import Advocate
from chorus.demo.seed import DEMO_HOLD_DAYS, STAR_EMAIL, seed_demo
from chorus.programs.models import Program
from chorus.referrals.models import Click, Conversion, Referral
from chorus.rewards.models import LedgerEntry, Reward


def _volumes() -> dict:
    return {
        "programs": Program.objects.count(), "advocates": Advocate.objects.count(), "clicks": Click.objects.count(),
        "conversions": Conversion.objects.count(), "referrals": Referral.objects.count(),
        "rewards": Reward.objects.count(), "ledger": LedgerEntry.objects.count(),
    }


def test_seed_builds_a_believable_program_once(db):
    started = time.monotonic()
    demo = seed_demo(base_url="http://127.0.0.1:8123")
    assert time.monotonic() - started < 60
    program = demo.program
    assert demo.created and demo.star.email == STAR_EMAIL and demo.star.program == program
    assert program.default_destination == "http://127.0.0.1:8123/demo/shop/"
    assert {p.slug: (p.kind, p.hold_days) for p in Program.objects.all()} == {
        "acme-analytics": ("customer", DEMO_HOLD_DAYS), "acme-team": ("employee", DEMO_HOLD_DAYS)}
    assert program.reward_rules.count() == 4 and demo.owner.is_superuser  # the standard three and the B2B lead_won rule

    advocates = program.advocates.all()
    assert advocates.count() == 200
    assert set(advocates.values_list("language", flat=True)) == {"en", "ar", "de", "ja", "pl"}
    assert 20 <= advocates.filter(account__isnull=False).count() <= 80
    assert advocates.filter(link__isnull=False).count() == 200

    clicks = Click.objects.filter(program=program)
    assert 4_500 <= clicks.count() <= 5_500
    assert 4_700 <= Click.objects.count() <= 5_300
    assert clicks.filter(is_bot=True).exists() and clicks.filter(is_unique=False, is_bot=False).exists()
    conversions = dict(Conversion.objects.filter(program=program).values_list("type").annotate(n=Count("pk")))
    assert 450 <= conversions["signup"] <= 550
    assert 130 <= conversions["purchase"] <= 175
    assert 5 <= conversions["refund"] <= 15
    span = Conversion.objects.filter(program=program).aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    now = timezone.now()
    assert now - timedelta(days=91) <= span["first"] <= now - timedelta(days=75)
    assert now - timedelta(days=3) <= span["last"] <= now

    referred_purchases = Conversion.objects.filter(program=program, type="purchase", referral__isnull=False)
    assert 130 <= referred_purchases.count() <= 160
    flags = set(Referral.objects.filter(program=program).exclude(flag="").values_list("flag", flat=True))
    assert flags == {"self_referral", "existing_customer", "duplicate_friend"}
    assert Referral.objects.filter(program=program, review="flagged").count() >= 6
    assert Referral.objects.filter(program=program, review__in=["approved", "denied"]).count() == 2
    assert Referral.objects.filter(program=program, reason="promo_code").exists()

    statuses = set(Reward.objects.filter(program=program).values_list("status", flat=True))
    assert statuses == {"pending", "issued", "denied", "clawed_back"}
    issued_points = Reward.objects.filter(program=program, status="issued", kind="points").count()
    assert issued_points > 50
    assert LedgerEntry.objects.filter(program=program, reason="clawback").exists()
    assert Reward.objects.filter(program=program, status="pending", hold_until__gt=now).exists()
    # Rows keep the time of the event that made them, not the time the seed ran.
    assert Reward.objects.filter(program=program).aggregate(first=Min("created_at"))["first"] < now - timedelta(days=75)
    assert Referral.objects.filter(program=program).aggregate(first=Min("created_at"))["first"] < now - timedelta(days=75)
    assert not Conversion.objects.filter(program=program).exclude(created_at=F("occurred_at")).exists()

    before = _volumes()
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    assert "already exists" in output.getvalue()
    again = seed_demo()
    assert not again.created and again.program == program and again.star == demo.star
    assert _volumes() == before
