"""The demo's B2B leads: every stage from advocates of B2B accounts, other-channel deals, and a
report where referred deals close faster and more often."""

from chorus.demo.seed import seed_demo
from chorus.referrals.models import Conversion, Lead
from chorus.referrals.services.lead_reports import lead_report
from chorus.rewards.models import Reward


def test_demo_has_leads_in_every_stage_and_a_comparison(db):
    demo = seed_demo(base_url="http://127.0.0.1:8123")
    leads = Lead.objects.filter(program=demo.program)
    referred, others = leads.filter(source="referral"), leads.filter(source="other")
    assert set(referred.values_list("stage", flat=True)) == {"submitted", "qualified", "won", "lost"}
    assert set(others.values_list("stage", flat=True)) == {"submitted", "qualified", "won", "lost"}
    assert (referred.count(), others.count()) == (24, 30)
    assert not referred.filter(advocate__account__isnull=True).exists()
    assert referred.values("advocate").distinct().count() == 8
    won = Conversion.objects.filter(program=demo.program, type="lead_won")
    assert won.count() == 9 and Reward.objects.filter(conversion__in=won, amount=2000).count() == 9
    report = lead_report(demo.program)
    mine, theirs = report.source("referral"), report.source("other")
    assert (mine.won, mine.lost, theirs.won, theirs.lost) == (9, 4, 7, 13)
    assert mine.win_rate > theirs.win_rate  # 69.2 % vs 35.0 %
    assert mine.median_days_to_close < theirs.median_days_to_close
