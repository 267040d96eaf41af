"""API schemas of outgoing webhook endpoints and their deliveries."""

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from chorus.core.schema_types import Text


class EndpointIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"url": "https://crm.example.com/hooks/chorus", "event_types": ["reward.issued", "advocate.joined"],
         "description": "CRM sync"},
    ]})

    url: Text(2000) = Field(description="A public https URL (private, loopback and metadata addresses are refused).")
    event_types: list[Text(40)] = Field(min_length=1, max_length=20, description="Events to send, e.g. `reward.issued`.")
    description: Text(200) = ""


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    is_enabled: bool
    disabled_reason: str
    failing_since: datetime | None
    created_at: datetime


class EndpointCreatedOut(EndpointOut):
    secret: str = Field(description="The signing secret (`whsec_…`); returned only now.")


class DeliveryOut(Schema):
    id: int
    msg_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: datetime | None
    created_at: datetime
    succeeded_at: datetime | None


class EndpointPageOut(Schema):
    items: list[EndpointOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")


class DeliveryPageOut(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")
