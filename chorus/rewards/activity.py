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


def label_entries(entries) -> list:
    """Give each ledger entry a `label` in the reader's language: the localised title of the ask
    whose completion earned it, else the note written with it (one query for all)."""
    entries = list(entries)
    completion_ids = [int(entry.source_id) for entry in entries
                      if entry.source_type == "campaigns.completion" and entry.source_id.isdigit()]
    titles = {}
    if completion_ids:
        from chorus.campaigns.models import Completion  # campaigns calls rewards: import late

        titles = {str(completion.pk): completion.ask.localized_title()
                  for completion in Completion.objects.filter(pk__in=completion_ids).select_related("ask")}
    for entry in entries:
        entry.label = titles.get(entry.source_id) if entry.source_type == "campaigns.completion" else None
        entry.label = entry.label or entry.note
    return entries


def activity_feed(advocate, limit: int = FEED_ITEMS) -> list[FeedItem]:
    """Three small queries (each limited), merged by time; ties keep levels before badges before points."""
    entries = LedgerEntry.objects.filter(advocate=advocate, unit=LedgerEntry.Unit.POINTS).order_by("-created_at", "-pk")
    awards = BadgeAward.objects.filter(advocate=advocate).select_related("badge").order_by("-awarded_at", "-pk")
    levels = LevelReached.objects.filter(advocate=advocate).select_related("level").order_by("-reached_at", "-pk")
    items = [FeedItem("points", entry.created_at, entry=entry) for entry in label_entries(entries[:limit])]
    items += [FeedItem("badge", award.awarded_at, award=award) for award in awards[:limit]]
    items += [FeedItem("level", row.reached_at, level_reached=row) for row in levels[:limit]]
    order = {"level": 0, "badge": 1, "points": 2}
    items.sort(key=lambda item: (-item.at.timestamp(), order[item.kind]))
    return items[:limit]
