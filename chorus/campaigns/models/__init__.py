"""Campaign models, one module per part: asks and completions (`asks.py`), the content
vault and exclusive events (`content.py`)."""

from .content import ContentItem, Event, Invitation

__all__ = ["ContentItem", "Event", "Invitation"]
