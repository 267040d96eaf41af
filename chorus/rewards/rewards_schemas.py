"""API schemas of the program's rewards and of referral reviews."""

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from chorus.advocates.schemas import AdvocateRewardOut
from chorus.core.schema_types import Text


class RewardOut(AdvocateRewardOut):
    advocate_id: int | None = Field(description="The advocate it is for (null for a friend's reward).")
    referral_id: int
    updated_at: datetime


class RewardPageOut(Schema):
    items: list[RewardOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"approve": True, "note": "Checked: different household."}, {"approve": False, "note": "Self-referral"}]})

    approve: bool = Field(description="true releases the referral's rewards (after their hold); false denies them.")
    note: Text(2000) = ""


class ReviewOut(Schema):
    referral_id: int
    review: str = Field(description="approved | denied")
    note: str
    reviewed_at: datetime | None
