"""Outgoing webhooks, signed per the Standard Webhooks specification (https://www.standardwebhooks.com/).

Domain services call `emit`/`emit_many` where an event happens; messages are written in the
same transaction (an outbox: exactly once per (program, event type, source key)) and the
HTTP requests are sent by background tasks after commit.
"""

from .events import EventType, emit, emit_many

__all__ = ["EventType", "emit", "emit_many"]
