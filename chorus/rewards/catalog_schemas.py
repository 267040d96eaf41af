"""API schemas of the rewards catalog: items and redemptions."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from chorus.core.schema_types import Text

from .models import CatalogItem

Kind = Literal["status", "access", "power", "stuff", "charity", "subscription"]
Fulfilment = Literal["code_pool", "generated_code", "manual", "shipping", "charity"]
Recipient = Literal["advocate", "account"]
Texts = dict[Literal["en", "ar", "de", "ja", "pl"], Text(2000)]


class CauseSchema(Schema):
    model_config = ConfigDict(extra="forbid")

    key: Text(60) = Field("", description="A short id; made from the first name when empty.")
    names: Texts = Field(description="The cause's name per language.")


class CatalogItemPatch(Schema):
    """Change only the fields you send."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"is_active": False}, {"points": 1500, "stock": 40}]})

    kind: Kind | None = None
    title: Text(120) | None = None
    titles: Texts | None = None
    description: Text(2000) | None = None
    descriptions: Texts | None = None
    cost_points: int | None = Field(None, ge=1, le=10**9)
    stock: int | None = Field(None, ge=0, le=10**9, description="Left in stock; null for unlimited.")
    per_advocate_limit: int | None = Field(None, ge=1, le=10**6)
    min_level_id: int | None = Field(None, description="A level of this program; null for everyone.")
    is_active: bool | None = None
    fulfilment: Fulfilment | None = None
    recipient: Recipient | None = None
    is_cash_like: bool | None = None
    value_amount: int | None = Field(None, ge=0, le=10**12)
    causes: list[CauseSchema] | None = None
    subscription_months: int | None = Field(None, ge=1, le=120)
    code_prefix: Text(12) | None = None


class CatalogItemIn(CatalogItemPatch):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "stuff", "title": "$25 gift card", "titles": {"de": "Geschenkkarte über 25 $"},
        "cost_points": 2500, "fulfilment": "code_pool", "is_cash_like": True, "value_amount": 2500,
    }]})

    kind: Kind
    title: Text(120)
    cost_points: int = Field(ge=1, le=10**9)
    fulfilment: Fulfilment = "manual"
    recipient: Recipient = "advocate"


class CatalogItemOut(Schema):
    id: int
    kind: str
    title: str
    titles: dict
    description: str
    descriptions: dict
    cost_points: int
    stock: int | None
    per_advocate_limit: int | None
    min_level_id: int | None
    is_active: bool
    fulfilment: str
    recipient: str
    is_cash_like: bool
    value_amount: int
    causes: list
    subscription_months: int | None
    code_prefix: str
    unused_codes: int | None = Field(description="Codes left in the pool (code_pool items), else null.")
    warnings: list[str] = Field(description="E.g. a cash-like item in a B2B program.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_unused_codes(item: CatalogItem) -> int | None:
        if item.fulfilment != CatalogItem.Fulfilment.CODE_POOL:
            return None
        return item.pool_codes.filter(redemption__isnull=True).count()

    @staticmethod
    def resolve_warnings(item: CatalogItem) -> list[str]:
        from .catalog import item_warnings

        return item_warnings(item)


class CodesIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"codes": ["GIFT-7Q2M-K3X9", "GIFT-8W4N-P2R7"]}]})

    codes: list[Text(100)] = Field(description="Coupon or gift card codes for the item's pool (up to 50,000).")


class CodesOut(Schema):
    added: int
    duplicates_in_request: list[str]
    already_in_pool: list[str]
    unused_codes: int


class CatalogItemPageOut(Schema):
    items: list[CatalogItemOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")


class ShippingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text(200)
    address: Text(500)
    city: Text(100)
    postal_code: Text(20) = ""
    country: Text(2) = Field(description="ISO 3166-1 alpha-2 code, e.g. DE.")


class RedemptionIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"advocate_id": 12, "item_id": 3},
        {"advocate_id": 12, "item_id": 5, "shipping": {"name": "Jane Doe", "address": "1 Main St", "city": "Berlin",
                                                       "postal_code": "10115", "country": "DE"}},
        {"advocate_id": 12, "item_id": 7, "cause": "clean-water"},
    ]})

    advocate_id: int
    item_id: int
    shipping: ShippingIn | None = Field(None, description="Required for items shipped to the advocate.")
    cause: Text(60) = Field("", description="For charity items: the key of one of the item's causes.")


class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "Shipped with DHL, tracking 00340434161094042557"}]})

    note: Text(500) = Field("", description="Shown to the advocate (a reason to reject is required).")


class RedemptionOut(Schema):
    id: int
    item_id: int
    item_title: str
    advocate_id: int
    account_id: int | None = Field(description="Set when the reward went to the advocate's account.")
    cost_points: int
    status: str = Field(description="requested | approved | fulfilled | rejected | cancelled")
    code: str = Field(description="The coupon or gift card code, once fulfilled with one.")
    shipping: dict
    cause: str
    donation_amount: int
    currency: str
    subscription_months: int | None
    status_note: str
    created_at: datetime
    approved_at: datetime | None
    fulfilled_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_item_title(redemption) -> str:
        return redemption.item.title


class RedemptionPageOut(Schema):
    items: list[RedemptionOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")
