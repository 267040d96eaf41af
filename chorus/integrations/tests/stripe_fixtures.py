"""Stripe events shaped as Stripe sends them (API objects trimmed to the fields that matter),
and a signer that follows Stripe's documented scheme: v1 = hex HMAC-SHA256 of "<t>.<raw body>"."""

import hashlib
import hmac
import json
import time

SECRET = "whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH"
CREATED = 1_767_225_600  # 2026-01-01T00:00:00Z


def sign(body: bytes, secret: str = SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(event_id: str, event_type: str, data_object: dict, created: int = CREATED) -> dict:
    return {"id": event_id, "object": "event", "api_version": "2024-06-20", "created": created,
            "data": {"object": data_object}, "livemode": False, "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None}, "type": event_type}


def checkout_session(*, session_id="cs_test_a1", payment_intent="pi_3MtwBwLkdIwHu7ix28a3tqPa", amount=4900,
                     client_reference_id=None, metadata=None, customer="cus_NffrFeUfNV2Hib",
                     email="jenny.rosen@example.com", invoice=None, mode="payment", payment_status="paid") -> dict:
    return {
        "id": session_id, "object": "checkout.session", "amount_subtotal": amount, "amount_total": amount,
        "client_reference_id": client_reference_id, "currency": "usd", "customer": customer,
        "customer_details": {"email": email, "name": "Jenny Rosen", "phone": None, "tax_exempt": "none"},
        "customer_email": None, "invoice": invoice, "livemode": False, "metadata": metadata or {}, "mode": mode,
        "payment_intent": payment_intent, "payment_status": payment_status, "status": "complete",
        "subscription": None, "success_url": "https://example.com/success",
    }


def invoice(*, invoice_id="in_1MtHbELkdIwHu7ixl4OzzPMv", amount_paid=4900, customer="cus_NffrFeUfNV2Hib",
            email="jenny.rosen@example.com", billing_reason="subscription_cycle", metadata=None,
            payment_intent="pi_3Renewal") -> dict:
    return {
        "id": invoice_id, "object": "invoice", "amount_due": amount_paid, "amount_paid": amount_paid,
        "amount_remaining": 0, "billing_reason": billing_reason, "currency": "usd", "customer": customer,
        "customer_email": email, "customer_name": "Jenny Rosen", "metadata": metadata or {}, "paid": True,
        "payment_intent": payment_intent, "status": "paid", "subscription": "sub_1MowQVLkdIwHu7ixeRlqHVzs",
        "subscription_details": {"metadata": {}},
    }


def charge(*, charge_id="ch_3MmlLrLkdIwHu7ix0snN0B15", payment_intent="pi_3MtwBwLkdIwHu7ix28a3tqPa", amount=4900,
           amount_refunded=4900, invoice=None) -> dict:
    return {
        "id": charge_id, "object": "charge", "amount": amount, "amount_captured": amount,
        "amount_refunded": amount_refunded, "billing_details": {"email": "jenny.rosen@example.com"},
        "currency": "usd", "customer": "cus_NffrFeUfNV2Hib", "invoice": invoice, "paid": True,
        "payment_intent": payment_intent, "refunded": amount_refunded == amount, "status": "succeeded",
    }


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, indent=2).encode()
