"""Badges awarded by rules. Placeholder interface until the badges work lands: callers
(completions, referrals, check-ins) call `award_earned_badges` after crediting points."""


def award_earned_badges(advocate) -> list:
    """Award every badge the advocate now qualifies for, each once; returns the new awards."""
    return []
