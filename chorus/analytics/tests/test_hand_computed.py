"""Every number of attribution, influence, K-factor, cycle time and forecast, worked out by hand.

The dataset is described in `fixture.py`. Advocate ids ascend Ann < Ben < Cat < Dan.
"""

from datetime import date
from fractions import Fraction

import pytest

from chorus.analytics import credits, influence, virality
from chorus.analytics.models import RevenueCredit
from chorus.core.errors import InvalidInput

from . import fixture


@pytest.fixture
def data(workspace):
    return fixture.build(workspace)


MAY = (date(2026, 5, 1), date(2026, 5, 31))


def by_name(data, totals: dict[int, int]) -> dict[str, int]:
    names = {data.ann.pk: "Ann", data.ben.pk: "Ben", data.cat.pk: "Cat", data.dan.pk: "Dan"}
    return {names[advocate_id]: amount for advocate_id, amount in totals.items()}


def test_largest_remainder_by_hand():
    # 10000 × 1/7, 2/7, 4/7 = 1428.57…, 2857.14…, 5714.28… → floors 1428 + 2857 + 5714 = 9999;
    # the one unit left goes to the largest fractional part, .57 (the first) → 1429, 2857, 5714.
    weights = {1: Fraction(1, 4), 2: Fraction(1, 2), 3: Fraction(1)}
    assert credits.largest_remainder(10000, weights) == {1: 1429, 2: 2857, 3: 5714}
    # 100 in three equal parts: 33 each, one left; equal remainders → the lowest key first.
    assert credits.largest_remainder(100, {7: Fraction(1), 3: Fraction(1), 5: Fraction(1)}) == {3: 34, 5: 33, 7: 33}
    # A refund splits the same way, negative.
    assert credits.largest_remainder(-100, {3: Fraction(1), 5: Fraction(1), 7: Fraction(1)}) == {3: -34, 5: -33, 7: -33}


def test_rows_written_at_ingest_follow_the_programs_model(data):
    # The program's model is last touch (the default): friend 1's purchase (o1) is all Ann's,
    # friend 2's (o2) all Ben's, friend 3's (o3) Cat's with the refund of 2000 as −2000, o4 Ann's.
    rows = {(row.conversion.order_id, row.conversion.type): (row.advocate.name, row.amount, row.weight_ppm, row.touches)
            for row in RevenueCredit.objects.select_related("conversion", "advocate")}
    assert rows == {
        ("o1", "purchase"): ("Ann", 10000, 1_000_000, 1),
        ("o2", "purchase"): ("Ben", 999, 1_000_000, 2),
        ("o3", "purchase"): ("Cat", 5000, 1_000_000, 1),
        ("o3", "refund"): ("Cat", -2000, 1_000_000, 1),
        ("o4", "purchase"): ("Ann", 2000, 1_000_000, 1),
    }
    # Rewards still follow the referral's advocate: o1 stays Ann's referral, o2 Ben's.
    assert {row.conversion.referral.advocate.name for row in RevenueCredit.objects.filter(conversion__order_id="o1")} == {"Ann"}


# Per model, May 2026, per advocate (friend 1: o1 = 10000, touches Cat −14 d, Ben −7 d, Ann 0 d;
# friend 2: o2 = 999, touches Ben −21 d, Cat −7 d, Ben 0 d — Ann's click of 15 Apr is outside the
# window, the repeat click of 11:59 is not unique, the bot is left out; o3 = 5000 − 2000 to Cat
# (promo code: one touch); o4 = 2000 to Ann (referral code: one touch)):
#
# last touch:  o1 → Ann 10000; o2 → Ben 999.  Ann 12000, Ben 999, Cat 3000.
# first touch: o1 → Cat 10000; o2 → Ben 999.  Ann 2000, Ben 999, Cat 13000.
# linear:      o1 → 1/3 each = 3333.33…: 3333 × 3 = 9999, one left, equal remainders → lowest id, Ann:
#              Ann 3334, Ben 3333, Cat 3333. o2 → Ben 2 touches, Cat 1: 999 × 2/3 = 666, × 1/3 = 333.
#              Ann 3334 + 2000 = 5334, Ben 3333 + 666 = 3999, Cat 3333 + 333 + 3000 = 6666.
# time decay, half-life 7 days: weight = 2^(−days/7).
#              o1: Cat 2^−2 = 1/4, Ben 2^−1 = 1/2, Ann 2^0 = 1; sum 7/4 → 1/7, 2/7, 4/7 →
#              1428.57, 2857.14, 5714.29 → floors 9999, the unit to the largest remainder (.57, Cat):
#              Cat 1429, Ben 2857, Ann 5714.
#              o2: Ben 2^−3 + 2^0 = 9/8, Cat 2^−1 = 4/8; sum 13/8 → Ben 9/13, Cat 4/13 →
#              999 × 9/13 = 691.62, 999 × 4/13 = 307.38 → floors 998, the unit to Ben: Ben 692, Cat 307.
#              Ann 5714 + 2000 = 7714, Ben 2857 + 692 = 3549, Cat 1429 + 307 + 3000 = 4736.
# Each model hands out 10000 + 999 + 3000 + 2000 = 15999.
EXPECTED = {
    "last_touch": {"Ann": 12000, "Ben": 999, "Cat": 3000},
    "first_touch": {"Ann": 2000, "Ben": 999, "Cat": 13000},
    "linear": {"Ann": 5334, "Ben": 3999, "Cat": 6666},
    "time_decay": {"Ann": 7714, "Ben": 3549, "Cat": 4736},
}


