"""Campaign models, one module per part: asks and completions (`asks.py`), the content
vault and exclusive events (`content.py`)."""

from .asks import AdvocateEvent, Ask, AskOpening, Completion

__all__ = ["AdvocateEvent", "Ask", "AskOpening", "Completion"]
