"""Levels: the default set a program starts with, and where an advocate stands."""

from dataclasses import dataclass

from django.db import transaction

from . import points
from .models import Level

# Every program starts with these (I6); the marketer may rename, re-threshold or remove them.
DEFAULT_LEVELS = [
    {"min_points_earned": 0, "color": "#6b7280",
     "names": {"en": "Fan", "ar": "معجب", "de": "Fan", "ja": "ファン", "pl": "Fan"},
     "descriptions": {"en": "Welcome aboard.", "ar": "أهلاً بك معنا.", "de": "Willkommen an Bord.",
                      "ja": "ようこそ。", "pl": "Witamy na pokładzie."}},
    {"min_points_earned": 500, "color": "#2563eb",
     "names": {"en": "Insider", "ar": "من الداخل", "de": "Insider", "ja": "インサイダー", "pl": "Insider"},
     "descriptions": {"en": "You know us well.", "ar": "أنت تعرفنا جيداً.", "de": "Sie kennen uns gut.",
                      "ja": "私たちをよく知る方です。", "pl": "Dobrze nas znasz."}},
    {"min_points_earned": 2000, "color": "#7c3aed",
     "names": {"en": "Champion", "ar": "بطل", "de": "Champion", "ja": "チャンピオン", "pl": "Mistrz"},
     "descriptions": {"en": "You bring others along.", "ar": "أنت تجلب الآخرين معك.", "de": "Sie bringen andere mit.",
                      "ja": "仲間を連れてきてくれる方です。", "pl": "Przyciągasz innych."}},
    {"min_points_earned": 5000, "color": "#d97706",
     "names": {"en": "Legend", "ar": "أسطورة", "de": "Legende", "ja": "レジェンド", "pl": "Legenda"},
     "descriptions": {"en": "The heart of our community.", "ar": "قلب مجتمعنا.", "de": "Das Herz unserer Community.",
                      "ja": "コミュニティの中心です。", "pl": "Serce naszej społeczności."}},
]


@transaction.atomic
def install_default_levels(program) -> list[Level]:
    """Create the default levels unless the program has levels already (idempotent)."""
    if program.levels.exists():
        return list(program.levels.all())
    return [Level.objects.create(program=program, rank=rank, name=spec["names"]["en"],
                                 description=spec["descriptions"]["en"], **spec)
            for rank, spec in enumerate(DEFAULT_LEVELS)]


@dataclass(frozen=True)
class Standing:
    """Where an advocate stands: points earned, current level, the next one and the way there."""

    earned: int
    level: Level | None
    next_level: Level | None

    @property
    def points_to_next(self) -> int:
        return max(self.next_level.min_points_earned - self.earned, 0) if self.next_level else 0

    @property
    def progress_percent(self) -> int:
        """Progress from the current level's threshold to the next one, 0–100."""
        if self.next_level is None:
            return 100
        start = self.level.min_points_earned if self.level else 0
        span = self.next_level.min_points_earned - start
        return min(100, max(0, (self.earned - start) * 100 // span)) if span > 0 else 100


def level_for_points(program, earned: int) -> tuple[Level | None, Level | None]:
    """(current level, next level) for `earned` lifetime points in `program`."""
    current = next_level = None
    for level in program.levels.order_by("min_points_earned"):
        if level.min_points_earned <= earned:
            current = level
        elif next_level is None:
            next_level = level
    return current, next_level


def standing(advocate) -> Standing:
    earned = points.lifetime_earned(advocate)
    current, next_level = level_for_points(advocate.program, earned)
    return Standing(earned=earned, level=current, next_level=next_level)
