"""Recording conversions (signup, purchase, refund) and everything they set off."""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.advocates.services import upsert_customer
from chorus.core.emails import clean_email
from chorus.core.errors import InvalidInput, NotFound
from chorus.rewards import services as rewards

from ..models import Conversion
from .attribution import attribute

CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass
class ConversionInput:
    type: str
    customer_external_id: str = ""
    email: str = ""
    name: str = ""
    click_id: str = ""
    promo_code: str = ""
    referral_code: str = ""
    amount: int = 0
    currency: str = ""
    order_id: str = ""
    occurred_at: datetime | None = None
    metadata: dict = field(default_factory=dict)
    trust: str = Conversion.Trust.SERVER


@dataclass
class ConversionResult:
    conversion: Conversion
    duplicate: bool
    rewards: list = field(default_factory=list)


def _validate(program, data: ConversionInput) -> ConversionInput:
    errors: dict[str, list[str]] = {}
    if data.type not in Conversion.Type.values:
        errors["type"] = [_("Use signup, purchase or refund.")]
    if data.type in ("signup", "purchase") and not (data.customer_external_id or data.email):
        errors["customer_external_id"] = [_("Give customer_external_id or email.")]
    if data.email:
        try:
            data.email = clean_email(data.email)
        except ValueError as error:
            errors["email"] = [str(error)]
    if data.type == "refund" and not data.order_id:
        errors["order_id"] = [_("A refund names the order_id of the purchase it reverses.")]
    if data.amount < 0:
        errors["amount"] = [_("Amounts are positive integers in minor units (cents).")]
    data.currency = (data.currency or program.currency).upper()
    if not CURRENCY.match(data.currency):
        errors["currency"] = [_("Use a three-letter ISO 4217 code such as USD.")]
    elif data.type == "purchase" and data.currency != program.currency:
        errors["currency"] = [_("This program counts in %(currency)s.") % {"currency": program.currency}]
    now = timezone.now()
    data.occurred_at = data.occurred_at or now
    if timezone.is_naive(data.occurred_at):
        errors["occurred_at"] = [_("Give a time zone, e.g. 2026-01-31T12:00:00Z.")]
    elif data.occurred_at > now + timedelta(hours=1):
        errors["occurred_at"] = [_("This time is in the future.")]
    if len(json.dumps(data.metadata or {}, default=str)) > settings.CHORUS_METADATA_MAX_BYTES:
        errors["metadata"] = [_("Metadata is limited to %(bytes)d bytes of JSON.") % {"bytes": settings.CHORUS_METADATA_MAX_BYTES}]
    if errors:
        raise InvalidInput(_("The conversion has invalid fields."), field_errors=errors)
    return data


def _existing(program, data: ConversionInput, customer) -> Conversion | None:
    if data.order_id:
        found = Conversion.objects.filter(program=program, type=data.type, order_id=data.order_id).first()
        if found or data.type != "signup":
            return found
    if data.type == "signup":  # one signup per customer, whatever order id the second one carries
        return Conversion.objects.filter(customer=customer, type="signup").first()
    return None


def _insert(program, data: ConversionInput, customer, **extra) -> tuple[Conversion, bool]:
    """Insert the conversion, or return the one a retry or a concurrent duplicate made.

    The constraints (one purchase per order id, one signup per customer) decide: a new event
    costs one INSERT, a duplicate a refused INSERT and a look-up."""
    try:
        with transaction.atomic():
            return Conversion.objects.create(
                program=program, type=data.type, customer=customer, amount=data.amount, currency=data.currency,
                order_id=data.order_id, occurred_at=data.occurred_at, trust=data.trust, metadata=data.metadata or {},
                **extra,
            ), True
    except IntegrityError:
        found = _existing(program, data, customer)
        if found is None:
            raise
        return found, False


@transaction.atomic
def record_conversion(program, data: ConversionInput) -> ConversionResult:
    data = _validate(program, data)
    if data.type == "refund":
        return _record_refund(program, data)
    customer = upsert_customer(program, external_id=data.customer_external_id, email=data.email,
                               name=data.name, seen_at=data.occurred_at)
    conversion, created = _insert(program, data, customer)
    if not created:
        if conversion.trust == Conversion.Trust.BROWSER and data.trust == Conversion.Trust.SERVER:
            return _confirm_browser_conversion(program, conversion, data)
        return ConversionResult(conversion=conversion, duplicate=True, rewards=list(conversion.rewards.all()))
    return ConversionResult(conversion=conversion, duplicate=False, rewards=_attribute_and_reward(program, conversion, data))


def _attribute_and_reward(program, conversion: Conversion, data: ConversionInput) -> list:
    referral = conversion.referral or attribute(
        program, customer=conversion.customer, occurred_at=conversion.occurred_at, click_id=data.click_id,
        promo_code=data.promo_code, referral_code=data.referral_code)
    if referral is None:
        return []
    if conversion.referral_id != referral.pk:
        conversion.referral = referral
        conversion.save(update_fields=["referral"])
    if conversion.trust != Conversion.Trust.SERVER:  # browser-reported events are recorded, never rewarded
        return []
    return rewards.create_rewards(conversion, referral)


def _confirm_browser_conversion(program, conversion: Conversion, data: ConversionInput) -> ConversionResult:
    """The merchant's server reports an event the snippet reported first: it becomes a
    server-trust conversion and earns what it earns (the browser's report alone earned nothing)."""
    if not Conversion.objects.filter(pk=conversion.pk, trust=Conversion.Trust.BROWSER).update(trust=Conversion.Trust.SERVER):
        return ConversionResult(conversion=conversion, duplicate=True, rewards=list(conversion.rewards.all()))
    conversion.trust = Conversion.Trust.SERVER
    return ConversionResult(conversion=conversion, duplicate=False, rewards=_attribute_and_reward(program, conversion, data))


def _record_refund(program, data: ConversionInput) -> ConversionResult:
    purchase = Conversion.objects.select_related("customer").filter(
        program=program, type="purchase", order_id=data.order_id).first()
    if purchase is None:
        raise NotFound(_("No purchase with order_id “%(order)s” in this program.") % {"order": data.order_id},
                       field_errors={"order_id": [_("Unknown order.")]})
    data.amount = data.amount or purchase.amount
    refund, created = _insert(program, data, purchase.customer, referral=purchase.referral, refunded_conversion=purchase)
    if not created:
        return ConversionResult(conversion=refund, duplicate=True)
    changed = rewards.reverse_rewards(purchase, "refunded", order=data.order_id)
    return ConversionResult(conversion=refund, duplicate=False, rewards=changed)
