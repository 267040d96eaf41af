"""The advocate score: known inputs give known factors, contributions and ranks; weights are checked."""

from datetime import UTC, datetime, timedelta

import pytest

from chorus.core.errors import InvalidInput
from chorus.insights.candidates import candidates
from chorus.insights.models import NpsResponse, ScoreWeights
from chorus.insights.scoring import Inputs, score, update_weights, weights_for

from .conftest import make_customer

NOW = datetime(2026, 6, 1, tzinfo=UTC)
EQUAL = dict.fromkeys(ScoreWeights.FACTORS, 1)


def test_each_factor_from_known_inputs():
    inputs = Inputs(latest_nps=9, health=80, since=NOW - timedelta(days=365), referrals=10,
                    attributes={"followers": "9,999", "posts_per_month": "4", "active_weeks": 12,
                                "verified": "yes", "expert": "no"})

    result = score(inputs, EQUAL, NOW)

    values = {f.key: round(f.value, 4) for f in result.factors}
    assert values == {"nps": 0.9, "health": 0.8, "tenure": 0.4997, "referrals": 1.0, "reach": 0.8,
                      "consistency": 0.75, "authority": 0.5}
    raws = {f.key: f.raw for f in result.factors}
    assert raws["reach"] == 9999 and raws["tenure"] == 12.0 and raws["referrals"] == 10
    assert raws["consistency"] == {"posts_per_month": 4.0, "active_weeks": 12.0}
    # equal weights: the score is the mean of the factors, and contributions add up to it
    assert result.total == round(100 * sum(values.values()) / 7, 1) == 75.0
    assert abs(sum(f.contribution for f in result.factors) - result.total) < 0.1 * len(result.factors) / 2  # rounding


def test_weights_decide_what_counts_and_missing_data_counts_zero():
    only_nps = {**dict.fromkeys(ScoreWeights.FACTORS, 0), "nps": 3}

    assert score(Inputs(latest_nps=7), only_nps, NOW).total == 70.0
    assert score(Inputs(), EQUAL, NOW).total == 0.0
    followers = score(Inputs(attributes={"followers_x": "1.2k", "followers_linkedin": 800}), EQUAL, NOW)
    reach = next(f for f in followers.factors if f.key == "reach")
    assert (reach.raw, round(reach.value, 4)) == (2000, 0.6602)  # log10(2001) / 5
    authority = next(f for f in score(Inputs(attributes={"authority": 90, "verified": "no"}), EQUAL, NOW).factors
                     if f.key == "authority")
    assert authority.value == 0.9


def test_weights_are_validated_and_nothing_changes_on_bad_input(program, owner):
    weights = weights_for(program)
    before = weights.as_dict()

    for bad in ({**before, "nps": -1}, {**before, "reach": "lots"}, dict.fromkeys(ScoreWeights.FACTORS, 0),
                {**before, "health": 1001}):
        with pytest.raises(InvalidInput):
            update_weights(program, bad, user=owner)
    assert weights_for(program).as_dict() == before

    update_weights(program, {**before, "nps": 50, "authority": 0}, user=owner)
    assert weights_for(program).as_dict() == {**before, "nps": 50, "authority": 0}


def test_promoters_rank_first_with_their_nominations_beside(program, owner, advocate):
    from chorus.insights.nominations import nominate

    update_weights(program, {**dict.fromkeys(ScoreWeights.FACTORS, 0), "nps": 1, "reach": 1})
    fan = make_customer(program, email="fan@example.com", name="Fan", attributes={"followers": 100_000})
    meh = make_customer(program, email="meh@example.com", name="Meh", plan="pro")
    make_customer(program, email="jane@example.com", name="Jane Customer")  # the advocate's customer row
    for who, value in ((fan, 10), (meh, 6)):
        NpsResponse.objects.create(program=program, customer=who, email_normalized=who.email_normalized, score=value,
                                   category="promoter" if value > 8 else "detractor", source="api", responded_at=NOW)
    nominate(program, owner, person_key=f"c{meh.pk}", reason="Loves our API")

    ranked = candidates(program, now=NOW)

    assert [(c.name, c.score.total, c.is_advocate) for c in ranked] == [
        ("Fan", 100.0, False), ("Meh", 30.0, False), ("Jane Customer", 0.0, True)]
    assert [n.reason for n in ranked[1].nominations] == ["Loves our API"]
    assert [c.name for c in candidates(program, not_advocates=True, now=NOW)] == ["Fan", "Meh"]
    assert [c.name for c in candidates(program, nominated_only=True, now=NOW)] == ["Meh"]
    assert [c.name for c in candidates(program, plan="pro", now=NOW)] == ["Meh"]
