from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    ADVOCATE = "advocate", _("Advocate")
    FRIEND = "friend", _("Friend")


class RewardRule(models.Model):
    """What a conversion earns, for the advocate or the friend (double-sided)."""

    class Event(models.TextChoices):
        SIGNUP = "signup", _("Friend signs up")
        FIRST_PURCHASE = "first_purchase", _("Friend's first purchase")
        PURCHASE = "purchase", _("Every purchase (up to a limit)")
        LEAD_WON = "lead_won", _("A referred B2B lead is won")

    class Kind(models.TextChoices):
        POINTS = "points", _("Fixed points")
        CREDIT = "credit", _("Fixed credit")
        PERCENT = "percent", _("Percent of the purchase (credit)")
        COUPON = "coupon", _("Discount code")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="reward_rules")
    name = models.CharField(_("name"), max_length=120)
    side = models.CharField(_("who is rewarded"), max_length=8, choices=Side.choices, default=Side.ADVOCATE)
    event = models.CharField(_("when"), max_length=16, choices=Event.choices)
    kind = models.CharField(_("reward"), max_length=8, choices=Kind.choices)
    amount = models.BigIntegerField(_("amount"), default=0, help_text=_("Points, or credit/discount in minor units."))
    percent_basis_points = models.PositiveIntegerField(_("percent (basis points)"), default=0, help_text=_("1000 = 10%"))
    min_purchase_amount = models.BigIntegerField(_("minimum purchase (minor units)"), default=0)
    max_purchases = models.PositiveIntegerField(_("purchases rewarded per friend"), null=True, blank=True)
    monthly_cap = models.PositiveIntegerField(_("rewards per advocate per month"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["side", "event", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self) -> str:
        return "points" if self.kind == self.Kind.POINTS else "credit"


class Reward(models.Model):
    """Something owed to an advocate or a friend: pending → approved → issued, or denied / clawed back."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        ISSUED = "issued", _("Issued")
        DENIED = "denied", _("Denied")
        CLAWED_BACK = "clawed_back", _("Clawed back")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="rewards")
    rule = models.ForeignKey(RewardRule, on_delete=models.PROTECT, related_name="rewards")
    conversion = models.ForeignKey("referrals.Conversion", on_delete=models.CASCADE, related_name="rewards")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="rewards")
    side = models.CharField(max_length=8, choices=Side.choices)
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.CASCADE, null=True, blank=True, related_name="rewards")
    customer = models.ForeignKey("advocates.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="rewards")
    kind = models.CharField(max_length=8, choices=RewardRule.Kind.choices)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, blank=True)
    code = models.CharField(max_length=40, blank=True, help_text="Discount code for coupon rewards.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    status_reason = models.CharField(max_length=32, blank=True, choices=[
        ("awaiting_review", _("Waiting for the referral to be reviewed")),
        ("refunded", _("The order was refunded")),
        ("review_denied", _("Denied after review")),
    ], help_text="A reason code, translated when shown; details in status_reason_data.")
    status_reason_data = models.JSONField(default=dict, blank=True)
    hold_until = models.DateTimeField(null=True, blank=True, db_index=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "conversion"], name="reward_once_per_rule_and_conversion"),
            models.CheckConstraint(
                condition=Q(advocate__isnull=False) | Q(customer__isnull=False), name="reward_has_recipient"
            ),
        ]

    @property
    def unit(self) -> str:
        return "points" if self.kind == RewardRule.Kind.POINTS else "credit"

    @property
    def status_reason_text(self) -> str:
        """The reason in the reader's language (the active one), with its details."""
        order = self.status_reason_data.get("order")
        if self.status_reason == "refunded" and order:
            return _("Order %(order)s was refunded") % {"order": order}
        return str(self.get_status_reason_display()) if self.status_reason else ""

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.status})"


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Ledger entries are append-only: write a reversing entry instead.")

    def delete(self):
        raise PermissionError("Ledger entries are append-only: write a reversing entry instead.")

    def balance(self, unit: str) -> int:
        return self.filter(unit=unit).aggregate(total=models.Sum("amount"))["total"] or 0


class LedgerEntry(models.Model):
    """One movement of points or credit. Never updated or deleted (enforced by DB triggers too)."""

    class Unit(models.TextChoices):
        POINTS = "points", _("Points")
        CREDIT = "credit", _("Credit")

    class Reason(models.TextChoices):
        REWARD = "reward", _("Reward issued")
        CLAWBACK = "clawback", _("Reward clawed back")
        REDEMPTION = "redemption", _("Redeemed")
        REDEMPTION_RETURN = "redemption_return", _("Redemption returned")
        ADJUSTMENT = "adjustment", _("Manual adjustment")
        ACTIVITY = "activity", _("Points for an activity")

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="ledger_entries")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries")
    customer = models.ForeignKey("advocates.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries")
    unit = models.CharField(max_length=8, choices=Unit.choices)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries")
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=40, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reward", "reason"], condition=Q(reward__isnull=False), name="ledger_reward_entry_once"
            ),
            models.UniqueConstraint(
                fields=["source_type", "source_id", "reason"], condition=~Q(source_type=""), name="ledger_source_entry_once"
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Ledger entries are append-only: write a reversing entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Ledger entries are append-only: write a reversing entry instead.")

    def __str__(self) -> str:
        return f"{self.amount:+} {self.unit} ({self.reason})"
