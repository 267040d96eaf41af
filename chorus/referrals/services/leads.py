"""The B2B referred-lead pipeline (F6): an advocate refers a colleague, or a teammate logs a
deal (referred on an advocate's behalf, or from another channel for comparison); leads move
submitted → qualified → won / lost.

Every stage change is a conditional UPDATE from the stage the caller saw, audited. Winning a
referred lead records a `lead_won` conversion (order id `lead-<pk>`) of the lead's contact,
attributed to the advocate through a `lead` referral, in the conversion machinery's own
batch: the program's `lead_won` reward rules, their limits, the ledger and the
exactly-once constraints (one conversion per (program, type, order id), one reward per
(rule, conversion)) apply unchanged.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.advocates.models import Advocate, Customer
from chorus.core import ratelimit
from chorus.core.emails import clean_email, normalize_email
from chorus.core.errors import Conflict, InvalidInput
from chorus.core.models import audit

from ..models import Conversion, Lead, LeadSettings, Referral
from .attribution import CLOCK_SKEW
from .batch import ConversionBatch
from .conversions import ConversionInput

LEADS_PER_ADVOCATE_PER_HOUR = 10
ATTEMPTS = 3  # of recording a win, when a concurrent call inserts the same conversion first
MAX_DEAL_VALUE = 10**12
PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ().\-/]+$")
NEXT_STAGES = {
    Lead.Stage.SUBMITTED: (Lead.Stage.QUALIFIED, Lead.Stage.LOST),
    Lead.Stage.QUALIFIED: (Lead.Stage.WON, Lead.Stage.LOST),
}
OPEN_STAGES = (Lead.Stage.SUBMITTED, Lead.Stage.QUALIFIED)


@dataclass
class LeadInput:
    name: str
    company: str
    email: str = ""
    phone: str = ""
    note: str = ""
    consent: bool = False
    source: str = Lead.Source.REFERRAL
    advocate: Advocate | None = None
    channel: str = ""
    deal_value: int = 0
    submitted_at: datetime | None = None


def lead_settings(program) -> LeadSettings:
    found = LeadSettings.objects.filter(program=program).first()
    return found or LeadSettings(program=program)


@transaction.atomic
def set_show_deal_values(program, show: bool, *, user=None) -> LeadSettings:
    settings, _created = LeadSettings.objects.update_or_create(program=program, defaults={"show_deal_values": show})
    audit(action="lead_settings.updated", target=settings, actor=user, workspace=program.workspace,
          show_deal_values=show)
    return settings


# --- checking input ------------------------------------------------------------------------

def phone_problem(phone: str) -> str | None:
    """A light check (no dependency): the characters people type, and 7–15 digits as E.164 allows."""
    digits = sum(character.isdigit() for character in phone)
    if len(phone) > 40 or not PHONE_CHARACTERS.match(phone) or not 7 <= digits <= 15:
        return _("Use digits with an optional leading +, 7 to 15 digits, e.g. +49 30 1234567.")
    return None


def _text_problems(data: LeadInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    limits = {"name": 200, "company": 200, "channel": 100, "note": 2000}
    for field, limit in limits.items():
        value = getattr(data, field)
        if "\x00" in value:
            errors[field] = [_("Text may not contain NUL characters.")]
        elif len(value) > limit:
            errors[field] = [_("At most %(count)d characters.") % {"count": limit}]
    if not data.name and "name" not in errors:
        errors["name"] = [_("Give the person's name.")]
    if not data.company and "company" not in errors:
        errors["company"] = [_("Give the company's name.")]
    if data.phone and phone_problem(data.phone):
        errors["phone"] = [phone_problem(data.phone)]
    return errors


def _email_problem(data: LeadInput) -> str | None:
    if not data.email:
        return _("Give an email address to reach them at.") if data.source == Lead.Source.REFERRAL else None
    try:
        data.email = clean_email(data.email)
    except ValueError:
        return _("Enter a valid email address, e.g. name@company.com.")
    return None


def _source_problems(program, data: LeadInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.source not in Lead.Source.values:
        errors["source"] = [_("Use referral or other.")]
    elif data.source == Lead.Source.REFERRAL:
        advocate = data.advocate
        if advocate is None or advocate.program_id != program.pk or advocate.status != Advocate.Status.ACTIVE:
            errors["advocate"] = [_("Name an active advocate of this program who referred this lead.")]
        if not data.consent:
            errors["consent"] = [_("Confirm that your colleague agreed to be contacted.")]
        if data.channel:
            errors["channel"] = [_("A channel is for deals from other channels; a referred lead's channel is the advocate.")]
    elif data.advocate is not None:
        errors["advocate"] = [_("A deal from another channel has no advocate; use source “referral” for referred leads.")]
    return errors


def _validate(program, data: LeadInput, now: datetime) -> LeadInput:
    for field in ("name", "company", "email", "phone", "note", "channel"):
        setattr(data, field, (getattr(data, field) or "").strip())
    errors = _text_problems(data)
    email_problem = _email_problem(data)
    if email_problem:
        errors["email"] = [email_problem]
    errors.update(_source_problems(program, data))
    if not 0 <= data.deal_value <= MAX_DEAL_VALUE:
        errors["deal_value"] = [_("A deal value is a whole number of minor units (cents), zero or more.")]
    data.submitted_at = data.submitted_at or now
    if data.submitted_at > now + CLOCK_SKEW:
        errors["submitted_at"] = [_("This time is in the future.")]
    if errors:
        raise InvalidInput(_("The lead needs attention."), field_errors=errors)
    return data


def _refuse_duplicates(program, data: LeadInput) -> None:
    """Nobody is referred twice, nor referred when already known; an advocate can't refer themselves."""
    if not data.email:
        return
    email = normalize_email(data.email)
    if data.advocate is not None and email == data.advocate.email_normalized:
        raise InvalidInput(_("That is your own email address: refer a colleague instead."),
                           field_errors={"email": [_("That is your own email address.")]})
    if Lead.objects.filter(program=program, email_normalized=email).exists():
        raise _duplicate(_("%(email)s has already been referred or logged as a lead in this program."), data.email)
    if data.source == Lead.Source.REFERRAL:
        if Customer.objects.filter(program=program, email_normalized=email).exists():
            raise _duplicate(_("%(email)s is already a customer of this program."), data.email)
        if Advocate.objects.filter(program=program, email_normalized=email).exists():
            raise _duplicate(_("%(email)s is already an advocate in this program."), data.email)