@pytest.mark.parametrize("model", list(EXPECTED))
def test_every_model_splits_as_computed_by_hand(data, model):
    totals = by_name(data, credits.revenue_per_advocate(data.program, *MAY, model=model))
    assert totals == EXPECTED[model]
    assert sum(totals.values()) == 15999


def test_recompute_stores_the_new_model(data):
    program = data.program
    program.credit_model, program.credit_half_life_days = "time_decay", 7
    program.save()
    assert credits.recompute_credits(program, *MAY) == 8  # o1: 3 rows, o2: 2, o3: 2 (purchase, refund), o4: 1
    o1 = {row.advocate.name: (row.amount, row.weight_ppm, row.touches)
          for row in RevenueCredit.objects.filter(conversion__order_id="o1", conversion__type="purchase")}
    # ppm: 1e6 × 1/7, 2/7, 4/7 = 142857.14, 285714.29, 571428.57 → floors 999999, the unit to Ann (.57).
    assert o1 == {"Cat": (1429, 142857, 1), "Ben": (2857, 285714, 1), "Ann": (5714, 571429, 1)}
    assert set(RevenueCredit.objects.values_list("model", flat=True)) == {"time_decay"}
    assert by_name(data, credits.revenue_per_advocate(program, *MAY)) == EXPECTED["time_decay"]
    # Recomputing again changes nothing (the rows are replaced, not added).
    assert credits.recompute_credits(program, *MAY) == 8
    assert RevenueCredit.objects.count() == 8


def test_a_shorter_half_life_moves_credit_to_the_last_touch(data):
    totals = credits.revenue_per_advocate(data.program, *MAY, model="time_decay", half_life_days=1)
    # half-life 1 day: o1 Cat 2^−14, Ben 2^−7, Ann 1 → Ann ≈ 99.2 %; o2 Ben 2^−21 + 1, Cat 2^−7 → Ben ≈ 99.2 %.
    # o1: Cat 10000 × 2^−14 / (2^−14 + 2^−7 + 1) = 0.60, Ben 10000 × 2^−7 / (…) = 77.51, Ann 9921.88 →
    #     floors 0 + 77 + 9921 = 9998, two units to the largest remainders .88 (Ann) and .60 (Cat):
    #     Cat 1, Ben 77, Ann 9922.
    # o2: Ben (2^−21 + 1) / (2^−21 + 1 + 2^−7) × 999 = 991.26, Cat 7.74 → 991 + 7 = 998, the unit to
    #     Cat (.74): Ben 991, Cat 8.
    # Ann 9922 + 2000 = 11922, Ben 77 + 991 = 1068, Cat 1 + 8 + 3000 = 3009.
    assert by_name(data, totals) == {"Ann": 11922, "Ben": 1068, "Cat": 3009}


def test_bad_model_settings_are_refused(data):
    with pytest.raises(InvalidInput) as error:
        credits.revenue_per_advocate(data.program, *MAY, model="u_shaped")
    assert set(error.value.field_errors) == {"model"}
    with pytest.raises(InvalidInput):
        credits.revenue_per_advocate(data.program, *MAY, model="time_decay", half_life_days=-1)
    with pytest.raises(InvalidInput) as error:
        credits.recompute_credits(data.program, date(2026, 5, 31), date(2026, 5, 1))
    assert error.value.message == "The start date must be on or before the end date."
    assert RevenueCredit.objects.count() == 5  # nothing changed


