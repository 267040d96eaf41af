"""The demo's acquisition costs: the metrics page has CAC for the referral program and the other
channels (the prospects' channel column) to show."""

from datetime import timedelta

from django.utils import timezone

from chorus.analytics import catalogue
from chorus.analytics.models import AcquisitionCost
from chorus.demo.costs import MONTHLY
from chorus.demo.seed import seed_demo


def test_demo_costs_give_cac_for_both_sides(db):
    demo = seed_demo(base_url="http://127.0.0.1:8123")
    costs = AcquisitionCost.objects.filter(program=demo.program)
    assert costs.count() == 6 * len(MONTHLY)
    today = timezone.localdate()
    this_month = today.replace(day=1)
    # This month: referral program 250.00 + 400.00 entered, Google Ads 1,800.00, Trade show 2,500.00, Webinar 600.00.
    assert catalogue.value(demo.program, "acquisition_cost_other", this_month, today) == 1_800_00 + 2_500_00 + 600_00
    assert catalogue.value(demo.program, "acquisition_cost_referral", this_month, today) >= 650_00
    start = (this_month - timedelta(days=1)).replace(day=1) - timedelta(days=150)
    per_channel = {row.label: row.value for row in catalogue.breakdown(demo.program, "new_customers_other", start, today,
                                                                       "channel")}
    assert {"Google Ads", "Trade show", "Webinar"} <= set(per_channel)
    assert catalogue.value(demo.program, "cac_referral", start, today) is not None
    assert catalogue.value(demo.program, "cac_other", start, today) is not None
