"""Rewards models, one module per part: referral rewards and the ledger, levels, badges, catalog."""

from .catalog import CatalogItem, PoolCode, Redemption
from .levels import Level
from .rewards import LedgerEntry, LedgerEntryQuerySet, Reward, RewardRule, Side

__all__ = ["CatalogItem", "PoolCode", "Redemption", "LedgerEntry", "LedgerEntryQuerySet", "Level", "Reward", "RewardRule", "Side"]
