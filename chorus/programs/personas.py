"""Personas (P2): advocate segments by attributes and behaviour, counted live.

An advocate matches a persona when they are active and every rule the persona sets holds:
  * languages — the advocate's language is one of them;
  * level reached — they reached this level or a higher one (levels follow points earned);
  * company account — they belong to a B2B account, or to none;
  * customer plan / attribute — the program's customer record with the advocate's email has
    this plan, or this text value for this custom attribute;
  * min referrals — at least this many referrals (denied ones left out);
  * active within N days — an ask completion or a referral in the last N days;
  * min points earned — lifetime points earned (spending does not lower it);
  * NPS promoter — their latest NPS answer scored 9 or 10.
Everything is one filtered query with EXISTS / aggregate subqueries: no per-advocate loop.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.errors import Conflict, InvalidInput
from chorus.core.models import audit

from .models import Persona, Program

SAMPLE_SIZE = 5
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,4})?$")
ATTRIBUTE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,59}$")
FIELDS = ("name", "description", "languages", "min_level", "account", "customer_plan", "attribute_key",
          "attribute_value", "min_referrals", "active_within_days", "min_points_earned", "nps_promoter")


@dataclass
class PersonaSummary:
    persona: Persona
    count: int
    sample: list


def _check(program: Program, values: dict) -> dict:
    errors: dict[str, list[str]] = {}
    values["name"] = (values.get("name") or "").strip()
    if not values["name"]:
        errors["name"] = [_("Give the persona a name.")]
    languages = [code.strip().lower() for code in values.get("languages") or [] if code.strip()]
    unknown = sorted(code for code in set(languages) if not LANGUAGE_CODE.match(code))
    if unknown:
        errors["languages"] = [_("Unknown language codes: %(codes)s.") % {"codes": ", ".join(unknown)}]
    values["languages"] = sorted(set(languages))
    level = values.get("min_level")
    if level is not None and level.program_id != program.pk:
        errors["min_level"] = [_("Unknown level.")]
    if values.get("account", "") not in Persona.AccountRule.values:
        errors["account"] = [_("Choose from the list.")]
    key, value = (values.get("attribute_key") or "").strip(), (values.get("attribute_value") or "").strip()
    if key and "__" in key or key and not ATTRIBUTE_KEY.match(key):
        errors["attribute_key"] = [_("Letters, digits and single underscores, starting with a letter.")]
    if bool(key) != bool(value):
        errors["attribute_value" if key else "attribute_key"] = [_("Give both the attribute and its value.")]
    values["attribute_key"], values["attribute_value"] = key, value
    for name in ("min_referrals", "active_within_days", "min_points_earned"):
        number = values.get(name)
        if number is not None and (not isinstance(number, int) or number < 0 or number > 10**9):
            errors[name] = [_("A whole number of at least 0.")]
    if values.get("active_within_days") == 0:
        errors["active_within_days"] = [_("At least one day.")]
    if errors:
        raise InvalidInput(_("Please correct the persona's rules."), field_errors=errors)
    return values


def save_persona(program: Program, persona: Persona | None = None, *, user=None, **fields) -> Persona:
    current = {name: getattr(persona, name) for name in FIELDS} if persona else {}
    values = _check(program, {**current, **{name: value for name, value in fields.items() if name in FIELDS}})
    persona = persona or Persona(program=program)
    for name, value in values.items():
        setattr(persona, name, value)
    try:
        with transaction.atomic():
            persona.save()
            audit(action="persona.saved", target=persona, actor=user, workspace=program.workspace, name=persona.name)
    except IntegrityError:
        message = _("A persona named “%(name)s” exists already.") % {"name": values["name"]}
        raise Conflict(message, field_errors={"name": [message]}) from None
    return persona


def delete_persona(persona: Persona, *, user=None) -> None:
    with transaction.atomic():
        audit(action="persona.deleted", target=persona, actor=user, workspace=persona.program.workspace,
              name=persona.name)
        persona.delete()


def _behaviour(persona: Persona, now) -> tuple[dict, Q]:
    """(annotations the rules need, the rules)."""
    from chorus.campaigns.models import Completion
    from chorus.insights.models import PROMOTER_MIN, NpsResponse
    from chorus.referrals.models import Referral
    from chorus.rewards.models import LedgerEntry
    from chorus.rewards.points import earned_filter

    rules, annotations = Q(), {}
    referrals = Referral.objects.filter(advocate=OuterRef("pk")).exclude(review=Referral.Review.DENIED)
    if persona.min_referrals:
        counted = referrals.order_by().values("advocate").annotate(total=Count("pk")).values("total")
        rules &= Q(referral_total__gte=persona.min_referrals)
        annotations["referral_total"] = Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
    if persona.active_within_days:
        since = now - timedelta(days=persona.active_within_days)
        rules &= Q(Exists(Completion.objects.filter(advocate=OuterRef("pk"), created_at__gte=since))
                   | Exists(referrals.filter(created_at__gte=since)))
    if persona.min_points_earned:
        rules &= Q(Exists(LedgerEntry.objects.filter(earned_filter(), advocate=OuterRef("pk")).order_by()
                          .values("advocate").annotate(total=Sum("amount"))
                          .filter(total__gte=persona.min_points_earned)))
    if persona.nps_promoter:
        latest = NpsResponse.objects.filter(advocate=OuterRef("pk")).order_by("-responded_at", "-pk").values("score")[:1]
        rules &= Q(Exists(NpsResponse.objects.filter(advocate=OuterRef("pk"))) & Q(latest_nps__gte=PROMOTER_MIN))
        annotations["latest_nps"] = Subquery(latest)
    return annotations, rules


def matching_advocates(persona: Persona, now=None):
    """The program's active advocates matching every rule of the persona (a queryset)."""
    from chorus.advocates.models import Advocate, Customer
    from chorus.rewards.models import LevelReached

    now = now or timezone.now()
    advocates = Advocate.objects.filter(program_id=persona.program_id, status=Advocate.Status.ACTIVE)
    if persona.languages:
        advocates = advocates.filter(language__in=persona.languages)
    if persona.min_level_id:
        advocates = advocates.filter(Exists(LevelReached.objects.filter(
            advocate=OuterRef("pk"), level__rank__gte=persona.min_level.rank)))
    if persona.account == Persona.AccountRule.WITH_ACCOUNT:
        advocates = advocates.filter(account__isnull=False)
    elif persona.account == Persona.AccountRule.WITHOUT_ACCOUNT:
        advocates = advocates.filter(account__isnull=True)
    if persona.customer_plan or persona.attribute_key:
        customers = Customer.objects.filter(program_id=persona.program_id, email_normalized=OuterRef("email_normalized"))
        if persona.customer_plan:
            customers = customers.filter(plan__iexact=persona.customer_plan)
        if persona.attribute_key:
            customers = customers.annotate(attribute=Cast(KT(f"attributes__{persona.attribute_key}"), output_field=TextField())).filter(
                attribute=persona.attribute_value)
        advocates = advocates.filter(Exists(customers))
    annotations, rules = _behaviour(persona, now)
    return advocates.annotate(**annotations).filter(rules)


def summary(persona: Persona, sample_size: int = SAMPLE_SIZE) -> PersonaSummary:
    advocates = matching_advocates(persona)
    return PersonaSummary(persona=persona, count=advocates.count(),
                          sample=list(advocates.order_by("-joined_at", "pk")[:sample_size]))


def personas(program: Program) -> list[PersonaSummary]:
    return [summary(persona) for persona in Persona.objects.filter(program=program).select_related("min_level")]
