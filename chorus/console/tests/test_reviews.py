"""The review queue: flagged referrals approved or denied with a note, audited."""

import pytest
from django.urls import reverse

from chorus.core.models import AuditEvent
from chorus.referrals.models import Referral
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.rewards.models import LedgerEntry, Reward, RewardRule, Side
from chorus.rewards.services import balance
from chorus.testing import factories


@pytest.fixture
def flagged(program, advocate):
    """Jane signs herself up with her own promo code: a self-referral, its two rewards held."""
    factories.make_rule(program, name="100 points per signup", event=RewardRule.Event.SIGNUP, amount=100)
    factories.make_rule(program, name="Welcome discount", side=Side.FRIEND, event=RewardRule.Event.SIGNUP,
                        kind=RewardRule.Kind.COUPON, amount=1500)
    result = record_conversion(program, ConversionInput(type="signup", email="Jane@Example.com", name="Jane D.",
                                                        promo_code=advocate.link.promo_code))
    referral = result.conversion.referral
    assert referral.review == Referral.Review.FLAGGED and referral.flag == Referral.Flag.SELF_REFERRAL
    assert sorted(Reward.objects.filter(referral=referral).values_list("status", flat=True)) == ["pending", "pending"]
    return referral


def decide(client, program, referral, decision, note="", **headers):
    return client.post(reverse("console:review_decide", args=[program.slug, referral.pk]),
                       {"decision": decision, "note": note}, **headers)


def test_queue_lists_flagged_referrals(owner_client, program, flagged):
    response = owner_client.get(reverse("console:reviews", args=[program.slug]))
    assert response.status_code == 200
    assert [r.pk for r in response.context["page"].object_list] == [flagged.pk]
    page = response.content.decode()
    for text in ("The friend is the advocate", "Jane Doe", "Jane D.", "Used the advocate&#x27;s promo code",
                 "Signup", "100 points", "15.00 USD", 'name="decision" value="approve"'):
        assert text in page, text
    assert response.context["flagged_count"] == 1


def test_approve_with_htmx_releases_the_rewards(owner_client, owner, program, advocate, flagged):
    response = decide(owner_client, program, flagged, "approve", "Her second account, allowed", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "console/_review_item.html"
    body = response.content.decode()
    assert f'id="referral-{flagged.pk}"' in body and "Approved after review" in body and "Her second account, allowed" in body
    assert 'name="decision"' not in body
    flagged.refresh_from_db()
    assert (flagged.review, flagged.reviewed_by, flagged.review_note) == ("approved", owner, "Her second account, allowed")
    assert sorted(Reward.objects.filter(referral=flagged).values_list("status", flat=True)) == ["issued", "issued"]
    assert balance(advocate, "points") == 100
    event = AuditEvent.objects.get(action="referral.approved")
    assert (event.actor, event.target_id, event.note, event.workspace) == (owner, str(flagged.pk), "Her second account, allowed", program.workspace)


def test_deny_denies_the_rewards(owner_client, owner, program, advocate, flagged):
    response = decide(owner_client, program, flagged, "deny", "Self-referral")
    assert response.status_code == 302 and response["Location"] == reverse("console:reviews", args=[program.slug])
    assert sorted(Reward.objects.filter(referral=flagged).values_list("status", flat=True)) == ["denied", "denied"]
    assert not LedgerEntry.objects.exists()
    assert AuditEvent.objects.get(action="referral.denied").actor == owner
    queue = owner_client.get(reverse("console:reviews", args=[program.slug]))
    assert list(queue.context["page"].object_list) == []
    assert [r.pk for r in queue.context["recent"]] == [flagged.pk]
    page = queue.content.decode()
    assert "Denied after review" in page and "By owner on" in page and "Self-referral" in page


def test_a_second_decision_is_refused(owner_client, program, flagged):
    decide(owner_client, program, flagged, "deny", "No")
    response = decide(owner_client, program, flagged, "approve", "Yes after all", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "This referral was already reviewed." in response.content.decode()
    flagged.refresh_from_db()
    assert flagged.review == "denied" and flagged.review_note == "No"
    assert AuditEvent.objects.filter(action__startswith="referral.").count() == 1
    assert set(Reward.objects.filter(referral=flagged).values_list("status", flat=True)) == {"denied"}


def test_a_bad_decision_changes_nothing(owner_client, program, flagged):
    response = decide(owner_client, program, flagged, "maybe")
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.review == "flagged" and not AuditEvent.objects.exists()


def test_teammate_and_outsider_cannot_decide(client, teammate, outsider, program, flagged):
    for user in (teammate, outsider):
        client.force_login(user)
        assert decide(client, program, flagged, "approve").status_code == 404
    flagged.refresh_from_db()
    assert flagged.review == "flagged" and not AuditEvent.objects.exists()


def test_referral_of_another_program_is_404(owner_client, owner, workspace, flagged):
    second = factories.make_program(workspace, name="Second", slug="second")
    assert decide(owner_client, second, flagged, "approve").status_code == 404
    flagged.refresh_from_db()
    assert flagged.review == "flagged"


def test_queue_query_count_does_not_grow_with_rows(owner_client, program, advocate, flagged):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("console:reviews", args=[program.slug])

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(url).status_code == 200
        return len(queries)

    few = count_queries()
    for n in range(3):
        other = factories.make_advocate(program, email=f"self{n}@example.com", name=f"Self {n}")
        record_conversion(program, ConversionInput(type="signup", email=other.email, promo_code=other.link.promo_code))
    assert Referral.objects.filter(review="flagged").count() == 4
    assert count_queries() == few
