"""API schemas for conversions (what the merchant's server reports) and their outcome."""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, SkipValidation, field_validator

from chorus.core.api_errors import ErrorOut
from chorus.core.schema_types import IsoDateTime, Metadata, MinorUnits, Text, invalid

from .services.conversions import ConversionInput

MAX_BATCH = 1000

PURCHASE_EXAMPLE = {
    "type": "purchase",
    "customer_external_id": "cus_8812",
    "email": "sam@example.org",
    "name": "Sam Lee",
    "click_id": "AQAAAAAAAAAqAAAAAAAAAAFn...",
    "amount": 4900,
    "currency": "USD",
    "order_id": "order_10231",
    "occurred_at": "2026-01-31T12:00:00Z",
    "metadata": {"plan": "pro"},
}


class ConversionIn(Schema):
    """One event from the merchant: a signup, a purchase, or a refund of an earlier purchase.

    Attribution uses, in order: `click_id`, `promo_code`, `referral_code`, the customer's
    earlier attribution, and a refer-by-email claim made on the friend page. An unknown
    code is not an error: the conversion is recorded without attribution.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        PURCHASE_EXAMPLE,
        {"type": "signup", "customer_external_id": "cus_8812", "email": "sam@example.org", "promo_code": "JANE-7KQ2M"},
        {"type": "refund", "order_id": "order_10231"},
        {"type": "refund", "order_id": "order_10231", "refund_id": "re_3MtwBw", "amount": 1500},
    ]})

    type: Literal["signup", "purchase", "refund"] = Field(description="What happened.")
    customer_external_id: Text(100) = Field("", description="Your id for the customer (give it or `email`).")
    email: Text(254) = Field("", description="The customer's email address.")
    name: Text(200) = Field("", description="The customer's name.")
    click_id: Text(100) = Field("", description="The `chorus_click` value the snippet kept from the referral link.")
    promo_code: Text(64) = Field("", description="An advocate's promo code typed at checkout.")
    referral_code: Text(100) = Field("", description="An advocate's referral or vanity code (`?ref=`).")
    amount: MinorUnits = Field(0, description="Integer amount in minor units (1250 = 12.50). Refunds default to the full purchase.")
    currency: Text(3) = Field("", description="ISO 4217 code; defaults to the program's currency.")
    order_id: Text(100) = Field("", description="Your order id: a purchase is recorded once per order id; a refund names it.")
    occurred_at: IsoDateTime = Field(None, description="ISO 8601 with a time zone; defaults to now.")
    metadata: Metadata = Field(None, description="Any JSON object you want kept with the event (at most 4 KB).")
    refund_id: Text(60) = Field("", description=(
        "Refunds only: your id for a partial refund. Each partial refund is recorded once and lowers "
        "referred revenue by its `amount`; rewards stay. A refund without it is the order's full "
        "refund and reverses the purchase's rewards."))

    def to_input(self) -> ConversionInput:
        return ConversionInput(
            type=self.type, customer_external_id=self.customer_external_id, email=self.email, name=self.name,
            click_id=self.click_id, promo_code=self.promo_code, referral_code=self.referral_code,
            amount=self.amount, currency=self.currency, order_id=self.order_id, occurred_at=self.occurred_at,
            metadata=self.metadata or {}, refund_key=self.refund_id if self.type == "refund" else "",
        )


class AttributionOut(Schema):
    referral_id: int
    advocate_id: int
    reason: str = Field(description="click | promo_code | referral_code | name_email")
    review: str = Field(description="clean | flagged (waiting for a marketer) | approved | denied")
    flag: str = Field(description="Why it was flagged: self_referral | existing_customer | duplicate_friend, or empty.")
    rewardable: bool


class RewardOut(Schema):
    id: int
    side: str = Field(description="advocate | friend")
    advocate_id: int | None
    kind: str = Field(description="points | credit | percent | coupon")
    amount: int = Field(description="Points, or minor units of `currency`.")
    currency: str
    status: str = Field(description="pending | approved | issued | denied | clawed_back")
    hold_until: datetime | None
    code: str = Field(description="The friend's discount code, for coupon rewards.")


class ConversionOut(Schema):
    id: int
    type: str
    duplicate: bool = Field(description="True when this event was recorded before (same order id, or a repeated signup).")
    customer_external_id: str
    amount: int
    currency: str
    order_id: str
    occurred_at: datetime
    attribution: AttributionOut | None
    rewards: list[RewardOut]

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 1042, "type": "purchase", "duplicate": False, "customer_external_id": "cus_8812", "amount": 4900,
        "currency": "USD", "order_id": "order_10231", "occurred_at": "2026-01-31T12:00:00Z",
        "attribution": {"referral_id": 77, "advocate_id": 12, "reason": "click", "review": "clean", "flag": "",
                        "rewardable": True},
        "rewards": [{"id": 301, "side": "advocate", "advocate_id": 12, "kind": "points", "amount": 500,
                     "currency": "", "status": "pending", "hold_until": "2026-03-02T12:00:00Z", "code": ""}],
    }]})

    @classmethod
    def from_result(cls, result) -> "ConversionOut":
        """Built without validation (`model_construct`): every value comes from saved model
        fields of the documented types, and this runs once per item of a 1,000-item batch.
        test_schemas checks it against the validated construction."""
        conversion, referral = result.conversion, result.conversion.referral
        return cls.model_construct(
            id=conversion.pk, type=conversion.type, duplicate=result.duplicate,
            customer_external_id=conversion.customer.external_id, amount=conversion.amount,
            currency=conversion.currency, order_id=conversion.order_id, occurred_at=conversion.occurred_at,
            attribution=None if referral is None else AttributionOut.model_construct(
                referral_id=referral.pk, advocate_id=referral.advocate_id, reason=referral.reason,
                review=referral.review, flag=referral.flag, rewardable=referral.rewardable,
            ),
            rewards=[RewardOut.model_construct(
                id=reward.pk, side=reward.side, advocate_id=reward.advocate_id, kind=reward.kind, amount=reward.amount,
                currency=reward.currency, status=reward.status, hold_until=reward.hold_until, code=reward.code,
            ) for reward in sorted(result.rewards, key=lambda reward: reward.pk)],
        )


class ConversionBatchIn(Schema):
    """Up to 1,000 conversions (backfills). Each item is validated and recorded on its own."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"conversions": [
        {"type": "signup", "customer_external_id": "cus_8812", "email": "sam@example.org", "promo_code": "JANE-7KQ2M"},
        PURCHASE_EXAMPLE,
    ]}]})

    # Items are validated one by one in the endpoint, so one bad item fails only itself.
    conversions: SkipValidation[list[ConversionIn]] = Field(
        description=f"1 to {MAX_BATCH} conversions, each as for POST /conversions.")

    @field_validator("conversions", mode="before")
    @classmethod
    def _a_list_of_objects(cls, value: Any) -> list:
        from django.utils.translation import gettext as _

        if not isinstance(value, list):
            raise invalid(_("Send the conversions as a JSON array."))
        if not 1 <= len(value) <= MAX_BATCH:
            raise invalid(_("Send between 1 and %(max)d conversions per request (got %(count)d).")
                          % {"max": MAX_BATCH, "count": len(value)})
        return value


