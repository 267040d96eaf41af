"""API schemas for NPS answers and the NPS summary."""

from datetime import date, datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from chorus.core.schema_types import IsoDateTime, Text


class NpsResponseIn(Schema):
    """An NPS answer collected elsewhere. Name the person by `advocate_id`, or by
    `customer_external_id` and/or `email` (a customer of the program, else an advocate)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"customer_external_id": "cus_1001", "score": 9, "comment": "Saves me hours every week.",
         "responded_at": "2026-03-01T10:00:00Z", "external_id": "typeform-8812"},
    ]})

    score: int = Field(description="0 (not at all likely) to 10 (extremely likely).")
    comment: Text(2000) = ""
    responded_at: IsoDateTime = Field(None, description="When the person answered (default: now).")
    customer_external_id: Text(100) = ""
    email: Text(254) = ""
    advocate_id: int | None = None
    external_id: Text(100) = Field("", description="Your id for this answer: a retry with it returns the first.")


class NpsResponseOut(Schema):
    id: int
    score: int
    category: str = Field(description="promoter (9–10) | passive (7–8) | detractor (0–6)")
    comment: str
    source: str = Field(description="email | hub | api")
    responded_at: datetime
    customer_id: int | None
    advocate_id: int | None
    external_id: str


class NpsPeriodOut(Schema):
    start: date
    promoters: int
    passives: int
    detractors: int
    total: int
    nps: float | None


class NpsSummaryOut(Schema):
    start: datetime
    end: datetime
    nps: float | None = Field(description="% promoters − % detractors, one decimal; null without answers.")
    total: int
    promoters: int
    passives: int
    detractors: int
    distribution: list[int] = Field(description="Answers per score, 0 to 10.")
    periods: list[NpsPeriodOut]
