"""The integrations app's models live beside their code; Django finds them here."""

from .providers.stripe.models import StripeEndpoint
from .webhooks_in.models import InboundEvent

__all__ = ["InboundEvent", "StripeEndpoint"]
