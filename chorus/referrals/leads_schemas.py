"""API schemas of the B2B lead pipeline."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from chorus.core.schema_types import IsoDateTime, MinorUnits, Text


class LeadIn(Schema):
    """A referred lead (source `referral`, with the advocate and the contact's consent) or a
    deal from another channel (source `other`), for comparison."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"source": "referral", "advocate_id": 12, "name": "Sam Lee", "company": "Globex", "email": "sam@globex.example",
         "consent": True, "note": "Their data team is evaluating tools this quarter."},
        {"source": "other", "channel": "Outbound", "name": "Ana Ruiz", "company": "Initech", "email": "ana@initech.example"},
    ]})

    source: Literal["referral", "other"] = "referral"
    advocate_id: int | None = Field(None, description="The referring advocate (required for `referral`).")
    channel: Text(100) = Field("", description="For `other` deals: where the deal came from.")
    name: Text(200)
    company: Text(200)
    email: Text(254) = Field("", description="Required for referred leads; one lead per email in a program.")
    phone: Text(40) = ""
    note: Text(2000) = ""
    consent: bool = Field(False, description="The colleague agreed to be contacted (required for `referral`).")
    deal_value: MinorUnits = Field(0, description="Expected deal value, minor units of the program's currency.")
    submitted_at: IsoDateTime = Field(None, description="ISO 8601 with a time zone; defaults to now.")


class LeadPatch(Schema):
    """Move the lead to its next stage (submitted → qualified → won | lost; submitted → lost)
    and/or set its deal value."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"stage": "qualified"}, {"stage": "won", "deal_value": 1200000}, {"stage": "lost", "lost_reason": "Chose a competitor"},
    ]})

    stage: Literal["submitted", "qualified", "won", "lost"] | None = None
    deal_value: MinorUnits | None = None
    lost_reason: Text(300) = Field("", description="Required when `stage` is lost.")
    at: IsoDateTime = Field(None, description="When the stage changed; defaults to now.")


class LeadOut(Schema):
    id: int
    source: str = Field(description="referral | other")
    advocate_id: int | None
    channel: str
    name: str
    company: str
    email: str
    phone: str
    note: str
    consent_at: datetime | None
    stage: str = Field(description="submitted | qualified | won | lost")
    lost_reason: str
    deal_value: int
    currency: str
    submitted_at: datetime
    qualified_at: datetime | None
    closed_at: datetime | None
    entered_via: str = Field(description="hub | console | api | import")
    conversion_id: int | None = Field(description="The `lead_won` conversion of a won referred lead.")

    @staticmethod
    def resolve_currency(lead) -> str:
        return lead.program.currency


class LeadPageOut(Schema):
    items: list[LeadOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")