# Influence, May 2026, default weights revenue 40, referrals 25, completions 15, shares 10, engagement 10.
#              revenue (last touch)  referrals  completions  shares  active weeks
#   Ann        12000                 2 (f1, f4) 0 (pending)  0       1 (week of 18 May)
#   Ben          999                 1 (f2)     2            1 (v2)  3 (weeks of 4, 11, 25 May)
#   Cat         3000                 1 (f3)     1            2 (v1, v5) 2 (weeks of 4, 18 May)
# Scaled to the best (× 100 / best):
#   Ann  100        100   0     0     33⅓   → 40 + 25 + 0 + 0 + 3⅓ = 68⅓ (205/3)
#   Ben  8.325      50    100   50    100   → 3.33 + 12.5 + 15 + 5 + 10 = 45.83 (= 4583/100)
#   Cat  25         50    50    100   66⅔   → 10 + 12.5 + 7.5 + 10 + 6⅔ = 46⅔ (140/3)
# Ranking: Ann, Cat, Ben. Dan did nothing: not listed.
def test_influence_by_hand(data):
    result = influence.influence(data.program, *MAY)
    assert [row.advocate.name for row in result.rows] == ["Ann", "Cat", "Ben"]
    assert [row.score for row in result.rows] == [Fraction(205, 3), Fraction(140, 3), Fraction(4583, 100)]
    ann, cat, ben = result.rows
    assert {part: value.value for part, value in ann.parts.items()} == {
        "revenue": 12000, "referrals": 2, "completions": 0, "shares": 0, "engagement": 1}
    assert {part: value.value for part, value in ben.parts.items()} == {
        "revenue": 999, "referrals": 1, "completions": 2, "shares": 1, "engagement": 3}
    assert {part: value.value for part, value in cat.parts.items()} == {
        "revenue": 3000, "referrals": 1, "completions": 1, "shares": 2, "engagement": 2}
    assert ben.parts["revenue"].scaled == Fraction(333, 40) and ben.parts["revenue"].points == Fraction(333, 100)
    assert cat.parts["engagement"].points == Fraction(20, 3)


def test_influence_weights_change_the_ranking(data):
    # Only completions count: Ben 100, Cat 50, Ann 0.
    influence.update_weights(data.program, revenue=0, referrals=0, completions=100, shares=0, engagement=0)
    result = influence.influence(data.program, *MAY)
    assert [(row.advocate.name, row.score) for row in result.rows] == [("Ben", 100), ("Cat", 50), ("Ann", 0)]


@pytest.mark.parametrize("values, field", [
    ({"revenue": -10, "referrals": 50, "completions": 30, "shares": 20, "engagement": 10}, "revenue"),
    ({"revenue": 50, "referrals": 50, "completions": 30, "shares": 0, "engagement": 0}, "__all__"),
    ({"revenue": "x", "referrals": 50, "completions": 30, "shares": 20, "engagement": 0}, "revenue"),
])
def test_bad_weights_are_refused_and_change_nothing(data, values, field):
    with pytest.raises(InvalidInput) as error:
        influence.update_weights(data.program, **values)
    assert field in error.value.field_errors
    assert influence.weights_for(data.program).as_dict() == {
        "revenue": 40, "referrals": 25, "completions": 15, "shares": 10, "engagement": 10}


# K-factor per month (advocates joined by the month's end, Dan from June):
#   March: advocates 3 (Ann, Ben, Cat), invites 0, signups 2 (f5, f6) → K = 2/3;
#          cycle: Cat's first signup 20 Mar 12:00 − joined 1 Mar 00:00 = 19.5 days.
#   April: advocates 3, invites 1 (v2 on Ann's link), signups 3 (f7–f9) → 1 per advocate, 300 %, K = 1;
#          cycle: Ben 10 Apr 12:00 − 1 Feb = 68.5 days.
#   May:   advocates 3, invites 6 (v1 × Cat, Ben, Ann; v2 × Ben, Cat; v5 × Cat — the bot and
#          the repeat click add nothing), signups 4 (f1–f4) → 2 per advocate, 4/6 = 2/3, K = 4/3;
#          cycle: Ann 20 May 12:00 − 10 Jan = 130.5 days (Ann's first; f4 came later).
def test_k_factor_and_cycle_time_by_hand(data):
    rows = virality.monthly(data.program, date(2026, 3, 1), date(2026, 5, 31))
    assert [(row.month, row.advocates, row.invites, row.signups) for row in rows] == [
        (date(2026, 3, 1), 3, 0, 2), (date(2026, 4, 1), 3, 1, 3), (date(2026, 5, 1), 3, 6, 4)]
    assert [row.k_factor for row in rows] == [Fraction(2, 3), Fraction(1), Fraction(4, 3)]
    assert [row.invites_per_advocate for row in rows] == [0, Fraction(1, 3), 2]
    assert [row.conversion_rate for row in rows] == [None, 3, Fraction(2, 3)]
    assert [row.cycle_time_days for row in rows] == [19.5, 68.5, 130.5]
    assert rows[2].sharing_advocates == 3


