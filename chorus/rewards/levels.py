"""Levels: the default set a program starts with, and where an advocate stands."""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from chorus.core.errors import InvalidInput

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


# --- the console's levels editor -------------------------------------------------------

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_LEVELS = 12
_PARKED = 2_000_000_000  # thresholds are parked up here while the set is rewritten


@dataclass
class LevelInput:
    """One row of the editor: an existing level (`level_id`) or a new one; `delete` removes it."""

    names: dict
    min_points_earned: int
    color: str = "#6b7280"
    level_id: int | None = None
    delete: bool = False


def _check_levels(program, rows: list[LevelInput]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    kept = [row for row in rows if not row.delete]
    if not kept:
        errors["__all__"] = [_("Keep at least one level.")]
        return errors
    if len(kept) > MAX_LEVELS:
        errors["__all__"] = [_("At most %(count)s levels.") % {"count": MAX_LEVELS}]
    thresholds = [row.min_points_earned for row in kept]
    if any(value is None or value < 0 for value in thresholds):
        errors.setdefault("min_points_earned", []).append(_("Points must be 0 or more."))
    elif min(thresholds) != 0:
        errors.setdefault("min_points_earned", []).append(_("The first level must start at 0 points."))
    elif len(set(thresholds)) != len(thresholds):
        errors.setdefault("min_points_earned", []).append(_("Two levels cannot start at the same number of points."))
    if any(not (row.names.get("en") or "").strip() for row in kept):
        errors.setdefault("name", []).append(_("Every level needs an English name."))
    if any(not HEX_COLOR.match(row.color or "") for row in kept):
        errors.setdefault("color", []).append(_("Colours are hex codes such as #2563eb."))
    known = set(program.levels.values_list("pk", flat=True))
    if any(row.level_id is not None and row.level_id not in known for row in rows):
        errors.setdefault("__all__", []).append(_("A level in the form no longer exists. Reload the page."))
    return errors


@transaction.atomic
def save_levels(program, rows: list[LevelInput], *, user=None) -> list[Level]:
    """Replace the program's levels with `rows`, all or nothing.

    The first level starts at 0 points and thresholds are unique; ranks follow the
    thresholds. Removing a level forgets who reached it (levels follow points earned,
    so advocates simply stand at the level below)."""
    from chorus.core.models import audit

    list(program.levels.select_for_update().order_by("pk").values_list("pk"))
    errors = _check_levels(program, rows)
    if errors:
        raise InvalidInput(" ".join(message for messages in errors.values() for message in messages),
                           field_errors=errors)
    existing = {level.pk: level for level in program.levels.all()}
    deleted = [row.level_id for row in rows if row.delete and row.level_id is not None]
    Level.objects.filter(program=program, pk__in=deleted).delete()
    kept = sorted((row for row in rows if not row.delete), key=lambda row: row.min_points_earned)
    for offset, row in enumerate(row for row in kept if row.level_id is not None):  # park: no clash midway
        Level.objects.filter(pk=row.level_id).update(rank=1000 + offset, min_points_earned=_PARKED + offset)
    saved = []
    for rank, row in enumerate(kept):
        names = {code: text.strip() for code, text in row.names.items() if (text or "").strip()}
        level = existing.get(row.level_id) or Level(program=program)
        level.rank, level.min_points_earned, level.color = rank, row.min_points_earned, row.color
        level.names, level.name = names, names["en"][:80]
        level.save()
        saved.append(level)
    audit(action="levels.saved", target=program, actor=user, workspace=program.workspace,
          levels=[[level.name, level.min_points_earned] for level in saved])
    return saved
