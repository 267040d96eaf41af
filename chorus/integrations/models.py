"""Models of the integrations app (outgoing webhooks live in webhooks_out/)."""

from .webhooks_out.models import Attempt, Delivery, Endpoint, Message

__all__ = ["Attempt", "Delivery", "Endpoint", "Message"]
