"""The demo's rewards catalog: a gift card pool, a team reward and redemptions in every state."""

from chorus.demo.seed import seed_demo
from chorus.rewards import points
from chorus.rewards.models import PoolCode, Redemption


def test_demo_has_redemptions_to_look_at(db):
    demo = seed_demo(base_url="http://127.0.0.1:8123")
    found = Redemption.objects.filter(program=demo.program)
    assert set(found.values_list("status", flat=True)) == {"requested", "approved", "fulfilled", "rejected", "cancelled"}
    gifts = list(found.filter(item__title="$10 gift card").order_by("pk"))
    assert [(gift.status, gift.code) for gift in gifts][:1] == [("fulfilled", "ACME-GIFT-0001")]
    assert PoolCode.objects.filter(item=gifts[0].item, redemption__isnull=True).count() == 20 - len(gifts)
    assert found.filter(account__isnull=False, item__recipient="account").count() == 1
    assert found.exclude(cause="").get().status == "fulfilled"
    for redemption in found:
        assert points.balance(redemption.advocate) >= 0
