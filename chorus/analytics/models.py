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
