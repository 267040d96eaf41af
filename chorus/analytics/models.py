from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RevenueCredit(models.Model):
    """One advocate's share of one conversion's revenue under one credit model.

    Derived data, not a ledger: the rows of a conversion are rewritten when the program's
    credit model changes (`chorus.analytics.credits.recompute_credits`). The amounts of a
    conversion's rows add up exactly to its amount (negative for a refund)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="revenue_credits")
    conversion = models.ForeignKey("referrals.Conversion", on_delete=models.CASCADE, related_name="revenue_credits")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.CASCADE, related_name="revenue_credits")
    model = models.CharField(max_length=16)
    amount = models.BigIntegerField(help_text="Minor units; negative for a refund.")
    weight_ppm = models.PositiveIntegerField(help_text="The advocate's share in parts per million.")
    touches = models.PositiveSmallIntegerField(default=1, help_text="Clicks of this advocate's link counted.")
    occurred_at = models.DateTimeField(help_text="The conversion's time, for date ranges.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversion", "advocate"], name="one_credit_per_conversion_advocate"),
        ]
        indexes = [models.Index(fields=["program", "occurred_at"], name="credit_program_time_idx")]

    def __str__(self) -> str:
        return f"{self.amount} of {self.conversion_id} to {self.advocate_id} ({self.model})"


class InfluenceWeights(models.Model):
    """How much each part counts in a program's influence score, in percent (they add up to 100)."""

    PARTS = ("revenue", "referrals", "completions", "shares", "engagement")
    DEFAULTS = {"revenue": 40, "referrals": 25, "completions": 15, "shares": 10, "engagement": 10}

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="influence_weights")
    revenue = models.PositiveSmallIntegerField(_("attributed revenue"), default=40)
    referrals = models.PositiveSmallIntegerField(_("converted referrals"), default=25)
    completions = models.PositiveSmallIntegerField(_("approved ask completions"), default=15)
    shares = models.PositiveSmallIntegerField(_("content shares"), default=10)
    engagement = models.PositiveSmallIntegerField(_("active weeks"), default=10)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(revenue__lte=100, referrals__lte=100, completions__lte=100, shares__lte=100,
                            engagement__lte=100),
                name="influence_weights_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"influence weights of {self.program_id}"

    def as_dict(self) -> dict[str, int]:
        return {part: getattr(self, part) for part in self.PARTS}


class AcquisitionCost(models.Model):
    """A cost a marketer spent on acquiring customers in one month through one channel.

    `channel` is either `REFERRAL_CHANNEL` (costs of the referral program beyond the rewards
    the ledger already holds: agency fees, software, swag) or the name of another channel,
    matched (case-insensitively) to the `channel` column of imported customers. Used by the
    CAC metrics; a month's cost counts in the range that holds the month's first day."""

    REFERRAL_CHANNEL = "referral program"

    class Category(models.TextChoices):
        ADVERTISING = "advertising", _("Advertising")
        SOFTWARE = "software", _("Software and tools")
        STAFF = "staff", _("Staff and agencies")
        REWARDS = "rewards", _("Rewards paid outside Chorus")
        EVENTS = "events", _("Events")
        OTHER = "other", _("Other")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="acquisition_costs")
    month = models.DateField(_("month"), help_text=_("The first day of the month the money was spent in."))
    channel = models.CharField(_("channel"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.OTHER)
    amount = models.BigIntegerField(_("amount"), help_text="Minor units of the program's currency.")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "channel", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="acquisition_cost_positive"),
        ]
        indexes = [models.Index(fields=["program", "month"], name="acquisition_cost_month_idx")]

    def __str__(self) -> str:
        return f"{self.amount} for {self.channel} in {self.month:%Y-%m}"

    @property
    def is_referral(self) -> bool:
        return self.channel.strip().casefold() == self.REFERRAL_CHANNEL


# --- rollups (issue 5 §7): what the program dashboard reads -------------------------------------
# Kept up to date where the facts are written (chorus.analytics.rollups), rebuilt from the
# source tables by `rebuild_rollups`. Days are calendar days in settings.TIME_ZONE. Counters
# only ever change by `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`, so concurrent
# writers add up instead of overwriting each other.

class ProgramDayRollup(models.Model):
    """One program's funnel on one day through one channel (`chorus.analytics.channels`)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    channel = models.CharField(max_length=16)
    clicks = models.BigIntegerField(default=0)
    unique_clicks = models.BigIntegerField(default=0)
    signups = models.BigIntegerField(default=0)
    purchases = models.BigIntegerField(default=0)
    purchased = models.BigIntegerField(default=0, help_text="Referred purchases, minor units.")
    refunded = models.BigIntegerField(default=0, help_text="Referred refunds, minor units (positive).")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "day", "channel"], name="program_day_rollup_key")]

    def __str__(self) -> str:
        return f"{self.program_id} {self.day} {self.channel}"


class AdvocateDayRollup(models.Model):
    """One advocate's referred conversions on one day."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    signups = models.BigIntegerField(default=0)
    purchases = models.BigIntegerField(default=0)
    purchased = models.BigIntegerField(default=0)
    refunded = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["advocate", "day"], name="advocate_day_rollup_key")]
        indexes = [models.Index(fields=["program", "day"], name="advocate_day_rollup_day_idx")]

    def __str__(self) -> str:
        return f"{self.advocate_id} {self.day}"


class AdvocateRollup(models.Model):
    """One advocate's referred conversions of all time: the order in which the dashboard looks
    for its top advocates (an advocate's revenue in any range is at most `purchased`)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    advocate = models.OneToOneField("advocates.Advocate", on_delete=models.CASCADE, related_name="+")
    signups = models.BigIntegerField(default=0)
    purchases = models.BigIntegerField(default=0)
    purchased = models.BigIntegerField(default=0)
    refunded = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["program", "-purchased", "advocate"], name="advocate_rollup_rank_idx")]

    def __str__(self) -> str:
        return f"{self.advocate_id}"


class AskDayRollup(models.Model):
    """Completions of one ask submitted on one day; approved ones and their points."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    ask = models.ForeignKey("campaigns.Ask", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    completions = models.BigIntegerField(default=0)
    approved = models.BigIntegerField(default=0)
    points = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ask", "day"], name="ask_day_rollup_key")]
        indexes = [models.Index(fields=["program", "day"], name="ask_day_rollup_day_idx")]

    def __str__(self) -> str:
        return f"{self.ask_id} {self.day}"
