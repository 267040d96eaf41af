"""The integrations app's models live beside their code; Django finds them here."""

from .providers.stripe.models import StripeEndpoint
from .webhooks_in.models import InboundEvent
from .webhooks_out.models import Attempt, Delivery, Endpoint, Message

__all__ = ["Attempt", "Delivery", "Endpoint", "InboundEvent", "Message", "StripeEndpoint"]
