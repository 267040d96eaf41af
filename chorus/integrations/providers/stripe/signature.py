"""Stripe's webhook signature scheme, checked without the Stripe SDK.

`Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]`: each v1 is the hex
HMAC-SHA256 of `"<t>.<raw body>"` keyed with the endpoint's signing secret (`whsec_…`).
A request passes when one v1 matches (compared in constant time) and t is within the
tolerance of now (Stripe's default: 300 seconds). Other schemes (v0) are ignored.
"""

import hashlib
import hmac
import time

from django.utils.translation import gettext as _

from chorus.core.errors import ChorusError

TOLERANCE_SECONDS = 300


class BadSignature(ChorusError):
    status_code = 400
    code = "bad_signature"


def compute_signature(secret: str, timestamp: int | str, payload: bytes) -> str:
    signed = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify_signature(payload: bytes, header: str, secret: str, *, tolerance: int = TOLERANCE_SECONDS,
                     now: float | None = None) -> None:
    """Raise BadSignature unless `header` signs `payload` with `secret`, recently enough."""
    if not header:
        raise BadSignature(_("The Stripe-Signature header is missing."))
    timestamp, signatures = "", []
    for element in header.split(","):
        key, _equals, value = element.strip().partition("=")
        if key == "t":
            timestamp = value
        elif key == "v1":
            signatures.append(value)
    if not timestamp.isascii() or not timestamp.isdigit():
        raise BadSignature(_("The Stripe-Signature header has no timestamp."))
    if not signatures:
        raise BadSignature(_("The Stripe-Signature header has no v1 signature."))
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        raise BadSignature(_("The Stripe-Signature timestamp is more than %(seconds)d seconds from now.")
                           % {"seconds": tolerance})
    expected = compute_signature(secret, timestamp, payload).encode()
    if not any(hmac.compare_digest(expected, signature.encode("utf-8", "replace")) for signature in signatures):
        raise BadSignature(_("No signature in the Stripe-Signature header matches this endpoint's signing secret."))