class BatchItemOut(Schema):
    index: int = Field(description="The item's position in `conversions`, from 0.")
    ok: bool
    status: int = Field(description="What POST /conversions would have answered for this item: 201, 200, 404, 422…")
    result: ConversionOut | None = None
    error: ErrorOut | None = None


class ConversionBatchOut(Schema):
    """Always 200 when the envelope is valid: look at each item's `ok` and `status`."""

    recorded: int = Field(description="Items recorded now (status 201).")
    duplicates: int = Field(description="Items recorded before (status 200).")
    failed: int = Field(description="Items refused (see their `error`).")
    results: list[BatchItemOut]


class ConversionRecordOut(Schema):
    """A recorded conversion as listed (refunds are their own rows, pointing at the purchase)."""

    id: int
    type: str = Field(description="signup | purchase | refund | lead_won")
    customer_id: int
    customer_external_id: str
    referral_id: int | None
    advocate_id: int | None = Field(description="The advocate credited, when the conversion was referred.")
    amount: int = Field(description="Minor units of `currency`.")
    currency: str
    order_id: str
    refunded_conversion_id: int | None
    occurred_at: datetime
    trust: str = Field(description="server | browser")
    metadata: dict
    created_at: datetime

    @staticmethod
    def resolve_customer_external_id(conversion) -> str:
        return conversion.customer.external_id

    @staticmethod
    def resolve_advocate_id(conversion) -> int | None:
        return conversion.referral.advocate_id if conversion.referral_id else None


class ConversionPageOut(Schema):
    items: list[ConversionRecordOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")
