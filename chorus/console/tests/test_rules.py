"""Reward rules: create, validate, edit, delete or deactivate."""

import pytest
from django.urls import reverse

from chorus.core.models import AuditEvent
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.rewards.models import RewardRule


def rule_data(**changes):
    data = {"name": "10% of every purchase", "side": "advocate", "event": "purchase", "kind": "percent",
            "amount": "", "percent_basis_points": "1000", "min_purchase_amount": "2000", "max_purchases": "3",
            "monthly_cap": "20", "is_active": "on"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_create_rule(owner_client, owner, program):
    response = owner_client.post(reverse("console:rules", args=[program.slug]), rule_data())
    assert response.status_code == 302 and response["Location"] == reverse("console:rules", args=[program.slug])
    rule = RewardRule.objects.get(program=program)
    assert (rule.name, rule.side, rule.event, rule.kind, rule.amount, rule.percent_basis_points) == (
        "10% of every purchase", "advocate", "purchase", "percent", 0, 1000)
    assert (rule.min_purchase_amount, rule.max_purchases, rule.monthly_cap, rule.is_active) == (2000, 3, 20, True)
    assert AuditEvent.objects.get(action="reward_rule.created").actor == owner
    page = owner_client.get(reverse("console:rules", args=[program.slug])).content.decode()
    assert "10% of every purchase" in page and "10 % of the purchase" in page and "20.00 USD" in page


def test_create_friend_coupon(owner_client, program):
    owner_client.post(reverse("console:rules", args=[program.slug]), rule_data(
        name="Welcome discount", side="friend", event="signup", kind="coupon", amount="1500",
        percent_basis_points="", min_purchase_amount="", max_purchases="", monthly_cap=""))
    rule = RewardRule.objects.get(program=program)
    assert (rule.side, rule.event, rule.kind, rule.amount, rule.percent_basis_points) == ("friend", "signup", "coupon", 1500, 0)
    assert (rule.min_purchase_amount, rule.max_purchases, rule.monthly_cap) == (0, None, None)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"kind": "points", "amount": "0"}, "amount", "Give an amount above zero (points, or minor units such as cents)."),
    ({"percent_basis_points": "0"}, "percent_basis_points", "Between 1 and 10000 basis points (0.01% to 100%)."),
    ({"percent_basis_points": "10001"}, "percent_basis_points", "Ensure this value is less than or equal to 10000."),
    ({"event": "signup", "min_purchase_amount": "0", "max_purchases": ""}, "kind",
     "A percentage needs a purchase amount: use it with a purchase event."),
    ({"event": "first_purchase"}, "max_purchases", "A limit per friend applies only to “every purchase” rules."),
    ({"side": "friend"}, "monthly_cap", "A monthly cap applies only to advocate rewards."),
    ({"kind": "points", "amount": "50", "event": "signup", "max_purchases": ""}, "min_purchase_amount",
     "A minimum purchase applies only to purchase events."),
    ({"kind": "bitcoin"}, "kind", "Select a valid choice. bitcoin is not one of the available choices."),
    ({"name": "  "}, "name", "This field is required."),
    ({"amount": "-5", "kind": "credit"}, "amount", "Ensure this value is greater than or equal to 0."),
])
def test_rule_validation(owner_client, program, changes, field, message):
    response = owner_client.post(reverse("console:rules", args=[program.slug]), rule_data(**changes))
    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert not RewardRule.objects.exists() and not AuditEvent.objects.exists()


def test_edit_rule(owner_client, program, rule):
    url = reverse("console:rule_edit", args=[program.slug, rule.pk])
    assert owner_client.get(url).context["form"]["amount"].value() == 500
    response = owner_client.post(url, rule_data(name="750 points", event="first_purchase", kind="points", amount="750",
                                                 percent_basis_points="", max_purchases="", is_active=None))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.amount, rule.is_active, rule.min_purchase_amount, rule.monthly_cap) == ("750 points", 750, False, 2000, 20)
    assert AuditEvent.objects.get(action="reward_rule.updated").data["changed"] == [
        "name", "amount", "min_purchase_amount", "monthly_cap", "is_active"]
    bad = owner_client.post(url, rule_data(kind="points", amount="0", event="first_purchase", max_purchases=""))
    assert bad.status_code == 422 and bad.context["form"].errors["amount"]


def test_delete_unused_rule(owner_client, program, rule):
    response = owner_client.post(reverse("console:rule_delete", args=[program.slug, rule.pk]))
    assert response.status_code == 302
    assert not RewardRule.objects.exists()
    assert AuditEvent.objects.filter(action="reward_rule.deleted").count() == 1


def test_a_used_rule_is_kept(owner_client, program, advocate, rule):
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="c1", amount=100, order_id="o1",
                                               promo_code=advocate.link.promo_code))
    assert rule.rewards.count() == 1
    response = owner_client.post(reverse("console:rule_delete", args=[program.slug, rule.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == reverse("console:rules", args=[program.slug])
    assert RewardRule.objects.filter(pk=rule.pk).exists()
    page = owner_client.get(reverse("console:rules", args=[program.slug])).content.decode()
    assert "This rule has already created rewards. Deactivate it instead of deleting it." in page


def test_rule_of_another_program_is_404(owner_client, program, outsider):
    other_rule = RewardRule.objects.create(program=outsider.memberships.get().workspace.programs.get(), name="x",
                                           event="signup", kind="points", amount=1)
    assert owner_client.get(reverse("console:rule_edit", args=[program.slug, other_rule.pk])).status_code == 404
    assert owner_client.post(reverse("console:rule_delete", args=[program.slug, other_rule.pk])).status_code == 404
    assert RewardRule.objects.filter(pk=other_rule.pk).exists()
