"""Personas: each attribute and behaviour rule on a small cast, counts and samples, validation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.advocates.models import Account, Advocate, Customer
from chorus.campaigns.models import Ask, Completion
from chorus.core.errors import Conflict, InvalidInput
from chorus.insights.models import NpsResponse
from chorus.programs import personas
from chorus.programs.models import Persona
from chorus.referrals.models import Referral
from chorus.referrals.services.conversions import ConversionInput, record_conversions
from chorus.rewards.models import LedgerEntry, LevelReached
from chorus.testing import factories


def refer(program, advocate, count, prefix):
    results = record_conversions(program, [
        ConversionInput(type="signup", customer_external_id=f"{prefix}{n}", email=f"{prefix}{n}@example.org",
                        occurred_at=timezone.now(), referral_code=advocate.link.code) for n in range(count)])
    assert all(not isinstance(result, Exception) for result in results), results
    return Referral.objects.filter(advocate=advocate)


def nps(program, advocate, score, days_ago):
    NpsResponse.objects.create(program=program, advocate=advocate, score=score, source="api",
                               category="promoter" if score >= 9 else "passive" if score >= 7 else "detractor",
                               responded_at=timezone.now() - timedelta(days=days_ago))


@pytest.fixture
def cast(program):
    """Ann: German, Acme account, Enterprise customer (industry fintech), 2 referrals kept and 1
    denied, an ask done 5 days ago, 1200 points, second level, latest NPS 10 (3 before).
    Ben: English, no account, 1 referral made 40 days ago, 100 points, latest NPS 6 (10 before).
    Dan: German, Acme account, nothing else. Cat: German but disabled (never matches)."""
    now = timezone.now()
    acme = Account.objects.create(program=program, name="Acme")
    ann = factories.make_advocate(program, email="ann@example.com", name="Ann", language="de", account=acme)
    ben = factories.make_advocate(program, email="ben@example.com", name="Ben", language="en")
    factories.make_advocate(program, email="dan@example.com", name="Dan", language="de", account=acme)
    factories.make_advocate(program, email="cat@example.com", name="Cat", language="de",
                            status=Advocate.Status.DISABLED)
    Customer.objects.create(program=program, email="ann@example.com", email_normalized="ann@example.com",
                            plan="Enterprise", attributes={"industry": "fintech"}, first_seen_at=now)
    Customer.objects.create(program=program, email="ben@example.com", email_normalized="ben@example.com",
                            plan="Starter", attributes={"industry": "retail"}, first_seen_at=now)
    refer(program, ann, 3, "a").filter(customer__external_id="a2").update(review=Referral.Review.DENIED)
    refer(program, ben, 1, "b").update(created_at=now - timedelta(days=40))
    Referral.objects.filter(advocate=ann).update(created_at=now - timedelta(days=45))
    completion = Completion.objects.create(ask=Ask.objects.filter(program=program).first(), advocate=ann)
    Completion.objects.filter(pk=completion.pk).update(created_at=now - timedelta(days=5))
    for advocate, amount in ((ann, 1200), (ben, 100)):
        LedgerEntry.objects.create(program=program, advocate=advocate, unit="points", amount=amount,
                                   reason=LedgerEntry.Reason.ADJUSTMENT)
    LedgerEntry.objects.create(program=program, advocate=ann, unit="points", amount=-1000,
                               reason=LedgerEntry.Reason.REDEMPTION)  # spending does not lower points earned
    levels = list(program.levels.order_by("rank"))
    LevelReached.objects.create(program=program, advocate=ann, level=levels[2], reached_at=now)
    nps(program, ann, 3, days_ago=30)
    nps(program, ann, 10, days_ago=2)
    nps(program, ben, 10, days_ago=30)
    nps(program, ben, 6, days_ago=2)
    return {"levels": levels}


def names(program, **rules):
    persona = personas.save_persona(program, name=f"P{Persona.objects.count()}", **rules)
    return {advocate.name for advocate in personas.matching_advocates(persona)}


@pytest.mark.parametrize(("rules", "expected"), [
    ({}, {"Ann", "Ben", "Dan"}),
    ({"languages": ["de"]}, {"Ann", "Dan"}),
    ({"languages": ["en", "ja"]}, {"Ben"}),
    ({"account": "with_account"}, {"Ann", "Dan"}),
    ({"account": "without_account"}, {"Ben"}),
    ({"customer_plan": "enterprise"}, {"Ann"}),
    ({"attribute_key": "industry", "attribute_value": "retail"}, {"Ben"}),
    ({"attribute_key": "industry", "attribute_value": "health"}, set()),
    ({"min_referrals": 1}, {"Ann", "Ben"}),
    ({"min_referrals": 2}, {"Ann"}),  # the denied one does not count
    ({"min_referrals": 3}, set()),
    ({"active_within_days": 30}, {"Ann"}),  # the ask 5 days ago; Ben's referral was 40 days ago
    ({"active_within_days": 41}, {"Ann", "Ben"}),
    ({"min_points_earned": 1000}, {"Ann"}),
    ({"min_points_earned": 100}, {"Ann", "Ben"}),
    ({"nps_promoter": True}, {"Ann"}),  # Ben's latest answer is a 6
    ({"languages": ["de"], "account": "with_account", "min_referrals": 1, "nps_promoter": True}, {"Ann"}),
])
def test_rules_match(program, cast, rules, expected):
    assert names(program, **rules) == expected


def test_level_rule_counts_higher_levels(program, cast):
    levels = cast["levels"]
    assert names(program, min_level=levels[1]) == {"Ann"}
    assert names(program, min_level=levels[2]) == {"Ann"}
    assert names(program, min_level=levels[3]) == set()


def test_summary_counts_and_samples(program, cast):
    persona = personas.save_persona(program, name="German speakers", languages=["DE"])
    summary = personas.summary(persona, sample_size=1)
    assert summary.count == 2 and len(summary.sample) == 1 and summary.sample[0].name in {"Ann", "Dan"}
    assert persona.languages == ["de"]
    assert [(row.persona.name, row.count) for row in personas.personas(program)] == [("German speakers", 2)]


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": " "}, "name"),
    ({"languages": ["german"]}, "languages"),
    ({"attribute_key": "industry"}, "attribute_value"),
    ({"attribute_value": "fintech"}, "attribute_key"),
    ({"attribute_key": "a__b", "attribute_value": "x"}, "attribute_key"),
    ({"min_referrals": -1}, "min_referrals"),
    ({"active_within_days": 0}, "active_within_days"),
    ({"account": "sometimes"}, "account"),
])
def test_validation(program, fields, field):
    with pytest.raises(InvalidInput) as caught:
        personas.save_persona(program, **{"name": "Champions", **fields})
    assert field in caught.value.field_errors
    assert Persona.objects.count() == 0


def test_names_are_unique_per_program(program):
    personas.save_persona(program, name="Champions")
    with pytest.raises(Conflict, match="A persona named “Champions” exists already."):
        personas.save_persona(program, name="Champions")
    assert Persona.objects.count() == 1
