"""The Stripe endpoint of a program: its signing secret, and receiving its events."""

import json

from django.conf import settings
from django.utils.translation import gettext as _

from chorus.core import ratelimit
from chorus.core.errors import ChorusError, MalformedBody, NotFound, RateLimited
from chorus.core.models import audit
from chorus.programs.models import Program

from ...webhooks_in.models import InboundEvent
from ...webhooks_in.services import receive
from .events import handler_for
from .models import StripeEndpoint
from .signature import verify_signature


class NotConfigured(ChorusError):
    status_code = 400
    code = "not_configured"


def set_signing_secret(program, secret: str, *, user=None) -> StripeEndpoint:
    """Set or replace the program's Stripe signing secret; audited (without the secret)."""
    endpoint, created = StripeEndpoint.objects.update_or_create(
        program=program, defaults={"signing_secret": secret, "updated_by": user})
    audit(action="stripe.secret_set" if created else "stripe.secret_replaced", target=endpoint, actor=user,
          workspace=program.workspace, ending=secret[-4:])
    return endpoint


def stripe_endpoint_of(program) -> StripeEndpoint | None:
    return StripeEndpoint.objects.filter(program=program).first()


def _parse(body: bytes) -> dict:
    try:
        event = json.loads(body)
    except (ValueError, RecursionError):
        raise MalformedBody(_("The request body is not valid JSON.")) from None
    valid = (isinstance(event, dict) and isinstance(event.get("id"), str) and event["id"]
             and isinstance(event.get("type"), str) and isinstance(event.get("data"), dict)
             and isinstance(event["data"].get("object"), dict))
    if not valid:
        raise MalformedBody(_("This is not a Stripe event: it needs id, type and data.object."))
    return event


def receive_stripe_event(slug: str, body: bytes, signature_header: str) -> tuple[InboundEvent, bool]:
    """Verify a webhook delivery for the program `slug` and act on its event once.

    Raises NotFound (no such program), RateLimited, NotConfigured (no signing secret yet),
    BadSignature or MalformedBody — each before anything is recorded."""
    program = Program.objects.filter(slug=slug).select_related("workspace").first()
    if program is None:
        raise NotFound(_("No program has this address."))
    try:
        ratelimit.hit(f"stripe-webhook:{program.pk}", settings.CHORUS_STRIPE_WEBHOOK_RATE_LIMIT_PER_MINUTE)
    except RateLimited as error:
        raise RateLimited(_("Too many Stripe events for this program; retry in %(seconds)d seconds.")
                          % {"seconds": error.retry_after}, retry_after=error.retry_after) from None
    endpoint = stripe_endpoint_of(program)
    if endpoint is None:
        raise NotConfigured(_("This program has no Stripe signing secret yet: set it on the console's Integrations page."))
    verify_signature(body, signature_header, endpoint.signing_secret)
    event = _parse(body)
    return receive(program, InboundEvent.Provider.STRIPE, event["id"], event["type"], handler_for(event))
