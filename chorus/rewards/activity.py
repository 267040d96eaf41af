"""An advocate's activity feed: points earned or spent, badges earned and levels reached, newest first."""

from dataclasses import dataclass
from datetime import datetime

from .models import BadgeAward, LedgerEntry, LevelReached

FEED_ITEMS = 30


@dataclass(frozen=True)
class FeedItem:
    kind: str  # points | badge | level
    at: datetime
    entry: LedgerEntry | None = None
    award: BadgeAward | None = None
    level_reached: LevelReached | None = None


def activity_feed(advocate, limit: int = FEED_ITEMS) -> list[FeedItem]:
    """Three small queries (each limited), merged by time; ties keep levels before badges before points."""
    entries = LedgerEntry.objects.filter(advocate=advocate, unit=LedgerEntry.Unit.POINTS).order_by("-created_at", "-pk")
    awards = BadgeAward.objects.filter(advocate=advocate).select_related("badge").order_by("-awarded_at", "-pk")
    levels = LevelReached.objects.filter(advocate=advocate).select_related("level").order_by("-reached_at", "-pk")
    items = [FeedItem("points", entry.created_at, entry=entry) for entry in entries[:limit]]
    items += [FeedItem("badge", award.awarded_at, award=award) for award in awards[:limit]]
    items += [FeedItem("level", row.reached_at, level_reached=row) for row in levels[:limit]]
    order = {"level": 0, "badge": 1, "points": 2}
    items.sort(key=lambda item: (-item.at.timestamp(), order[item.kind]))
    return items[:limit]
