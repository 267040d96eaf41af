"""API schemas of invitations to join (I5) and of their channels."""

from datetime import date, datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from chorus.core.schema_types import Text


class CustomerRefIn(Schema):
    """A customer of the program, by your id (preferred) or by email address."""

    model_config = ConfigDict(extra="forbid")

    external_id: Text(100) = ""
    email: Text(254) = ""


class JoinInvitationsIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"customers": [{"external_id": "cus_1001"}, {"email": "ana@example.pl"}], "channel": "csm-outreach"},
    ]})

    customers: list[CustomerRefIn] = Field(min_length=1, max_length=500,
                                           description="1–500 customers to invite, each by `external_id` or `email`.")
    channel: Text(60) = Field("", description="The slug of an active channel, or empty for none.")


class JoinInvitationOut(Schema):
    id: int
    email: str
    name: str
    language: str
    customer_id: int | None
    channel: str | None = Field(description="The channel's slug.")
    status: str = Field(description="sent | suppressed (not sent: the address is suppressed) | failed")
    stage: str = Field(description="The furthest step: sent | clicked | joined, or suppressed | failed.")
    send_count: int
    last_sent_at: datetime
    expires_at: datetime = Field(description="When the newest link stops working.")
    clicked_at: datetime | None
    joined_at: datetime | None
    advocate_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_channel(invitation) -> str | None:
        return invitation.channel.slug if invitation.channel_id else None


class SkippedCustomerOut(Schema):
    customer_id: int
    external_id: str
    email: str
    reason: str = Field(description="already_advocate | already_invited | no_email")


class JoinInvitationsOut(Schema):
    invited: list[JoinInvitationOut] = Field(description="Invitations emailed now.")
    not_sent: list[JoinInvitationOut] = Field(description="Invitations recorded but not sent (suppressed address).")
    skipped: list[SkippedCustomerOut] = Field(description="Customers not invited, with the reason.")


class JoinInvitationPageOut(Schema):
    items: list[JoinInvitationOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")


class TargetProgressOut(Schema):
    period: str = Field(description="month | quarter")
    label: str
    start: date
    end: date = Field(description="The first day after the period.")
    target: int = Field(description="Advocates to join in the period; 0 means no target.")
    joined: int
    percent: int


class ChannelFunnelOut(Schema):
    invited: int = Field(description="Invitation emails sent in this channel.")
    clicked: int
    joined_from_invitations: int
    link_visits: int = Field(description="Visitors of the invite link (each counted once a day).")
    link_signups: int
    joined_from_link: int = Field(description="Sign-ups through the link who confirmed their email.")


class ChannelOut(Schema):
    id: int
    name: str
    slug: str
    url: str = Field(description="The channel's shareable invite link.")
    is_active: bool
    target_joined: int
    target_period: str
    progress: TargetProgressOut = Field(description="The current period.")
    funnel: ChannelFunnelOut
    created_at: datetime
