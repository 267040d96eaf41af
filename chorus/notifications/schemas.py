"""API schemas for program email: templates, test sends, suppression, bounces/complaints."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from chorus.core.schema_types import Text


class TemplateSummaryOut(Schema):
    id: int
    key: str
    name: str
    category: str
    languages: list[str] = Field(description="Languages with a subject written.")
    updated_at: datetime


class TemplatePageOut(Schema):
    items: list[TemplateSummaryOut]


class TemplateOut(TemplateSummaryOut):
    subjects: dict[str, str]
    preheaders: dict[str, str]
    bodies: dict[str, str]
    cta_labels: dict[str, str]
    placeholders: list[str]


class SendTestIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"to_email": "me@example.com", "language": "de", "context": {"name": "Jane", "points": "250"}}]})

    to_email: Text(254)
    language: Text(8) = Field("en", description="en, ar, de, ja or pl.")
    context: dict[str, str] = Field(default_factory=dict, description="Placeholder values; sample values fill the rest.")


class OutboundEmailOut(Schema):
    id: int
    status: str
    status_reason: str
    to_email: str
    template_key: str
    language: str
    created_at: datetime
    sent_at: datetime | None


class SuppressionIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"email": "someone@example.com", "reason": "manual", "detail": "asked by phone"}]})

    email: Text(254)
    reason: Literal["manual", "bounce", "complaint", "unsubscribed"] = "manual"
    detail: Text(500) = ""


class SuppressionOut(Schema):
    email_normalized: str
    reason: str
    detail: str
    source: str
    created_at: datetime


class SuppressionPageOut(Schema):
    items: list[SuppressionOut]
    next_cursor: str | None


class EmailEventIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"type": "bounce", "email": "gone@example.com", "reason": "550 5.1.1 user unknown"}]})

    type: Literal["bounce", "complaint"]
    email: Text(254)
    reason: Text(500) = ""


class EmailEventOut(Schema):
    suppressed: bool
    created: bool = Field(description="False when the address was already suppressed.")
    email_normalized: str
    reason: str
