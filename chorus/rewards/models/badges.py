from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .levels import _localized


class Badge(models.Model):
    """A badge the program awards by a rule (first referral, 5 reviews, a 4-week streak…).

    `threshold` is the rule's number: referrals, completions, weeks, days after the program
    started, or points earned. `names`/`descriptions` hold the text per language code;
    `name`/`description` are the fallback."""

    class Rule(models.TextChoices):
        REFERRALS = "referrals", _("Friends who became customers")
        COMPLETIONS = "completions", _("Approved completions (optionally of one ask type)")
        STREAK = "streak", _("Weeks in a row with activity")
        EARLY_ADOPTER = "early_adopter", _("Joined within N days of the program's start")
        POINTS_EARNED = "points_earned", _("Points earned")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="badges")
    slug = models.SlugField(_("short name"), max_length=60)
    name = models.CharField(_("name"), max_length=80)
    names = models.JSONField(_("name per language"), default=dict, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    descriptions = models.JSONField(_("description per language"), default=dict, blank=True)
    icon = models.CharField(_("icon"), max_length=8, default="★", help_text=_("An emoji or a symbol."))
    color = models.CharField(_("colour"), max_length=7, default="#2563eb", help_text=_("Hex colour, e.g. #2563eb."))
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    threshold = models.PositiveIntegerField(_("threshold"), default=1)
    ask_type = models.CharField(_("ask type"), max_length=32, blank=True,
                                help_text=_("Only count completions of this ask type (for example review)."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "slug"], name="badge_slug_unique_per_program"),
            models.CheckConstraint(condition=Q(threshold__gte=1) | Q(rule="early_adopter"), name="badge_threshold_positive"),
        ]

    def __str__(self) -> str:
        return self.localized_name()

    def localized_name(self, language: str | None = None) -> str:
        return _localized(self.names, self.name, language)

    def localized_description(self, language: str | None = None) -> str:
        return _localized(self.descriptions, self.description, language)


class BadgeAward(models.Model):
    """A badge an advocate earned: once per (badge, advocate), even when two awards race."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="badge_awards")
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.CASCADE, related_name="badge_awards")
    awarded_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-awarded_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["badge", "advocate"], name="badge_awarded_once")]

    def __str__(self) -> str:
        return f"{self.badge_id} → {self.advocate_id}"


class WallEntry(models.Model):
    """An advocate the marketer features on the program's public wall (R6).

    Shown only while the advocate opts in (`Advocate.feature_on_wall`)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="wall_entries")
    advocate = models.OneToOneField("advocates.Advocate", on_delete=models.CASCADE, related_name="wall_entry")
    quote = models.CharField(_("quote"), max_length=400, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    featured_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    featured_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "position", "featured_at", "pk"]

    def __str__(self) -> str:
        return f"wall: {self.advocate_id}"
