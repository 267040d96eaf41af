"""Reward rules: what a program pays, to whom, for which event. Set up by marketers.

Edits apply to conversions that arrive afterwards; rewards already created keep the
amount they were created with. A rule that has produced rewards cannot be deleted (they
point at it), only deactivated.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from chorus.core.errors import Conflict, InvalidInput
from chorus.core.models import audit

from .models import RewardRule, Side

RULE_FIELDS = (
    "name", "side", "event", "kind", "amount", "percent_basis_points", "min_purchase_amount",
    "max_purchases", "monthly_cap", "is_active",
)
MAX_AMOUNT = 10**12
PURCHASE_EVENTS = (RewardRule.Event.FIRST_PURCHASE, RewardRule.Event.PURCHASE)
PERCENT_EVENTS = (*PURCHASE_EVENTS, RewardRule.Event.LEAD_WON)  # a percent of the purchase or of the deal value


def _choice_problems(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (values["name"] or "").strip():
        errors["name"] = [_("Give the rule a name, e.g. “500 points per new customer”.")]
    elif len(values["name"]) > 120:
        errors["name"] = [_("At most 120 characters.")]
    if values["side"] not in Side.values:
        errors["side"] = [_("Choose the advocate or the friend.")]
    if values["event"] not in RewardRule.Event.values:
        errors["event"] = [_("Choose signup, first purchase or every purchase.")]
    if values["kind"] not in RewardRule.Kind.values:
        errors["kind"] = [_("Choose points, credit, percent or a discount code.")]
    return errors


def _amount_problems(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if values["kind"] == RewardRule.Kind.PERCENT:
        if values["event"] not in PERCENT_EVENTS:
            errors["kind"] = [_("A percentage needs a purchase amount: use it with a purchase event.")]
        if not 1 <= values["percent_basis_points"] <= 10_000:
            errors["percent_basis_points"] = [_("Between 1 and 10000 basis points (0.01% to 100%).")]
    elif not 1 <= values["amount"] <= MAX_AMOUNT:
        errors["amount"] = [_("Give an amount above zero (points, or minor units such as cents).")]
    if not 0 <= values["min_purchase_amount"] <= MAX_AMOUNT:
        errors["min_purchase_amount"] = [_("Zero or more, in minor units.")]
    elif values["min_purchase_amount"] and values["event"] not in PURCHASE_EVENTS:
        errors["min_purchase_amount"] = [_("A minimum purchase applies only to purchase events.")]
    return errors


def _limit_problems(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if values["max_purchases"] is not None:
        if values["max_purchases"] < 1:
            errors["max_purchases"] = [_("At least 1, or leave it empty for no limit.")]
        elif values["event"] != RewardRule.Event.PURCHASE:
            errors["max_purchases"] = [_("A limit per friend applies only to “every purchase” rules.")]
    if values["monthly_cap"] is not None:
        if values["monthly_cap"] < 1:
            errors["monthly_cap"] = [_("At least 1, or leave it empty for no cap.")]
        elif values["side"] != Side.ADVOCATE:
            errors["monthly_cap"] = [_("A monthly cap applies only to advocate rewards.")]
    return errors


def rule_problems(values: dict) -> dict[str, list[str]]:
    """Field errors for a full set of rule fields; empty when the rule makes sense."""
    errors = _choice_problems(values)
    if errors.keys() & {"side", "event", "kind"}:
        return errors
    return {**errors, **_amount_problems(values), **_limit_problems(values)}


def _checked(rule: RewardRule, fields: dict) -> dict:
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown reward rule fields: {sorted(unknown)}")
    values = {field: getattr(rule, field) for field in RULE_FIELDS} | fields
    values["name"] = (values["name"] or "").strip()
    if values["kind"] == RewardRule.Kind.PERCENT:
        values["amount"] = 0
    else:
        values["percent_basis_points"] = 0
    errors = rule_problems(values)
    if errors:
        raise InvalidInput(_("The reward rule needs attention."), field_errors=errors)
    return values


@transaction.atomic
def create_rule(program, *, user=None, **fields) -> RewardRule:
    rule = RewardRule(program=program)
    for field, value in _checked(rule, fields).items():
        setattr(rule, field, value)
    rule.save()
    audit(action="reward_rule.created", target=rule, actor=user, workspace=program.workspace)
    return rule


@transaction.atomic
def update_rule(rule: RewardRule, *, user=None, **fields) -> RewardRule:
    rule = RewardRule.objects.select_for_update().select_related("program__workspace").get(pk=rule.pk)
    values = _checked(rule, fields)
    changed = [field for field, value in values.items() if getattr(rule, field) != value]
    if changed:
        for field in changed:
            setattr(rule, field, values[field])
        rule.save(update_fields=changed)
        audit(action="reward_rule.updated", target=rule, actor=user, workspace=rule.program.workspace, changed=changed)
    return rule


@transaction.atomic
def delete_rule(rule: RewardRule, *, user=None) -> None:
    """Delete a rule that never rewarded anything; otherwise Conflict (deactivate it instead)."""
    rule = RewardRule.objects.select_for_update().select_related("program__workspace").get(pk=rule.pk)
    if rule.rewards.exists():
        raise Conflict(_("This rule has already created rewards. Deactivate it instead of deleting it."))
    audit(action="reward_rule.deleted", target=rule, actor=user, workspace=rule.program.workspace, name=rule.name)
    rule.delete()
