from datetime import datetime

from ninja import Field, Schema


class PersonIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"email": "jane@example.com"}]}}

    email: str = Field(..., max_length=254, description="The person's email address (any spelling: matched normalised).")


class ErasureOut(Schema):
    erased: bool = Field(True, description="Always true: the person is erased (now or earlier).")
    already_erased: bool = Field(..., description="True when an earlier request had already erased this person.")
    erased_at: datetime
    email_hash: str = Field(..., description="Keyed hash of the normalised address (the address itself is not kept).")
    advocate_ids: list[int]
    customer_ids: list[int]
    sections: dict[str, int] = Field(..., description="Rows changed or deleted per section by the erasure.")
