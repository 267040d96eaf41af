from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from chorus.core.models import IdempotencyRecord
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.rewards.models import Reward
from chorus.testing import factories


def test_maintenance_releases_rewards_past_their_hold_and_prunes_old_keys(program, advocate):
    factories.make_rule(program, event="first_purchase", kind="points", amount=500)
    record_conversion(program, ConversionInput(type="signup", customer_external_id="f", email="f@example.org",
                                               promo_code=advocate.link.promo_code))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="f", amount=100, order_id="o1"))
    assert Reward.objects.get().status == "pending"
    Reward.objects.update(hold_until=timezone.now() - timedelta(minutes=1))  # the hold has passed
    recent = IdempotencyRecord.objects.create(program=program, key="new", fingerprint="x")
    stale = IdempotencyRecord.objects.create(program=program, key="old", fingerprint="x")
    IdempotencyRecord.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=25))
    out = StringIO()
    call_command("maintenance", stdout=out)
    assert out.getvalue().strip() == ("released 1 reward(s); pruned 1 idempotency record(s); sent 0 ask reminder(s); "
                                      "decided 0 A/B test(s); health scores queued for 1 program(s); "
                                      "sent 1 weekly summary email(s); 0 webhook deliveries queued")
    assert Reward.objects.get().status == "issued"
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [recent.pk]
