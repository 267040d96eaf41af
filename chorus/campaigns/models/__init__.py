"""Campaign models, one module per part: asks and completions (`asks.py`), the content
vault and exclusive events (`content.py`)."""

from .asks import AdvocateEvent, Ask, AskOpening, Completion
from .content import ContentItem, Event, Invitation

__all__ = ["AdvocateEvent", "Ask", "AskOpening", "Completion", "ContentItem", "Event", "Invitation"]
