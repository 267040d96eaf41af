"""Stripe events → conversions, through the conversion ingest (record_conversion).

* `checkout.session.completed` (paid) → a purchase, keyed by the session's invoice (subscriptions)
  or payment intent, so the first `invoice.paid` of a subscription is the same purchase.
* `invoice.paid` → a purchase keyed by the invoice id (renewals earn what the rules say).
* `charge.refunded` → Stripe sends the cumulative `amount_refunded`: each event records only
  what earlier ones did not (its delta, exactly once, under a lock on the purchase) as a refund
  conversion, so referred revenue drops with every partial refund. The event that makes the
  charge fully refunded records the order's full refund, which also reverses its rewards;
  partial refunds leave rewards alone. A refund whose purchase has not arrived yet waits and is
  applied when the purchase is recorded.

Attribution: `client_reference_id` holding a Chorus click id (or else a referral/promo code),
or metadata `chorus_click_id`, `chorus_code`, `referral_code` or `promo_code`.
"""

from datetime import UTC, datetime

from django.db.models import Sum

from chorus.core.signing import parse_click_id
from chorus.referrals.models import Conversion
from chorus.referrals.services.conversions import ConversionInput, record_conversion

from ...webhooks_in.models import InboundEvent
from ...webhooks_in.services import act, mark
from .models import StripeEndpoint

Status, Reason = InboundEvent.Status, InboundEvent.Reason
REFUND_TYPE = "charge.refunded"


