"""API schemas for advocates: enrolment, their link and numbers, rewards and ledger."""

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from chorus.core.schema_types import Text


class AdvocateIn(Schema):
    """Create an advocate, or update the one with this `external_id` (else this `email`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"email": "jane@example.com", "name": "Jane Doe", "external_id": "cus_1001", "language": "de"},
    ]})

    email: Text(254) = Field(description="The advocate's email address (required).")
    name: Text(200) = ""
    external_id: Text(100) = Field("", description="Your id for this person, to upsert by.")
    language: Text(8) = Field("", description="en, ar, de, ja or pl; empty to follow the browser.")


class LinkOut(Schema):
    url: str = Field(description="The personal referral link.")
    code: str
    vanity_code: str
    vanity_url: str
    promo_code: str = Field(description="The code a friend can type at checkout.")
    qr_svg_url: str
    qr_png_url: str


class AdvocateStatsOut(Schema):
    clicks: int = Field(description="Human clicks on the link (bots left out).")
    unique_clicks: int = Field(description="Clicks that were a visitor's first within an hour.")
    signups: int
    purchases: int
    referred_revenue: int = Field(description="Referred purchases minus refunds, minor units of `currency`.")
    currency: str
    points_balance: int
    credit_balance: int = Field(description="Minor units of `currency`.")


class AdvocateOut(Schema):
    id: int
    email: str
    name: str
    external_id: str
    language: str
    status: str = Field(description="pending | active | disabled")
    joined_at: datetime | None
    created_at: datetime
    link: LinkOut
    stats: AdvocateStatsOut

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 12, "email": "jane@example.com", "name": "Jane Doe", "external_id": "cus_1001", "language": "de",
        "status": "active", "joined_at": "2026-01-02T09:00:00Z", "created_at": "2026-01-02T09:00:00Z",
        "link": {"url": "https://chorus.example.com/r/k3m9q2x7va", "code": "k3m9q2x7va", "vanity_code": "jane",
                 "vanity_url": "https://chorus.example.com/r/acme/jane", "promo_code": "JANE-7KQ2M",
                 "qr_svg_url": "https://chorus.example.com/api/v1/links/k3m9q2x7va/qr.svg",
                 "qr_png_url": "https://chorus.example.com/api/v1/links/k3m9q2x7va/qr.png"},
        "stats": {"clicks": 130, "unique_clicks": 96, "signups": 14, "purchases": 5, "referred_revenue": 24500,
                  "currency": "USD", "points_balance": 2500, "credit_balance": 1200},
    }]})


class AdvocateSummaryOut(Schema):
    """An advocate as listed (the link's codes, without the numbers: read one advocate for those)."""

    id: int
    email: str
    name: str
    external_id: str
    language: str
    status: str = Field(description="pending | active | disabled")
    code: str | None = Field(description="The referral link's code (null until the link exists).")
    vanity_code: str = ""
    joined_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_code(advocate) -> str | None:
        link = getattr(advocate, "link", None)
        return link.code if link else None

    @staticmethod
    def resolve_vanity_code(advocate) -> str:
        link = getattr(advocate, "link", None)
        return link.vanity_code if link else ""


class AdvocatePageOut(Schema):
    items: list[AdvocateSummaryOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")


class VanityCodeIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"vanity_code": "jane"}]})

    vanity_code: Text(40) = Field(description="The readable code of `/r/<program>/<code>`; empty to remove it.")


class AdvocateRewardOut(Schema):
    id: int
    rule: str = Field(description="The name of the rule that earned it.")
    conversion_id: int
    kind: str = Field(description="points | credit | percent | coupon")
    amount: int
    currency: str
    status: str = Field(description="pending | approved | issued | denied | clawed_back")
    status_reason: str = Field(description="Why it is pending, denied or clawed back: awaiting_review | refunded | review_denied, or empty.")
    status_reason_text: str = Field(description="The same reason as a sentence in the request's language.")
    hold_until: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_rule(reward) -> str:
        return reward.rule.name


class RewardPageOut(Schema):
    items: list[AdvocateRewardOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")


class LedgerEntryOut(Schema):
    id: int
    unit: str = Field(description="points | credit")
    amount: int = Field(description="Positive for credits, negative for clawbacks and redemptions.")
    currency: str
    reason: str = Field(description="reward | clawback | redemption | redemption_return | adjustment")
    reward_id: int | None
    note: str
    created_at: datetime


class LedgerPageOut(Schema):
    items: list[LedgerEntryOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")
