"""Bounces and complaints reported by the mail provider: by API (with the program's key) or
by a webhook signed with the program's secret. Either suppresses the address.

Webhook signature (Stripe-like): header `Chorus-Signature: t=<unix seconds>,v1=<hex>` where
hex = HMAC-SHA256(secret, "<t>.<raw body>"); a timestamp more than 5 minutes away from now
is refused, so a captured request cannot be replayed later."""

import hashlib
import hmac
import json
import time

from django.utils.translation import gettext as _

from chorus.core.errors import InvalidInput, MalformedBody, NotFound, Unauthorized

from .consent import suppress
from .marketing import email_settings
from .models import Suppression

TOLERANCE_SECONDS = 300
EVENT_REASONS = {"bounce": Suppression.Reason.BOUNCE, "complaint": Suppression.Reason.COMPLAINT}


def record_email_event(program, *, type: str, email: str, reason: str = "", source: str = "api") -> tuple[Suppression, bool]:
    if type not in EVENT_REASONS:
        raise InvalidInput(_("The event has invalid fields."),
                           field_errors={"type": [_("Use “bounce” or “complaint”.")]})
    return suppress(program, email, reason=EVENT_REASONS[type], detail=reason, source=source)


def signature_for(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def _parse_header(header: str) -> tuple[int, list[str]]:
    parts = [part.strip().split("=", 1) for part in (header or "").split(",") if "=" in part]
    timestamps = [value for key, value in parts if key == "t"]
    signatures = [value for key, value in parts if key == "v1"]
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not signatures:
        raise Unauthorized(_("Sign the request: Chorus-Signature: t=<unix time>,v1=<HMAC-SHA256 hex>."))
    return int(timestamps[0]), signatures


def verify_webhook(program, header: str, body: bytes, *, now: float | None = None) -> None:
    timestamp, signatures = _parse_header(header)
    if abs((now or time.time()) - timestamp) > TOLERANCE_SECONDS:
        raise Unauthorized(_("The signature's timestamp is too old or in the future."))
    expected = signature_for(email_settings(program).webhook_secret, timestamp, body)
    if not any(hmac.compare_digest(expected, signature) for signature in signatures):
        raise Unauthorized(_("The signature does not match."))


def handle_webhook(slug: str, header: str, body: bytes) -> list[tuple[Suppression, bool]]:
    """Verify, then record one event or a list of events (all or nothing)."""
    from django.db import transaction

    from chorus.programs.models import Program

    program = Program.objects.filter(slug=slug).first()
    if program is None:
        raise NotFound(_("No such program."))
    verify_webhook(program, header, body)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedBody(_("The body must be JSON.")) from None
    events = payload if isinstance(payload, list) else [payload]
    if not events or len(events) > 1000 or not all(isinstance(event, dict) for event in events):
        raise MalformedBody(_("Send one event object or a list of up to 1,000."))
    with transaction.atomic():
        return [record_email_event(program, type=str(event.get("type", "")), email=str(event.get("email", "")),
                                   reason=str(event.get("reason", ""))[:500], source="webhook") for event in events]
