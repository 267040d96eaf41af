"""Rewards models, one module per part: referral rewards and the ledger, levels, badges, catalog."""

from .badges import Badge, BadgeAward, WallEntry
from .catalog import CatalogItem, PoolCode, Redemption
from .levels import Level, LevelReached
from .rewards import LedgerEntry, LedgerEntryQuerySet, Reward, RewardRule, Side

__all__ = ["Badge", "BadgeAward", "CatalogItem", "PoolCode", "Redemption", "LedgerEntry", "LedgerEntryQuerySet", "Level", "LevelReached", "Reward",
           "RewardRule", "Side", "WallEntry"]