# Forecast on 15 Jun 2026 from March–May (February, with 0 signups, only for March's growth):
#   baseline B = (2 + 3 + 4) / 3 = 3; growth: March skipped (after 0), April 3/2 − 1 = 1/2,
#   May 4/3 − 1 = 1/3 → g = (1/2 + 1/3) / 2 = 5/12; K = 9 signups / 9 advocate-months = 1.
#   June:   3 × (17/12)   = 17/4                         = 4.25
#   July:   3 × (17/12)^2 = 289/48  + 1 × 17/4  = 493/48   ≈ 10.27
#   August: 3 × (17/12)^3 = 4913/576 + 1 × 493/48 = 10829/576 ≈ 18.80
#   total 17/4 + 493/48 + 10829/576 = 19193/576 ≈ 33.32
def test_forecast_by_hand(data):
    result = virality.forecast(data.program, 3, today=date(2026, 6, 15))
    trailing = result.trailing
    assert (trailing.baseline, trailing.growth, trailing.k_factor) == (3, Fraction(5, 12), 1)
    assert trailing.growth_rates == [Fraction(1, 2), Fraction(1, 3)]
    assert (trailing.invites_per_advocate, trailing.conversion_rate, trailing.advocates) == (
        Fraction(7, 9), Fraction(9, 7), 3)
    assert [(month, total) for month, _seeded, _compounded, total in result.months] == [
        (date(2026, 6, 1), Fraction(17, 4)), (date(2026, 7, 1), Fraction(493, 48)),
        (date(2026, 8, 1), Fraction(10829, 576))]
    assert result.total == Fraction(19193, 576)


# Calculator: 15 Jun → 12 Dec 2026 = 180 days = 6 months; 2 invites per advocate a month,
# 25 % of invites sign up → one advocate brings 6 × 2 × 1/4 = 3 → 120 / 3 = 40 advocates
# (37 more than the 3 active); goal 100 → 33⅓ → 34.
def test_advocates_needed_by_hand():
    answer = virality.advocates_needed(goal=120, deadline=date(2026, 12, 12), today=date(2026, 6, 15),
                                       invites_per_advocate=2, conversion_rate=Fraction(1, 4), current_advocates=3)
    assert (answer.months, answer.customers_per_advocate, answer.needed, answer.missing) == (6, 3, 40, 37)
    answer.goal = 100
    assert answer.needed == 34


@pytest.mark.parametrize("changes, field", [
    ({"goal": 0}, "goal"), ({"deadline": date(2026, 6, 15)}, "deadline"),
    ({"invites_per_advocate": 0}, "invites_per_advocate"), ({"conversion_rate": -1}, "conversion_rate"),
])
def test_calculator_refuses_bad_inputs(changes, field):
    inputs = {"goal": 120, "deadline": date(2026, 12, 12), "today": date(2026, 6, 15), "invites_per_advocate": 2,
              "conversion_rate": Fraction(1, 4), "current_advocates": 3, **changes}
    with pytest.raises(InvalidInput) as error:
        virality.advocates_needed(**inputs)
    assert set(error.value.field_errors) == {field}


def test_reversed_ranges_are_refused(data):
    with pytest.raises(InvalidInput):
        virality.monthly(data.program, date(2026, 5, 1), date(2026, 3, 1))
    with pytest.raises(InvalidInput):
        influence.influence(data.program, date(2026, 5, 31), date(2026, 5, 1))


def test_recompute_command(data):
    from io import StringIO

    from django.core.management import CommandError, call_command

    data.program.credit_model = "linear"
    data.program.save()
    out = StringIO()
    call_command("recompute_credits", "--program", "hand", "--from", "2026-05-01", "--to", "2026-05-31", stdout=out)
    assert out.getvalue() == "hand: 8 credit row(s) written with linear\n"
    assert by_name(data, credits.revenue_per_advocate(data.program, *MAY)) == EXPECTED["linear"]
    with pytest.raises(CommandError, match="The start date must be on or before the end date."):
        call_command("recompute_credits", "--program", "hand", "--from", "2026-05-31", "--to", "2026-05-01")
    assert set(RevenueCredit.objects.values_list("model", flat=True)) == {"linear"}
