from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Level(models.Model):
    """A status tier (Fan → Insider → Champion → Legend) reached by lifetime points earned.

    Spending points never lowers a level: the threshold is compared with points earned,
    not with the balance. `names` and `descriptions` hold the text per language code;
    `name` is the program's default-language text and the fallback."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="levels")
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("0 for the first level, then 1, 2, …"))
    name = models.CharField(_("name"), max_length=80)
    names = models.JSONField(_("name per language"), default=dict, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    descriptions = models.JSONField(_("description per language"), default=dict, blank=True)
    min_points_earned = models.PositiveIntegerField(_("points earned to reach it"), default=0)
    color = models.CharField(_("colour"), max_length=7, default="#6b7280", help_text=_("Hex colour, e.g. #2563eb."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["program", "rank"], name="level_rank_unique_per_program"),
            models.UniqueConstraint(fields=["program", "min_points_earned"], name="level_threshold_unique_per_program"),
            models.CheckConstraint(condition=~Q(rank=0) | Q(min_points_earned=0), name="level_first_starts_at_zero"),
        ]

    def __str__(self) -> str:
        return self.localized_name()

    def localized_name(self, language: str | None = None) -> str:
        return _localized(self.names, self.name, language)

    def localized_description(self, language: str | None = None) -> str:
        return _localized(self.descriptions, self.description, language)


def _localized(texts: dict, fallback: str, language: str | None) -> str:
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return texts.get(language) or fallback


class LevelReached(models.Model):
    """The moment an advocate first reached a level: once per (advocate, level).

    Kept for the activity feed ("You reached Champion") and the level-up email; spending
    never removes one, as levels follow points earned."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="levels_reached")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.CASCADE, related_name="levels_reached")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="reached_by")
    points_earned = models.PositiveIntegerField(default=0)
    reached_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-reached_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["advocate", "level"], name="level_reached_once")]

    def __str__(self) -> str:
        return f"{self.advocate_id} reached {self.level_id}"