def _duplicate(message: str, email: str) -> Conflict:
    text = message % {"email": email}
    return Conflict(text, field_errors={"email": [text]}, code="duplicate_lead")


# --- creating leads -------------------------------------------------------------------------

def create_lead(program, data: LeadInput, *, entered_via: str, user=None) -> Lead:
    """Store one lead, or raise InvalidInput / Conflict and store nothing."""
    now = timezone.now()
    data = _validate(program, data, now)
    _refuse_duplicates(program, data)
    lead = Lead(
        program=program, source=data.source, advocate=data.advocate, channel=data.channel, name=data.name,
        company=data.company, email=data.email, email_normalized=normalize_email(data.email) if data.email else "",
        phone=data.phone, note=data.note, consent_at=now if data.consent else None, deal_value=data.deal_value,
        submitted_at=data.submitted_at, entered_via=entered_via, created_by=user if getattr(user, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            lead.save()
            audit(action="lead.created", target=lead, actor=user, workspace=program.workspace,
                  source=lead.source, advocate_id=lead.advocate_id, entered_via=entered_via)
    except IntegrityError:  # the same email, submitted by a concurrent request
        raise _duplicate(_("%(email)s has already been referred or logged as a lead in this program."),
                         data.email) from None
    return lead


def refer_colleague(advocate: Advocate, data: LeadInput) -> Lead:
    """The hub form: an advocate refers a colleague (rate-limited per advocate)."""
    ratelimit.hit(f"hub-lead:{advocate.pk}", LEADS_PER_ADVOCATE_PER_HOUR, 3600)
    data.source, data.advocate, data.channel, data.deal_value, data.submitted_at = \
        Lead.Source.REFERRAL, advocate, "", 0, None
    return create_lead(advocate.program, data, entered_via=Lead.EnteredVia.HUB)


# --- moving leads ---------------------------------------------------------------------------

def _transition_problem(lead: Lead, stage: str) -> Conflict | None:
    if stage not in Lead.Stage.values:
        return None
    if lead.is_closed:
        message = _("This lead is already won; closed leads don't move.") if lead.stage == Lead.Stage.WON \
            else _("This lead is already lost; closed leads don't move.")
        return Conflict(message, code="lead_closed")
    if stage == lead.stage:
        return Conflict(_("This lead is already at this stage."), code="same_stage")
    if stage not in NEXT_STAGES[lead.stage]:
        if stage == Lead.Stage.WON:
            return Conflict(_("Qualify the lead before marking it won."), code="invalid_transition")
        return Conflict(_("A lead cannot go back to submitted."), code="invalid_transition")
    return None


def _check_change(lead: Lead, stage: str | None, deal_value: int | None, lost_reason: str, at: datetime,
                  now: datetime) -> None:
    errors: dict[str, list[str]] = {}
    if stage is not None and stage not in Lead.Stage.values:
        errors["stage"] = [_("Use submitted, qualified, won or lost.")]
    if deal_value is not None and not 0 <= deal_value <= MAX_DEAL_VALUE:
        errors["deal_value"] = [_("A deal value is a whole number of minor units (cents), zero or more.")]
    value = lead.deal_value if deal_value is None else deal_value
    if stage == Lead.Stage.WON and value <= 0 and "deal_value" not in errors:
        errors["deal_value"] = [_("Give the deal value of a won lead (in minor units, e.g. 120000 for 1,200.00).")]
    if stage == Lead.Stage.LOST and not lost_reason:
        errors["lost_reason"] = [_("Say why the lead was lost.")]
    if len(lost_reason) > 300:
        errors["lost_reason"] = [_("At most %(count)d characters.") % {"count": 300}]
    latest = lead.qualified_at or lead.submitted_at
    if at > now + CLOCK_SKEW:
        errors["at"] = [_("This time is in the future.")]
    elif stage is not None and at < latest:
        errors["at"] = [_("This is before the lead's previous stage.")]
    if errors:
        raise InvalidInput(_("The change needs attention."), field_errors=errors)


def update_lead(lead: Lead, *, stage: str | None = None, deal_value: int | None = None, lost_reason: str = "",
                at: datetime | None = None, user=None) -> Lead:
    """Move a lead to its next stage and/or set its deal value; audited; rewards on a referred win.

    Raises InvalidInput (422) for bad values, Conflict (409) for a move the pipeline forbids
    or a lead that moved meanwhile; nothing changes then."""
    now = timezone.now()
    at = at or now
    lost_reason = (lost_reason or "").strip()
    _check_change(lead, stage, deal_value, lost_reason, at, now)
    problem = _transition_problem(lead, stage) if stage is not None else None
    if problem:
        raise problem
    if stage is None and lead.is_closed and deal_value is not None and deal_value != lead.deal_value:
        raise Conflict(_("The deal value of a closed lead is final."), code="lead_closed")
    changes: dict = {"updated_at": now}
    if deal_value is not None:
        changes["deal_value"] = deal_value
    if stage is not None:
        changes["stage"] = stage
        changes["qualified_at" if stage == Lead.Stage.QUALIFIED else "closed_at"] = at
        if stage == Lead.Stage.LOST:
            changes["lost_reason"] = lost_reason
    with transaction.atomic():
        if not Lead.objects.filter(pk=lead.pk, stage=lead.stage).update(**changes):
            raise Conflict(_("This lead was changed meanwhile; reload to see where it is now."), code="lead_moved")
        previous = lead.stage
        for field, value in changes.items():
            setattr(lead, field, value)
        audit(action="lead.stage_changed" if stage else "lead.updated", target=lead, actor=user,
              workspace=lead.program.workspace, note=lost_reason, stage_from=previous, stage_to=lead.stage,
              deal_value=lead.deal_value)
        if stage == Lead.Stage.WON and lead.source == Lead.Source.REFERRAL:
            reward_won_lead(lead, now=now)
    return lead


# --- rewards for a won lead -----------------------------------------------------------------

def _referral_for(batch: ConversionBatch, lead: Lead, customer) -> Referral:
    existing = batch.referral_for(customer, lead.advocate_id)
    if existing:
        return existing
    primary = batch.primary_referral(customer)
    if customer.email_normalized and customer.email_normalized == lead.advocate.email_normalized:
        flag = Referral.Flag.SELF_REFERRAL
    elif primary is not None:
        flag = Referral.Flag.DUPLICATE_FRIEND
    elif batch.earlier_purchase(customer, lead.submitted_at - CLOCK_SKEW):
        flag = Referral.Flag.EXISTING_CUSTOMER
    else:
        flag = ""
    return batch.add_referral(Referral(
        program=lead.program, advocate=lead.advocate, customer=customer, reason=Referral.Reason.LEAD,
        is_primary=primary is None, flag=flag, review=Referral.Review.FLAGGED if flag else Referral.Review.CLEAN,
    ))


def reward_won_lead(lead: Lead, *, now: datetime | None = None) -> list:
    """Record the won lead's `lead_won` conversion and the rewards it earns — once: a second
    call (a retry, a concurrent win) finds the conversion by its order id and adds nothing."""
    program = lead.program
    now = now or timezone.now()
    data = ConversionInput(
        type=Conversion.Type.LEAD_WON, email=lead.email, name=lead.name, amount=lead.deal_value,
        currency=program.currency, order_id=f"lead-{lead.pk}", occurred_at=lead.closed_at or now,
        metadata={"lead_id": lead.pk, "company": lead.company},
    )
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _record_win(lead, data, now)
        except IntegrityError:  # a concurrent call wrote it first: the next attempt finds it
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _record_win(lead: Lead, data: ConversionInput, now: datetime) -> list:
    with transaction.atomic():
        batch = ConversionBatch(lead.program, [data], now, advocate_ids={lead.advocate_id})
        customer = batch.upsert_customer(external_id="", email=lead.email, name=lead.name, seen_at=lead.submitted_at)
        if batch.existing_conversion(data, customer) is not None:
            return []
        conversion = batch.add_conversion(data, customer)
        referral = _referral_for(batch, lead, customer)
        batch.set_referral(conversion, referral)
        rewards = batch.create_rewards(conversion, referral)
        batch.flush()
        Lead.objects.filter(pk=lead.pk).update(conversion=conversion)
        lead.conversion = conversion
    return rewards


def days_between(start: datetime, end: datetime) -> float:
    return (end - start) / timedelta(days=1)
