"""API schemas of the program an API key belongs to (`/program`)."""

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from chorus.core.schema_types import Text


class ProgramOut(Schema):
    id: int
    name: str
    slug: str
    kind: str = Field(description="customer | employee | partner")
    is_active: bool
    landing_title: str
    landing_body: str
    friend_offer: str
    advocate_offer: str
    allowed_destinations: list[str]
    default_destination: str
    show_friend_page: bool
    attribution_window_days: int
    attribution_model: str = Field(description="last_touch | first_touch")
    hold_days: int = Field(description="Days a reward waits before it is issued (refund window).")
    currency: str
    credit_model: str = Field(description="last_touch | first_touch | linear | time_decay")
    credit_half_life_days: int
    created_at: datetime
    updated_at: datetime


class ProgramPatch(Schema):
    """The settings to change; the others stay. Validated as a whole, like the console's settings page."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "friend_offer": "25% off your first order", "hold_days": 14,
        "allowed_destinations": ["https://shop.example.com/", "https://shop.example.com/pricing"],
    }]})

    name: Text(120) | None = None
    slug: Text(60) | None = None
    kind: Text(16) | None = None
    is_active: bool | None = None
    landing_title: Text(200) | None = None
    landing_body: Text(20000) | None = None
    friend_offer: Text(200) | None = None
    advocate_offer: Text(200) | None = None
    allowed_destinations: list[Text(500)] | None = Field(None, max_length=50)
    default_destination: Text(500) | None = None
    show_friend_page: bool | None = None
    attribution_window_days: int | None = Field(None, ge=1, le=365)
    attribution_model: Text(16) | None = None
    hold_days: int | None = Field(None, ge=0, le=365)
    currency: Text(3) | None = None
    credit_model: Text(16) | None = None
    credit_half_life_days: int | None = Field(None, ge=1, le=365)


class ApiKeyIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Data warehouse sync", "scopes": ["read"]}]})

    name: Text(100) = Field(description="What the key is for, shown in the console.")
    scopes: list[Text(8)] = Field(default_factory=lambda: ["read", "write"], min_length=1, max_length=3,
                                  description="read, write and/or admin (default read and write).")


class ApiKeyOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The key's public part, as shown in the console (`chorus_<prefix>_…`).")
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreatedOut(ApiKeyOut):
    key: str = Field(description="The secret key. Shown only in this answer: store it now.")


class ApiKeyPageOut(Schema):
    items: list[ApiKeyOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")
