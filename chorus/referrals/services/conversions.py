"""Recording conversions (signup, purchase, refund) and everything they set off."""

import json
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.emails import clean_email
from chorus.core.errors import ChorusError, InvalidInput, NotFound
from chorus.rewards import services as rewards

from ..models import Conversion
from .attribution import attribute
from .batch import ConversionBatch

logger = logging.getLogger("chorus.referrals")
CURRENCY = re.compile(r"^[A-Z]{3}$")
ATTEMPTS = 5  # of one conversion, when concurrent duplicates keep winning the race


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
    # A partial refund: its own refund row (stored under order_id "<order>#<key>"), the purchase's
    # rewards untouched. Without a key a refund is the order's full refund and reverses its rewards.
    refund_key: str = ""

    @property
    def stored_order_id(self) -> str:
        return f"{self.order_id}#{self.refund_key}"[:100] if self.type == "refund" and self.refund_key else self.order_id


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
    if data.refund_key and not data.amount:
        errors["amount"] = [_("A partial refund gives the amount refunded.")]
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


def record_conversion(program, data: ConversionInput) -> ConversionResult:
    """Record one conversion: validated, then processed as a batch of one (see record_conversions).

    Raises InvalidInput for bad fields and NotFound for a refund of an unknown order."""
    data = _validate(program, data)
    return _record_alone(program, data)


def record_conversions(program, items: list[ConversionInput]) -> list[ConversionResult | Exception]:
    """Record many conversions as one unit of work: one result per item, in order, exactly as
    if each had been recorded by record_conversion one after the other.

    Each item is validated first; an invalid one gets its error (an InvalidInput) and is not
    processed. The valid ones are processed together in one transaction, with reads and writes
    per batch rather than per event. If the database refuses the batch's writes (a concurrent
    request recorded the same order or customer meanwhile), the batch is rolled back and its
    items are recorded one at a time, each in its own transaction."""
    outcomes: list = [None] * len(items)
    valid = []
    for index, data in enumerate(items):
        try:
            valid.append((index, _validate(program, data)))
        except ChorusError as error:
            outcomes[index] = error
    if not valid:
        return outcomes
    try:
        with transaction.atomic():
            batch = ConversionBatch(program, [data for _index, data in valid], timezone.now())
            for index, data in valid:
                outcomes[index] = _record_in(batch, data)
            batch.flush()
    except IntegrityError:
        logger.info("batch of %d conversions met a concurrent duplicate: recording them one by one", len(valid))
        _record_one_by_one(program, valid, outcomes)
    except DatabaseError:
        raise  # e.g. a locked database: the whole request is retried
    except Exception:  # a broken item: the others must keep their results
        logger.exception("batch of %d conversions failed: recording them one by one", len(valid))
        _record_one_by_one(program, valid, outcomes)
    return outcomes


def _record_one_by_one(program, valid: list, outcomes: list) -> None:
    for index, data in valid:
        try:
            outcomes[index] = _record_alone(program, data)
        except ChorusError as error:
            outcomes[index] = error
        except Exception as error:
            logger.exception("conversion %d of a batch failed", index)
            outcomes[index] = error


