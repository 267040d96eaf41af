"""Every metric of the catalogue, and each kind of breakdown, worked out by hand.

The dataset is described in `metrics_fixture.py` (on top of `fixture.py`). The range is May
2026 unless said. "Advocates of May" are those who had joined by 31 May: Ann, Ben, Cat, Eve,
Hal — five (Dan joins 1 Jun 00:00).
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from chorus.analytics import catalogue, costs
from chorus.analytics.models import AcquisitionCost
from chorus.campaigns.models import Ask
from chorus.core.errors import InvalidInput, NotFound
from chorus.referrals.models import Conversion
from chorus.referrals.services.conversions import ConversionInput, record_conversions
from chorus.rewards.models import LedgerEntry

from .metrics_fixture import build_metrics

MAY = (date(2026, 5, 1), date(2026, 5, 31))


@pytest.fixture
def data(workspace, owner):
    return build_metrics(workspace, owner)


def value(data, key, start=MAY[0], end=MAY[1]):
    return catalogue.value(data.program, key, start, end)


def rows(data, key, by, start=MAY[0], end=MAY[1]):
    return [(row.label, row.value) for row in catalogue.breakdown(data.program, key, start, end, by)]


def test_every_metric_is_checked_here():
    assert {metric.key for metric in catalogue.metrics()} == set(EXPECTED_MAY)


# Whole of May, each worked out below (percentages as floats 0–100, money in cents).
EXPECTED_MAY = {
    # Invitations sent in May: i1, i2, i3, i4 (i5 was suppressed) = 4; joined: i1 (Eve), i4 (Hal) → 2/4 = 50 %.
    "invitations_sent": 4,
    "advocate_conversion": 50.0,
    # Joined in May: Eve (3 May), Hal (22 May).
    "advocates_joined": 2,
    # Approved completions decided in May: Ben (news, refer, share, forum), Cat (news, mention), Eve (review),
    # Ann (UGC) → 4 of 5 advocates = 80 %. (Cat's review was approved 30 Apr; Hal did nothing.)
    "ask_participation": 80.0,
    # Active in May: Ann, Ben, Cat (clicks), Eve (a completion, a redemption); not Hal → 4/5.
    "engagement_rate": 80.0,
    # Referred signups in May: f1, f2, f3, f4, f10 = 5; all but f10 bought by 31 May → 4/5.
    "referred_signups": 5,
    "referred_signup_conversion": 80.0,
    # 10000 (f1) + 999 (f2) + 5000 − 2000 (f3) + 2000 (f4) + 300 (f5's second purchase) = 16299.
    "referred_revenue": 16299,
    # Referred leads submitted in May: L1, L3, L4 (L2 in April, L5 not referred) = 3. Closed in May: L1 won,
    # L2 won, L3 lost → 2/3. Average deal won in May: (50000 + 30000) / 2 = 40000.
    "referred_leads": 3,
    "referred_lead_conversion": 200 / 3,
    "average_referred_deal_value": 40000.0,
    # Friends whose first conversion fell in May: f1, f2, f3, f4, f10 (f5's first was in March).
    "outcome_referrals": 5,
    # Approved in May: reviews Eve (Cat's was 30 Apr, Ben's pending); testimonials Ann (UGC); social shares
    # Ben (share) + Cat (mention; her second was rejected); references Ben (forum answer).
    "outcome_reviews": 1,
    "outcome_testimonials": 1,
    "outcome_social_shares": 2,
    "outcome_references": 1,
    # Repeat purchase — bought in May, with ≥ 2 purchases by 31 May:
    #   advocates: Ann's customer (5 Mar, 12 May) yes, Ben's (20 May) no → 1/2;
    #   referred: f1, f2, f3, f4 once, f5 (25 Mar, 15 May) twice → 1/5;
    #   others: O1 (10 Dec, 8 May) yes, O2, O4 no → 1/3.
    "repeat_purchase_rate_advocates": 50.0,
    "repeat_purchase_rate_referred": 20.0,
    "repeat_purchase_rate_others": 100 / 3,
    # Renewal / upsell — known before 1 May, with a renewal / upsell usage event in May:
    #   advocates: Ann's and Ben's customers; Ann renewed, Ben upgraded → 1/2 each;
    #   referred: f5, f6, f7, f8, f9 (f1–f4, f10 first seen in May); f6 renewed → 1/5; no upsell → 0/5;
    #   others: O1 (Dec), O5 (15 Apr); O1 renewed and bought an upsell → 1/2 each.
    "renewal_rate_advocates": 50.0,
    "renewal_rate_referred": 20.0,
    "renewal_rate_others": 50.0,
    "upsell_rate_advocates": 50.0,
    "upsell_rate_referred": 0.0,
    "upsell_rate_others": 50.0,
    # Redeeming: Eve (Ann's request was rejected) → 1/5. Unsubscribing from all: Ben (Hal only from marketing;
    # Dan had not joined) → 1/5.
    "redeeming_advocates": 20.0,
    "unsubscribing_advocates": 20.0,
    # Costs: no money rewards were written in May (ledger entries are written when issued), so the referral
    # program's cost is the 20000 entered for May (June's 5000 belongs to June). New referred customers:
    # f1, f2, f3, f4, f10 → CAC 20000 / 5 = 4000.
    "acquisition_cost_referral": 20000,
    "new_customers_referred": 5,
    "cac_referral": 4000.0,
    # Other channels in May: Google Ads 30000 + 6000, Trade show 8000, Podcast 4000 = 48000 (Trade show's April
    # 10000 not). New non-referred customers: O2 (4 May), O3 (10 May), O4 (first seen 11 May) → 48000 / 3.
    "acquisition_cost_other": 48000,
    "new_customers_other": 3,
    "cac_other": 16000.0,
    # CLV referred: value = 16299 net in May ÷ 5 buyers (f1–f5) ÷ 1 month = 3259.8; lifespan: f1–f4 one month
    #   each, f5 March–May three → 7/5 = 1.4 → 3259.8 × 1.4 = 4563.72.
    # CLV others: value = (1500 + 800 + 3000 + 4000 + 1000) ÷ 5 buyers = 2060; lifespan: Ann's customer
    #   March–May 3, Ben's 1, O1 December–May 6, O2 1, O4 1 → 12/5 = 2.4 → 2060 × 2.4 = 4944.
    "clv_referred": 4563.72,
    "clv_non_referred": 4944.0,
}


@pytest.mark.parametrize("key", list(EXPECTED_MAY))
def test_may_by_hand(data, key):
    assert value(data, key) == pytest.approx(EXPECTED_MAY[key])


def test_advocate_metrics_per_channel_and_segment(data):
    # Invitations per channel: CSM i1, i2 (i5 suppressed); LinkedIn i3; no channel i4.
    assert rows(data, "invitations_sent", "channel") == [
        ("CSM outreach", 2), ("LinkedIn post", 1), ("Not through a channel", 1)]
    assert rows(data, "advocate_conversion", "channel") == [
        ("CSM outreach", 50.0), ("LinkedIn post", 0.0), ("Not through a channel", 100.0)]
    # Eve joined through CSM; Hal through an invitation without a channel. Languages: Eve pl, Hal none.
    assert rows(data, "advocates_joined", "channel") == [("CSM outreach", 1), ("Not through a channel", 1)]
    assert rows(data, "advocates_joined", "segment") == [("Polish", 1), ("Not set", 1)]
    # Engagement per channel: CSM Eve 1/1, LinkedIn Cat 1/1, none Ann, Ben, Hal → 2/3.
    assert rows(data, "engagement_rate", "channel") == [
        ("CSM outreach", 100.0), ("LinkedIn post", 100.0), ("Not through a channel", pytest.approx(200 / 3))]
    # Per language: de Ann, Ben 2/2; ja Cat 1/1; pl Eve 1/1; none Hal 0/1.
    assert rows(data, "engagement_rate", "segment") == [
        ("German", 100.0), ("Japanese", 100.0), ("Polish", 100.0), ("Not set", 0.0)]
    # Redeeming: Eve (pl) only. Unsubscribing: Ben (de) → 1/2.
    assert rows(data, "redeeming_advocates", "segment") == [
        ("German", 0.0), ("Japanese", 0.0), ("Polish", 100.0), ("Not set", 0.0)]
    assert rows(data, "unsubscribing_advocates", "segment") == [
        ("German", 50.0), ("Japanese", 0.0), ("Polish", 0.0), ("Not set", 0.0)]


def test_participation_per_ask(data):
    # Of the 5 advocates of May: news Ben + Cat = 2 (40 %); each other ask one advocate (20 %).
    by_type = {Ask.objects.get(pk=int(row.key)).type: row.value
               for row in catalogue.breakdown(data.program, "ask_participation", *MAY, "ask")}
    assert by_type == {"news": 40.0, "refer_friend": 20.0, "review": 20.0, "ugc": 20.0, "social_share": 20.0,
                       "social_mention": 20.0, "forum_answer": 20.0}
    shares = {Ask.objects.get(pk=int(row.key)).type: row.value
              for row in catalogue.breakdown(data.program, "outcome_social_shares", *MAY, "ask")}
    assert shares == {"social_share": 1, "social_mention": 1}
    assert rows(data, "outcome_social_shares", "segment") == [("German", 1), ("Japanese", 1)]


def test_referral_metrics_per_channel_and_segment(data):
    # f1 came through a click from facebook.com, f2 a click without a Referer (direct), f3, f4, f10 through codes.
    assert rows(data, "referred_signups", "channel") == [
        ("Direct or app", 1), ("Facebook", 1), ("No click (code, name or lead)", 3)]
    assert rows(data, "referred_signup_conversion", "channel") == [
        ("Direct or app", 100.0), ("Facebook", 100.0), ("No click (code, name or lead)", pytest.approx(200 / 3))]
    # Revenue: facebook 10000 (f1), direct 999 (f2), codes 5000 − 2000 + 2000 + 300 = 5300.
    assert rows(data, "referred_revenue", "channel") == [
        ("Direct or app", 999), ("Facebook", 10000), ("No click (code, name or lead)", 5300)]
    # Per referring advocate's language: de (Ann f1, f4, f10; Ben f2) 10000 + 999 + 2000 = 12999; ja (Cat) 3300.
    assert rows(data, "referred_revenue", "segment") == [("German", 12999), ("Japanese", 3300)]
    assert rows(data, "referred_signup_conversion", "segment") == [("German", 75.0), ("Japanese", 100.0)]
    assert rows(data, "outcome_referrals", "segment") == [("German", 4), ("Japanese", 1)]
    # Leads: closed in May de L1, L2 won; ja L3 lost.
    assert rows(data, "referred_lead_conversion", "segment") == [("German", 100.0), ("Japanese", 0.0)]
    assert rows(data, "average_referred_deal_value", "segment") == [("German", 40000.0)]
    assert rows(data, "referred_leads", "segment") == [("German", 1), ("Japanese", 1), ("Polish", 1)]


def test_costs_per_channel(data):
    # Names matched ignoring case and spaces; shown as first typed. Podcast has costs but no customers;
    # O4 has no channel (no costs → CAC 0).
    assert rows(data, "acquisition_cost_other", "channel") == [
        ("Google Ads", 36000), ("Podcast", 4000), ("Trade show", 8000)]
    assert rows(data, "new_customers_other", "channel") == [("Google Ads", 1), ("Trade show", 1),
                                                            ("No channel given", 1)]
    assert rows(data, "cac_other", "channel") == [
        ("Google Ads", 36000.0), ("Podcast", None), ("Trade show", 8000.0), ("No channel given", 0.0)]


def test_month_and_program_breakdowns(data):
    # Referred signups: March f5, f6; April f7–f9; May f1–f4, f10.
    assert rows(data, "referred_signups", "month", date(2026, 3, 1), date(2026, 5, 31)) == [
        ("2026-03", 2), ("2026-04", 3), ("2026-05", 5)]
    # Joined: Ann Jan, Ben Feb, Cat Mar, Eve and Hal May, Dan Jun.
    assert rows(data, "advocates_joined", "month", date(2026, 1, 1), date(2026, 6, 30)) == [
        ("2026-01", 1), ("2026-02", 1), ("2026-03", 1), ("2026-04", 0), ("2026-05", 2), ("2026-06", 1)]
    # Entered referral-program costs: May 20000, June 5000 ("Referral Program" is the same channel).
    assert rows(data, "acquisition_cost_referral", "month", date(2026, 5, 1), date(2026, 6, 30)) == [
        ("2026-05", 20000), ("2026-06", 5000)]
    assert rows(data, "engagement_rate", "program") == [("Hand computed", 80.0)]


def test_clv_over_two_months(data):
    # April–May, referred: no purchase in April, so the same 16299 from 5 buyers, now over 2 months → 1629.9 a
    # month; lifespan as in May (7/5) → 2281.86.
    assert value(data, "clv_referred", date(2026, 4, 1), date(2026, 5, 31)) == pytest.approx(2281.86)
    # Nothing bought in April alone → no value to multiply.
    assert value(data, "clv_referred", date(2026, 4, 1), date(2026, 4, 30)) is None


def test_reward_costs_come_from_the_ledger(data):
    # Ledger entries are written now: this month, Ann is issued 15.00 credit, 5.00 of it clawed back, and
    # 300 points (no money value: not counted); 10.00 entered for the referral program this month; one friend
    # signs up with Ann's code now → (1500 − 500 + 1000) ÷ 1 = 2000.
    today = timezone.localdate()
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    for unit, amount, reason in (("credit", 1500, "reward"), ("credit", -500, "clawback"), ("points", 300, "reward")):
        LedgerEntry.objects.create(program=data.program, advocate=data.ann, unit=unit, amount=amount, reason=reason,
                                   currency="USD" if unit == "credit" else "")
    costs.add_cost(data.program, month=today, channel="Referral program", category="software", amount=1000)
    record_conversions(data.program, [ConversionInput(type="signup", customer_external_id="now1",
                                                      email="now1@example.org", occurred_at=timezone.now(),
                                                      referral_code=data.ann.link.code)])
    assert Conversion.objects.get(customer__external_id="now1").referral.advocate == data.ann
    assert value(data, "acquisition_cost_referral", first, last) == 2000
    assert value(data, "new_customers_referred", first, last) == 1
    assert value(data, "cac_referral", first, last) == 2000.0


def test_adding_and_deleting_costs(data, owner):
    with pytest.raises(InvalidInput) as error:
        costs.add_cost(data.program, month=date(2026, 5, 1), channel=" ", category="nope", amount=0)
    assert set(error.value.field_errors) == {"channel", "category", "amount"}
    assert AcquisitionCost.objects.count() == 7  # nothing added
    cost = costs.add_cost(data.program, month=date(2026, 7, 19), channel="  Trade   show ", category="events",
                          amount=2500, note=" booth ", user=owner)
    assert (cost.month, cost.channel, cost.note, cost.created_by) == (date(2026, 7, 1), "Trade show", "booth", owner)
    assert value(data, "acquisition_cost_other", date(2026, 7, 1), date(2026, 7, 31)) == 2500
    costs.delete_cost(data.program, cost.pk, user=owner)
    assert value(data, "acquisition_cost_other", date(2026, 7, 1), date(2026, 7, 31)) == 0
    with pytest.raises(NotFound):
        costs.delete_cost(data.program, cost.pk)


def test_bad_requests_are_refused(data):
    with pytest.raises(InvalidInput) as error:
        catalogue.value(data.program, "no_such_metric", *MAY)
    assert set(error.value.field_errors) == {"metric"}
    with pytest.raises(InvalidInput) as error:
        catalogue.breakdown(data.program, "cac_referral", *MAY, "channel")
    assert set(error.value.field_errors) == {"by"}
    with pytest.raises(InvalidInput):
        catalogue.value(data.program, "engagement_rate", MAY[1], MAY[0])


def test_an_empty_program_has_nothing_to_divide(workspace):
    from chorus.testing import factories
    program = factories.make_program(workspace, name="Empty", slug="empty")
    values = {metric.key: catalogue.value(program, metric.key, *MAY) for metric in catalogue.metrics()}
    assert values["engagement_rate"] is None and values["cac_referral"] is None and values["clv_referred"] is None
    assert values["referred_signups"] == 0 and values["referred_revenue"] == 0 and values["acquisition_cost_other"] == 0


def test_grouped_month_breakdowns_match_month_by_month(data):
    # Counts and sums group by month in one query; each month must equal the metric over that month alone
    # (14 Dec 2025 – 10 Jun 2026: the first and last months clipped).
    start, end = date(2025, 12, 14), date(2026, 6, 10)
    grouped = [metric for metric in catalogue.metrics() if "month" in metric.breakdown_functions]
    assert len(grouped) == 12
    for metric in grouped:
        expected = [(first.strftime("%Y-%m"), metric.compute(data.program, first, last))
                    for first, last in catalogue.months(start, end)]
        assert rows(data, metric.key, "month", start, end) == expected, metric.key
    # By hand: outcomes approved per month — reviews Cat 30 Apr, Eve 20 May.
    assert rows(data, "outcome_reviews", "month", date(2026, 4, 1), date(2026, 5, 31)) == [
        ("2026-04", 1), ("2026-05", 1)]
