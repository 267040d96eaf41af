"""API schemas of the content vault and of exclusive events & clubs (`/access-events`)."""

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from chorus.core.schema_types import IsoDateTime, Text

TEXTS = "Texts per language code (ar, de, ja, pl); the plain field is the default-language text."


class ContentIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "article", "title": "How Acme reads its numbers", "titles": {"de": "Wie Acme seine Zahlen liest"},
        "destination_url": "https://acme.example.com/blog/numbers", "share_text": "A good read on dashboards",
    }]})

    kind: Text(8) = Field("article", description="article | image | video | link")
    title: Text(200)
    titles: dict[str, Text(200)] = Field(default_factory=dict, description=TEXTS)
    description: Text(2000) = ""
    descriptions: dict[str, Text(2000)] = Field(default_factory=dict, description=TEXTS)
    share_text: Text(280) = Field("", description="Suggested text advocates post with their link.")
    share_texts: dict[str, Text(280)] = Field(default_factory=dict, description=TEXTS)
    destination_url: Text(500) = Field(description="Where a share click lands; one of the program's allowed destinations. "
                                                   "(Images are uploaded in the console.)")
    is_active: bool = True
    order: int = Field(0, ge=0, le=100_000)


class ContentPatch(Schema):
    """The fields to change; the others stay. (Images are changed in the console.)"""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"is_active": False}, {"order": 1}]})

    kind: Text(8) | None = Field(None, description="article | image | video | link")
    title: Text(200) | None = None
    titles: dict[str, Text(200)] | None = Field(None, description=TEXTS)
    description: Text(2000) | None = None
    descriptions: dict[str, Text(2000)] | None = Field(None, description=TEXTS)
    share_text: Text(280) | None = None
    share_texts: dict[str, Text(280)] | None = Field(None, description=TEXTS)
    destination_url: Text(500) | None = None
    is_active: bool | None = None
    order: int | None = Field(None, ge=0, le=100_000)


class ContentOut(Schema):
    id: int
    kind: str
    title: str
    titles: dict[str, str]
    description: str
    descriptions: dict[str, str]
    share_text: str
    share_texts: dict[str, str]
    destination_url: str
    image_url: str = Field(description="The uploaded image, or empty.")
    is_active: bool
    order: int
    clicks: int = Field(description="Human clicks on shares of this item (bots left out).")
    unique_clicks: int
    signups: int = Field(description="Signups of friends whose referral came from a click on this item.")
    purchases: int
    created_at: datetime


class ContentPageOut(Schema):
    items: list[ContentOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")


class AccessEventIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "event", "title": "Customer dinner", "starts_at": "2026-12-03T19:00:00+01:00",
        "ends_at": "2026-12-03T22:00:00+01:00", "location": "Berlin", "capacity": 24, "points": 300,
    }]})

    kind: Text(8) = Field("event", description="event | club")
    title: Text(200)
    titles: dict[str, Text(200)] = Field(default_factory=dict, description=TEXTS)
    description: Text(4000) = ""
    descriptions: dict[str, Text(4000)] = Field(default_factory=dict, description=TEXTS)
    starts_at: IsoDateTime = Field(None, description="Required for events; clubs have none.")
    ends_at: IsoDateTime = None
    location: Text(300) = ""
    online_url: Text(500) = ""
    capacity: int | None = Field(None, ge=1, le=1_000_000, description="Most yes answers; null for no limit.")
    points: int = Field(0, ge=0, le=1_000_000, description="Points credited at check-in.")
    is_active: bool = True


class AccessEventPatch(Schema):
    """The fields to change; the others stay."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"capacity": 30, "location": "Berlin, Acme HQ"}]})

    kind: Text(8) | None = Field(None, description="event | club")
    title: Text(200) | None = None
    titles: dict[str, Text(200)] | None = Field(None, description=TEXTS)
    description: Text(4000) | None = None
    descriptions: dict[str, Text(4000)] | None = Field(None, description=TEXTS)
    starts_at: IsoDateTime = None
    ends_at: IsoDateTime = None
    location: Text(300) | None = None
    online_url: Text(500) | None = None
    capacity: int | None = Field(None, ge=1, le=1_000_000, description="Most yes answers; null for no limit.")
    points: int | None = Field(None, ge=0, le=1_000_000)
    is_active: bool | None = None


class AccessEventOut(Schema):
    id: int
    kind: str
    title: str
    titles: dict[str, str]
    description: str
    descriptions: dict[str, str]
    starts_at: datetime | None
    ends_at: datetime | None
    location: str
    online_url: str
    capacity: int | None
    points: int
    is_active: bool
    invited: int
    attending: int
    checked_in: int
    created_at: datetime


class AccessEventPageOut(Schema):
    items: list[AccessEventOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")


class InvitationsIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"advocate_ids": [12, 13],
                                                                               "emails": ["jane@example.com"]}]})

    advocate_ids: list[int] = Field(default_factory=list, max_length=5000)
    emails: list[Text(254)] = Field(default_factory=list, max_length=5000)


class InvitationOut(Schema):
    id: int
    advocate_id: int
    code: str = Field(description="The advocate's personal access code.")
    rsvp: str = Field(description="none | yes | no")
    checked_in_at: datetime | None
    created_at: datetime


class InvitationPageOut(Schema):
    items: list[InvitationOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")


class InvitationsOut(Schema):
    invited: list[InvitationOut] = Field(description="Invitations created by this request.")
    already_invited: int
    skipped: int = Field(description="Advocates left out: inactive.")


class CheckInIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"code": "K7QM-2XPA"}]})

    code: Text(32) = Field(description="The access code as shown or typed (any case, dash optional).")


class CheckInOut(Schema):
    invitation: InvitationOut
    advocate_id: int
    points_credited: int