def _id(value) -> str:
    """A Stripe reference: an id string, or an expanded object's id."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _metadata(*sources) -> dict:
    merged = {}
    for source in sources:
        if isinstance(source, dict):
            merged.update({key: value for key, value in source.items() if isinstance(value, str)})
    return merged


def attribution(reference: str, metadata: dict) -> dict:
    """The click id and code a Stripe object carries for Chorus."""
    click_id = metadata.get("chorus_click_id") or metadata.get("chorus_click") or ""
    code = metadata.get("chorus_code") or metadata.get("referral_code") or metadata.get("promo_code") or ""
    if reference:
        if parse_click_id(reference):
            click_id = click_id or reference
        else:
            code = code or reference
    return {"click_id": click_id[:100], "promo_code": code[:64], "referral_code": code[:100]}


def _occurred_at(event: dict) -> datetime:
    created = event.get("created")
    try:
        return datetime.fromtimestamp(created, UTC)
    except (TypeError, ValueError, OverflowError, OSError):  # absent or absurd: when it reached us
        return datetime.now(UTC)


def _amount(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def handler_for(event: dict):
    """The function that acts on this event (InboundEvent → None), or one that ignores it."""
    handle = HANDLERS.get(event["type"])
    if handle is None:
        return lambda inbound: mark(inbound, Status.IGNORED, Reason.UNKNOWN_TYPE)

    def run(inbound: InboundEvent) -> None:
        # One program's Stripe events act one at a time: a refund and its purchase arriving
        # together then always see each other (the later one applies the waiting refund).
        StripeEndpoint.objects.select_for_update().filter(program=inbound.program).first()
        handle(inbound, event["data"]["object"], _occurred_at(event))

    return run


# --- purchases ---------------------------------------------------------------------------

def _checkout_completed(inbound: InboundEvent, session: dict, occurred_at: datetime) -> None:
    if session.get("payment_status") != "paid" or not _amount(session.get("amount_total")):
        return mark(inbound, Status.IGNORED, Reason.NOT_PAID)
    details = session.get("customer_details") if isinstance(session.get("customer_details"), dict) else {}
    _record_purchase(
        inbound, occurred_at,
        order_id=_id(session.get("invoice")) or _id(session.get("payment_intent")) or _id(session.get("id")),
        payment_reference=_id(session.get("payment_intent")), amount=_amount(session.get("amount_total")),
        currency=_text(session.get("currency"), 3), customer=_id(session.get("customer")),
        email=_text(details.get("email") or session.get("customer_email"), 254), name=_text(details.get("name"), 200),
        touch=attribution(_text(session.get("client_reference_id"), 200), _metadata(session.get("metadata"))),
    )


def _invoice_paid(inbound: InboundEvent, invoice: dict, occurred_at: datetime) -> None:
    if not _amount(invoice.get("amount_paid")):
        return mark(inbound, Status.IGNORED, Reason.NOT_PAID)
    parent = invoice.get("parent") if isinstance(invoice.get("parent"), dict) else {}
    subscription = invoice.get("subscription_details") or parent.get("subscription_details") or {}
    _record_purchase(
        inbound, occurred_at, order_id=_id(invoice.get("id")), payment_reference=_id(invoice.get("payment_intent")),
        amount=_amount(invoice.get("amount_paid")), currency=_text(invoice.get("currency"), 3),
        customer=_id(invoice.get("customer")), email=_text(invoice.get("customer_email"), 254),
        name=_text(invoice.get("customer_name"), 200),
        touch=attribution("", _metadata(subscription.get("metadata") if isinstance(subscription, dict) else None,
                                        invoice.get("metadata"))),
    )


def _record_purchase(inbound: InboundEvent, occurred_at: datetime, *, order_id: str, payment_reference: str,
                     amount: int, currency: str, customer: str, email: str, name: str, touch: dict) -> None:
    result = record_conversion(inbound.program, ConversionInput(
        type="purchase", customer_external_id=customer[:100], email=email, name=name, amount=amount,
        currency=currency.upper(), order_id=order_id[:100], occurred_at=occurred_at,
        metadata={"stripe_event": inbound.external_id}, **touch,
    ))
    purchase = result.conversion
    mark(inbound, Status.PROCESSED, Reason.ALREADY_RECORDED if result.duplicate else Reason.PURCHASE,
         conversion=purchase, order_id=purchase.order_id, payment_reference=payment_reference[:100], amount=amount)
    _apply_waiting_refunds(inbound.program, purchase, payment_reference)


# --- refunds -----------------------------------------------------------------------------

def _charge_refunded(inbound: InboundEvent, charge: dict, occurred_at: datetime) -> None:
    invoice, payment_intent = _id(charge.get("invoice")), _id(charge.get("payment_intent"))
    refunded, total = _amount(charge.get("amount_refunded")), _amount(charge.get("amount"))
    inbound.payment_reference = payment_intent[:100]
    inbound.data = {"amount_refunded": refunded, "fully_refunded": bool(charge.get("refunded")) or refunded >= total,
                    "currency": _text(charge.get("currency"), 3).upper(), "occurred_at": occurred_at.isoformat()}
    purchase = _purchase_of(inbound.program, invoice, payment_intent)
    if purchase is None:
        return mark(inbound, Status.WAITING, Reason.REFUND_WAITING, order_id=(invoice or payment_intent)[:100])
    _apply_refund(inbound, purchase)


def _purchase_of(program, invoice: str, payment_intent: str) -> Conversion | None:
    ids = [value for value in (invoice, payment_intent) if value]
    purchases = Conversion.objects.filter(program=program, type=Conversion.Type.PURCHASE)
    found = purchases.filter(order_id__in=ids).order_by("pk").first() if ids else None
    if found is None and payment_intent:
        known = InboundEvent.objects.filter(program=program, provider=InboundEvent.Provider.STRIPE,
                                            payment_reference=payment_intent, conversion__isnull=False,
                                            conversion__type=Conversion.Type.PURCHASE).order_by("pk").first()
        found = known.conversion if known else None
    return found


def _apply_refund(inbound: InboundEvent, purchase: Conversion) -> None:
    """Count what this event adds to the refunds already counted for the purchase (under a lock)."""
    purchase = Conversion.objects.select_for_update().get(pk=purchase.pk)
    counted = InboundEvent.objects.filter(
        program=inbound.program, provider=InboundEvent.Provider.STRIPE, event_type=REFUND_TYPE,
        order_id=purchase.order_id, status=Status.PROCESSED,
    ).exclude(pk=inbound.pk).aggregate(total=Sum("amount"))["total"] or 0
    refunded = inbound.data["amount_refunded"]
    delta = max(0, refunded - counted)
    if not delta:  # an earlier (or later-sent, earlier-arrived) event already counted this much
        return mark(inbound, Status.PROCESSED, Reason.REFUND_COUNTED, order_id=purchase.order_id, amount=0)
    fully = inbound.data["fully_refunded"]
    result = record_conversion(inbound.program, ConversionInput(
        type="refund", order_id=purchase.order_id, amount=delta, refund_key="" if fully else inbound.external_id,
        currency=inbound.data["currency"], occurred_at=datetime.fromisoformat(inbound.data["occurred_at"]),
        metadata={"stripe_event": inbound.external_id},
    ))
    if result.duplicate:
        reason = Reason.REFUND_COUNTED
    else:
        reason = Reason.REFUND if fully else Reason.PARTIAL_REFUND
    mark(inbound, Status.PROCESSED, reason, order_id=purchase.order_id, amount=delta, conversion=result.conversion)


def _apply_waiting_refunds(program, purchase: Conversion, payment_reference: str) -> None:
    """Refunds that arrived before this purchase: claimed one by one (a conditional UPDATE), applied in order."""
    keys = [value for value in (purchase.order_id, payment_reference) if value]
    waiting = InboundEvent.objects.filter(program=program, provider=InboundEvent.Provider.STRIPE,
                                          status=Status.WAITING, order_id__in=keys).order_by("received_at", "pk")
    for event in waiting:
        if InboundEvent.objects.filter(pk=event.pk, status=Status.WAITING).update(status=Status.RECEIVED):
            event.status = Status.RECEIVED
            act(event, lambda claimed, purchase=purchase: _apply_refund(claimed, purchase))


HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "invoice.paid": _invoice_paid,
    REFUND_TYPE: _charge_refunded,
}
