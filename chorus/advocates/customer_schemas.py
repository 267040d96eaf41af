"""API schemas for customers: upsert one or up to 1,000, read them."""

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field, SkipValidation, field_validator

from chorus.core.api_errors import ErrorOut
from chorus.core.schema_types import IsoDateTime, MinorUnits, Text, invalid

MAX_BULK = 1000
AttributeValue = str | bool | int | float | None


class CustomerIn(Schema):
    """Create a customer, or update the one with this `external_id` (else this `email`).
    Fields left out or empty keep their stored value; `attributes` are merged by name."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"external_id": "cus_1001", "email": "jane@example.com", "name": "Jane Doe", "language": "de",
         "plan": "Pro", "revenue": 129900, "signed_up_at": "2025-03-01T00:00:00Z",
         "account_name": "Initech", "account_domain": "initech.com",
         "attributes": {"followers": 5400, "posts_per_month": 12, "industry": "fintech"}},
    ]})

    external_id: Text(100) = Field("", description="Your id for this customer, to upsert by (or give email).")
    email: Text(254) = ""
    name: Text(200) = ""
    language: Text(16) = Field("", description="A language code such as en, de, ja (the primary tag is kept).")
    plan: Text(100) = ""
    revenue: MinorUnits | None = Field(None, description="Revenue so far, minor units of the program currency.")
    signed_up_at: IsoDateTime = None
    account_name: Text(200) = Field("", description="The customer's company; found by domain, else name, or created.")
    account_domain: Text(200) = ""
    attributes: dict[str, AttributeValue] | None = Field(
        None, description="Any other facts (followers, posts_per_month…): names of lower-case letters, digits, _ . -; "
                          "values text, numbers or true/false; at most 100.")

    def values(self) -> dict:
        return self.model_dump(exclude_none=True)


class CustomerBulkIn(Schema):
    """Up to 1,000 customers. Each item is validated and upserted on its own."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"customers": [
        {"external_id": "cus_1001", "email": "jane@example.com", "name": "Jane Doe"},
        {"external_id": "cus_1002", "email": "sam@example.com", "name": "Sam Lee"},
    ]}]})

    # Items are validated one by one in the endpoint, so one bad item fails only itself.
    customers: SkipValidation[list[CustomerIn]] = Field(description=f"1 to {MAX_BULK} customers, each as for POST /customers.")

    @field_validator("customers", mode="before")
    @classmethod
    def _a_list_of_objects(cls, value: Any) -> list:
        from django.utils.translation import gettext as _

        if not isinstance(value, list):
            raise invalid(_("Send the customers as a JSON array."))
        if not 1 <= len(value) <= MAX_BULK:
            raise invalid(_("Send between 1 and %(max)d customers per request (got %(count)d).")
                          % {"max": MAX_BULK, "count": len(value)})
        return value


class AccountOut(Schema):
    id: int
    name: str
    domain: str
    health_score: int | None


class CustomerOut(Schema):
    id: int
    external_id: str
    email: str
    name: str
    language: str
    plan: str
    revenue: int = Field(description="Minor units of `currency`.")
    currency: str
    signed_up_at: datetime | None
    account: AccountOut | None
    attributes: dict[str, Any]
    health_score: int | None = Field(description="0–100, from usage and outcomes; null until first computed.")
    health_factors: dict[str, Any] = Field(description="What made the score: each factor's value, score, weight and points.")
    last_event_at: datetime | None
    first_seen_at: datetime
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_currency(customer) -> str:
        return customer.program.currency


class CustomerUpsertOut(CustomerOut):
    outcome: str = Field(description="created | updated | unchanged")


class CustomerPageOut(Schema):
    items: list[CustomerOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")


class BulkItemOut(Schema):
    index: int = Field(description="The item's position in `customers`, from 0.")
    ok: bool
    status: int = Field(description="What POST /customers would have answered for this item: 201, 200 or 422.")
    outcome: str | None = Field(None, description="created | updated | unchanged")
    id: int | None = None
    error: ErrorOut | None = None


class CustomerBulkOut(Schema):
    """Always 200 when the envelope is valid: look at each item's `ok` and `status`."""

    created: int
    updated: int
    unchanged: int
    failed: int
    results: list[BulkItemOut]
