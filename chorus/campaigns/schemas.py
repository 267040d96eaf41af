"""API schemas for asks, completions and advocate events."""

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from chorus.core.schema_types import IsoDateTime, Metadata, Text

from .models import Ask


class AskIn(Schema):
    """An ask to create; for an update (PATCH) send only the fields to change."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "type": "survey", "title": "Two quick questions", "titles": {"de": "Zwei kurze Fragen"},
        "body": "<p>It takes a minute.</p>", "points": 150, "ends_at": "2026-12-31T23:00:00Z",
        "moderation": "auto", "config": {"questions": [
            {"key": "nps", "kind": "scale", "label": "How likely are you to recommend us?"}]}}]})

    type: str | None = Field(None, description=f"One of: {', '.join(Ask.Type.values)}.")
    status: str | None = Field(None, description="draft | published | archived (default published).")
    title: Text(200) | None = None
    titles: Metadata = Field(None, description="Title per language code (en, ar, de, ja, pl).")
    body: Text(100_000) | None = Field(None, description="Rich text (HTML); unsafe markup is removed.")
    bodies: Metadata = Field(None, description="Body per language code.")
    points: int | None = Field(None, ge=0, le=1_000_000)
    starts_at: IsoDateTime = None
    ends_at: IsoDateTime = None
    audience: str | None = Field(None, description="all | segment | named")
    segment_min_level_id: int | None = Field(None, description="Segment: advocates at this level or above.")
    segment_attributes: Metadata = Field(None, description='e.g. {"language": ["de"], "email_domain": ["acme.com"]}')
    named_advocate_ids: list[int] | None = Field(None, max_length=10_000)
    max_completions: int | None = Field(None, ge=1, description="Overall; null for no limit.")
    max_per_advocate: int | None = Field(None, ge=1, description="Per advocate; null for no limit.")
    moderation: str | None = Field(None, description="auto | review")
    trigger_event: Text(100) | None = Field(None, description="Open only when this event arrives for the advocate.")
    trigger_properties: Metadata = None
    trigger_window_days: int | None = Field(None, ge=1)
    config: Metadata = Field(None, description="Type settings: survey questions, quiz answers, review site…")


class AskOut(Schema):
    id: int
    type: str
    status: str
    title: str
    titles: dict
    body: str
    bodies: dict
    points: int
    starts_at: datetime | None
    ends_at: datetime | None
    is_limited_time: bool
    audience: str
    segment_min_level_id: int | None
    segment_attributes: dict
    named_advocate_ids: list[int]
    max_completions: int | None
    max_per_advocate: int | None
    moderation: str
    trigger_event: str
    trigger_properties: dict
    trigger_window_days: int | None
    config: dict
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_named_advocate_ids(ask) -> list[int]:
        return sorted(advocate.pk for advocate in ask.named_advocates.all())


class AskPageOut(Schema):
    items: list[AskOut]
    next_cursor: str | None


class CompletionIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"advocate_id": 12, "data": {"url": "https://www.linkedin.com/posts/jane-1"}}]})

    advocate_id: int
    data: Metadata = Field(None, description="The type's fields: url, answers by question key, answer, text…")


class CompletionOut(Schema):
    id: int
    ask_id: int
    advocate_id: int
    status: str = Field(description="pending | approved | rejected")
    data: dict
    points: int
    has_evidence: bool
    rejection_reason: str
    decided_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_has_evidence(completion) -> bool:
        return bool(completion.evidence)


class CompletionPageOut(Schema):
    items: list[CompletionOut]
    next_cursor: str | None


class RejectIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "The screenshot does not show the published review."}]})

    reason: Text(500) = Field(description="Shown to the advocate.")


class EventIn(Schema):
    """A named event: an advocate's milestone (it opens the asks waiting for it), or a customer's
    product usage (it counts towards the customer's health score)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "milestone.reached", "advocate_id": 12, "properties": {"milestone": "first-100-orders"},
         "id": "evt_8f2k"},
        {"name": "report.created", "customer_external_id": "cus_1001", "email": "jane@example.com",
         "time": "2026-01-31T12:00:00Z", "properties": {"pages": 3}, "id": "evt_9a1c"}]})

    name: Text(100)
    advocate_id: int | None = None
    customer_external_id: Text(100) = Field(
        "", description="Your id of the customer: the event is their product usage; an unknown customer is created.")
    email: Text(254) = Field("", description="Instead of advocate_id: an advocate's email, else a known customer's "
                                             "(with customer_external_id: the customer's email).")
    time: IsoDateTime = Field(None, description="When it happened (default: now).")
    properties: Metadata = None
    id: Text(100) = Field("", description="Your id for this event: sending it again changes nothing.")


class EventOut(Schema):
    id: int
    name: str
    kind: str = Field(description="advocate (a milestone of an advocate) | customer (product usage of a customer)")
    advocate_id: int | None
    customer_id: int | None = Field(description="The customer whose usage it counts as, if any.")
    properties: dict[str, Any]
    time: datetime = Field(description="When it happened.")
    created: bool = Field(description="False when an event with this id was recorded before.")
    opened_ask_ids: list[int]
    created_at: datetime