def _record_alone(program, data: ConversionInput) -> ConversionResult:
    """One validated conversion in its own transaction (a savepoint inside the caller's).

    A refused INSERT means a concurrent request wrote the same event, customer or referral
    first; once it has committed, a fresh attempt reads its rows and answers accordingly."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                batch = ConversionBatch(program, [data], timezone.now())
                result = _record_in(batch, data)
                if isinstance(result, ChorusError):
                    raise result
                batch.flush()
                return result
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _record_in(batch: ConversionBatch, data: ConversionInput) -> ConversionResult | ChorusError:
    """Process one validated conversion in the batch (in memory, apart from rare paths)."""
    if data.type == "refund":
        try:
            return _record_refund(batch, data)
        except ChorusError as error:  # raised before the batch changed anything
            return error
    customer = batch.upsert_customer(external_id=data.customer_external_id, email=data.email, name=data.name,
                                     seen_at=data.occurred_at)
    conversion = batch.existing_conversion(data, customer)
    if conversion is None:
        conversion = batch.add_conversion(data, customer)
        return ConversionResult(conversion=conversion, duplicate=False,
                                rewards=_attribute_and_reward(batch, conversion, data))
    if conversion.trust == Conversion.Trust.BROWSER and data.trust == Conversion.Trust.SERVER:
        return _confirm_browser_conversion(batch, conversion, data)
    if conversion.referral is None and (data.click_id or data.promo_code or data.referral_code):
        return _attribute_late(batch, conversion, data)
    return ConversionResult(conversion=conversion, duplicate=True, rewards=list(batch.rewards_of[id(conversion)]))


def _attribute_late(batch: ConversionBatch, conversion: Conversion, data: ConversionInput) -> ConversionResult:
    """A repeat of an unattributed event that carries a click id or code (e.g. Stripe sent a
    subscription's invoice before the checkout that names the advocate): still a duplicate,
    but the touch it carries attributes the event now, and the rewards follow."""
    rewards = _attribute_and_reward(batch, conversion, data)
    return ConversionResult(conversion=conversion, duplicate=True,
                            rewards=rewards or list(batch.rewards_of[id(conversion)]))


def _attribute_and_reward(batch: ConversionBatch, conversion: Conversion, data: ConversionInput) -> list:
    referral = conversion.referral or attribute(
        batch, customer=conversion.customer, occurred_at=conversion.occurred_at, click_id=data.click_id,
        promo_code=data.promo_code, referral_code=data.referral_code)
    if referral is None:
        return []
    if conversion.referral is not referral:
        batch.set_referral(conversion, referral)
    if conversion.trust != Conversion.Trust.SERVER:  # browser-reported events are recorded, never rewarded
        return []
    return batch.create_rewards(conversion, referral)


def _confirm_browser_conversion(batch: ConversionBatch, conversion: Conversion,
                                data: ConversionInput) -> ConversionResult:
    """The merchant's server reports an event the snippet reported first: it becomes a
    server-trust conversion and earns what it earns (the browser's report alone earned nothing)."""
    if conversion.pk is None:  # reported by the snippet earlier in this batch
        conversion.trust = Conversion.Trust.SERVER
    elif not Conversion.objects.filter(pk=conversion.pk, trust=Conversion.Trust.BROWSER).update(
            trust=Conversion.Trust.SERVER):
        return ConversionResult(conversion=conversion, duplicate=True, rewards=list(batch.rewards_of[id(conversion)]))
    conversion.trust = Conversion.Trust.SERVER
    return ConversionResult(conversion=conversion, duplicate=False,
                            rewards=_attribute_and_reward(batch, conversion, data))


def _record_refund(batch: ConversionBatch, data: ConversionInput) -> ConversionResult:
    purchase = batch.conversions_by_order.get(("purchase", data.order_id))
    if purchase is None:
        raise NotFound(_("No purchase with order_id “%(order)s” in this program.") % {"order": data.order_id},
                       field_errors={"order_id": [_("Unknown order.")]})
    if data.refund_key:
        return _record_partial_refund(batch, data, purchase)
    data.amount = data.amount or purchase.amount
    refund = batch.existing_conversion(data, purchase.customer)
    if refund is not None:
        return ConversionResult(conversion=refund, duplicate=True)
    batch.flush()  # refunds are rare: reverse the purchase's rewards in the database, row by row
    refund = batch.add_conversion(data, purchase.customer, referral=purchase.referral, refunded_conversion=purchase)
    changed = rewards.reverse_rewards(purchase, "refunded", order=data.order_id)
    batch.replace_rewards(purchase, changed)
    return ConversionResult(conversion=refund, duplicate=False, rewards=changed)


def _record_partial_refund(batch: ConversionBatch, data: ConversionInput, purchase: Conversion) -> ConversionResult:
    """Part of an order refunded: referred revenue drops by `amount`; rewards stay until a full refund."""
    stored = replace(data, order_id=data.stored_order_id, refund_key="")
    refund = batch.existing_conversion(stored, purchase.customer)
    if refund is not None:
        return ConversionResult(conversion=refund, duplicate=True)
    refund = batch.add_conversion(stored, purchase.customer, referral=purchase.referral, refunded_conversion=purchase)
    return ConversionResult(conversion=refund, duplicate=False)
