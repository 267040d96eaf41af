"""Segment-spec calls → customers and conversions (so a Segment or RudderStack webhook
destination feeds Chorus unchanged).

* `identify` → the customer (userId as your customer id, traits email and name) is upserted.
* `track` `Signed Up` → signup; `Order Completed` → purchase (`order_id`, `revenue` or else
  `total` in major units of `currency`, turned into minor units by the currency's exponent);
  `Order Refunded` → refund of `order_id` (its `total`/`revenue`, or the whole purchase).
* Attribution: `properties.chorus_click_id`, `properties.coupon` (promo code),
  `properties.referral_code`.
* `messageId` makes a call act once. Other calls and events are recorded as ignored.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from chorus.advocates.customers import upsert_customer
from chorus.core.errors import InvalidInput
from chorus.programs.currencies import minor_unit_exponent
from chorus.referrals.services.conversions import ConversionInput, record_conversion

from ...webhooks_in.models import InboundEvent
from ...webhooks_in.services import mark, receive

Status, Reason = InboundEvent.Status, InboundEvent.Reason
CONVERSIONS = {"Signed Up": "signup", "Order Completed": "purchase", "Order Refunded": "refund"}
MAX_BATCH = 1000


def _text(value, limit: int) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def minor_units(value, currency: str, field: str) -> int:
    """A decimal amount in major units (19.99) as integer minor units of `currency` (1999)."""
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(_("The event has invalid fields."),
                           field_errors={field: [_("Give a positive number, e.g. 19.99.")]})
    return int((amount * 10 ** minor_unit_exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _timestamp(message: dict):
    text = message.get("timestamp")
    if not text:
        return None
    try:
        parsed = parse_datetime(text) if isinstance(text, str) else None
    except ValueError:  # well formed but impossible, e.g. month 13
        parsed = None
    if parsed is None:
        raise InvalidInput(_("The event has invalid fields."),
                           field_errors={"timestamp": [_("Use ISO 8601 with a time zone, e.g. 2026-01-31T12:00:00Z.")]})
    return parsed


def _traits(message: dict) -> dict:
    return {**_object(_object(message.get("context")).get("traits")), **_object(message.get("traits"))}


def _name(traits: dict) -> str:
    full = _text(traits.get("name"), 200)
    return full or " ".join(part for part in (_text(traits.get("firstName"), 100),
                                              _text(traits.get("lastName"), 100)) if part)


def _identify(inbound: InboundEvent, message: dict) -> None:
    traits = _traits(message)
    user_id, email = _text(message.get("userId"), 100), _text(traits.get("email"), 254)
    if not (user_id or email):
        return mark(inbound, Status.IGNORED, Reason.NO_USER)
    upsert_customer(inbound.program, external_id=user_id, email=email, name=_name(traits))
    mark(inbound, Status.PROCESSED, Reason.CUSTOMER)


def _track(inbound: InboundEvent, message: dict) -> None:
    kind = CONVERSIONS.get(_text(message.get("event"), 100))
    if kind is None:
        return mark(inbound, Status.IGNORED, Reason.UNKNOWN_TYPE)
    properties, traits = _object(message.get("properties")), _traits(message)
    currency = (_text(properties.get("currency"), 3) or inbound.program.currency).upper()
    amount_field = "revenue" if properties.get("revenue") is not None else "total"
    value = properties.get(amount_field)
    amount = minor_units(value, currency, f"properties.{amount_field}") if kind != "signup" and value is not None else 0
    result = record_conversion(inbound.program, ConversionInput(
        type=kind, customer_external_id=_text(message.get("userId"), 100),
        email=_text(properties.get("email") or traits.get("email"), 254), name=_name(traits),
        click_id=_text(properties.get("chorus_click_id"), 100), promo_code=_text(properties.get("coupon"), 64),
        referral_code=_text(properties.get("referral_code"), 100), amount=amount, currency=currency,
        order_id=_text(properties.get("order_id"), 100), occurred_at=_timestamp(message),
        metadata={"segment_message_id": inbound.external_id} if inbound.external_id else {},
    ))
    reason = Reason.ALREADY_RECORDED if result.duplicate else {"signup": Reason.SIGNUP, "purchase": Reason.PURCHASE,
                                                                "refund": Reason.REFUND}[kind]
    mark(inbound, Status.PROCESSED, reason, conversion=result.conversion, order_id=result.conversion.order_id,
         amount=result.conversion.amount)


def _handler(message: dict):
    kind = message.get("type")
    if kind == "identify":
        return lambda inbound: _identify(inbound, message)
    if kind == "track":
        return lambda inbound: _track(inbound, message)
    return lambda inbound: mark(inbound, Status.IGNORED, Reason.UNKNOWN_TYPE)


def receive_message(program, message: dict) -> tuple[InboundEvent, bool]:
    """One Segment call, acted on once per messageId: (logged event, duplicate)."""
    kind = _text(message.get("type"), 20)
    event_type = f"{kind} {_text(message.get('event'), 70)}".strip() if kind == "track" else kind
    return receive(program, InboundEvent.Provider.SEGMENT, _text(message.get("messageId"), 255), event_type,
                   _handler(message))


def receive_messages(program, body: dict) -> list[tuple[InboundEvent, bool] | InvalidInput]:
    """A single call, or `{"batch": [...]}`: one outcome per call, in order."""
    messages = body.get("batch") if "batch" in body else [body]
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_BATCH:
        raise InvalidInput(_("Send between 1 and %(max)d calls in batch.") % {"max": MAX_BATCH},
                           field_errors={"batch": [_("Give a JSON array of Segment calls.")]})
    outcomes = []
    for message in messages:
        if isinstance(message, dict):
            outcomes.append(receive_message(program, message))
        else:
            outcomes.append(InvalidInput(_("Each call is a JSON object."), field_errors={"batch": [_("Not an object.")]}))
    return outcomes
