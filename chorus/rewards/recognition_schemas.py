"""API schemas for recognition: an advocate's level standing and badges, the leaderboard."""

from datetime import datetime

from ninja import Schema
from pydantic import Field


class LevelOut(Schema):
    id: int
    rank: int = Field(description="0 for the first level, then 1, 2, …")
    name: str = Field(description="In the request's language (Accept-Language), else the default text.")
    names: dict[str, str] = Field(description="The name per language code.")
    min_points_earned: int
    color: str


class LevelStepOut(LevelOut):
    reached: bool = Field(description="Whether the advocate's points earned reach this level.")
    reached_at: datetime | None = Field(description="When the advocate first reached it (null for the first level).")


class LevelStandingOut(Schema):
    advocate_id: int
    points_earned: int = Field(description="Lifetime points earned, less clawbacks; spending never lowers it.")
    level: LevelOut | None
    next_level: LevelOut | None
    points_to_next: int = Field(description="0 at the top level.")
    progress_percent: int = Field(description="From the current level's threshold to the next one, 0–100.")
    levels: list[LevelStepOut]


class BadgeOut(Schema):
    id: int
    slug: str
    name: str
    names: dict[str, str]
    description: str
    icon: str
    color: str
    rule: str = Field(description="referrals | completions | streak | early_adopter | points_earned")
    threshold: int
    ask_type: str


class BadgeAwardOut(Schema):
    id: int
    badge: BadgeOut
    awarded_at: datetime


class BadgeAwardPageOut(Schema):
    items: list[BadgeAwardOut]
    next_cursor: str | None = Field(description="Pass as `?cursor=` for the next page; null on the last page.")


class LeaderboardRowOut(Schema):
    rank: int = Field(description="Equal points share a rank.")
    advocate_id: int
    name: str = Field(description="First name and initial, as advocates see it.")
    points: int = Field(description="Points earned in the period.")


class LeaderboardOut(Schema):
    period: str = Field(description="month | all")
    items: list[LeaderboardRowOut]
