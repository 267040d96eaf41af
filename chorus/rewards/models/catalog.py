"""The rewards catalog (R2, R4, R5): items advocates spend points on, code pools, redemptions."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .levels import _localized


class CatalogItem(models.Model):
    """Something advocates redeem points for.

    `titles`/`descriptions` hold the text per language code (like `Level.names`); `title`
    and `description` are the default-language text and the fallback. `stock` is what is
    left (None: unlimited); a code-pool item is also limited by its unused codes."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status (featured, speaking slot, case study)")
        ACCESS = "access", _("Access (event pass, beta, executive dinner)")
        POWER = "power", _("Power (roadmap vote, guest post, advisory board)")
        STUFF = "stuff", _("Stuff (swag, discount, gift card)")
        CHARITY = "charity", _("Charity donation")
        SUBSCRIPTION = "subscription", _("Subscription")

    class Fulfilment(models.TextChoices):
        CODE_POOL = "code_pool", _("Code from an uploaded pool")
        GENERATED_CODE = "generated_code", _("Generated code")
        MANUAL = "manual", _("Manual")
        SHIPPING = "shipping", _("Manual, shipped to the advocate's address")
        CHARITY = "charity", _("Charity donation")

    class Recipient(models.TextChoices):
        ADVOCATE = "advocate", _("The advocate")
        ACCOUNT = "account", _("The advocate's account (organisation)")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="catalog_items")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    titles = models.JSONField(_("title per language"), default=dict, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    descriptions = models.JSONField(_("description per language"), default=dict, blank=True)
    cost_points = models.PositiveIntegerField(_("cost in points"))
    stock = models.PositiveIntegerField(_("stock left"), null=True, blank=True, help_text=_("Empty for unlimited."))
    per_advocate_limit = models.PositiveIntegerField(
        _("limit per advocate"), null=True, blank=True,
        help_text=_("Redemptions per advocate (per account for account rewards); empty for no limit."))
    min_level = models.ForeignKey("rewards.Level", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("minimum level"))
    is_active = models.BooleanField(_("active"), default=True)
    fulfilment = models.CharField(_("fulfilment"), max_length=16, choices=Fulfilment.choices, default=Fulfilment.MANUAL)
    recipient = models.CharField(_("recipient"), max_length=8, choices=Recipient.choices, default=Recipient.ADVOCATE)
    is_cash_like = models.BooleanField(_("cash-like"), default=False,
                                       help_text=_("Gift cards, discounts, cash and the like."))
    value_amount = models.PositiveBigIntegerField(
        _("value (minor units)"), default=0,
        help_text=_("What it is worth in the program's currency, e.g. the donation or the gift card amount; 0 if none."))
    causes = models.JSONField(_("causes"), default=list, blank=True,
                              help_text='Charity causes: [{"key": "...", "names": {"en": "...", ...}}].')
    subscription_months = models.PositiveSmallIntegerField(_("subscription months"), null=True, blank=True)
    code_prefix = models.CharField(_("code prefix"), max_length=12, blank=True,
                                   help_text=_("For generated codes, e.g. SWAG."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cost_points", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cost_points__gt=0), name="catalog_item_cost_positive"),
            models.CheckConstraint(condition=Q(per_advocate_limit__isnull=True) | Q(per_advocate_limit__gt=0),
                                   name="catalog_item_limit_positive"),
        ]

    def __str__(self) -> str:
        return self.localized_title()

    def localized_title(self, language: str | None = None) -> str:
        return _localized(self.titles, self.title, language)

    def localized_description(self, language: str | None = None) -> str:
        return _localized(self.descriptions, self.description, language)

    def localized_causes(self, language: str | None = None) -> list[tuple[str, str]]:
        """(key, name) of each charity cause, in the reader's language."""
        return [(cause["key"], _localized(cause.get("names", {}), cause["key"], language)) for cause in self.causes]

    def cause_name(self, key: str, language: str | None = None) -> str:
        return dict(self.localized_causes(language)).get(key, key)

    @property
    def kind_label(self) -> str:
        """The kind in one word, for the store (the console shows the long label)."""
        return str(SHORT_KIND_LABELS.get(self.kind, self.kind))

    @property
    def uses_codes(self) -> bool:
        return self.fulfilment in (self.Fulfilment.CODE_POOL, self.Fulfilment.GENERATED_CODE)

    @property
    def needs_shipping(self) -> bool:
        return self.fulfilment == self.Fulfilment.SHIPPING


SHORT_KIND_LABELS = {
    CatalogItem.Kind.STATUS: _("Status"), CatalogItem.Kind.ACCESS: _("Access"), CatalogItem.Kind.POWER: _("Power"),
    CatalogItem.Kind.STUFF: _("Stuff"), CatalogItem.Kind.CHARITY: _("Charity"),
    CatalogItem.Kind.SUBSCRIPTION: _("Subscription"),
}


class PoolCode(models.Model):
    """One code of an item's pool, uploaded by the marketer; given out to one redemption only."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="pool_codes")
    code = models.CharField(max_length=100)
    redemption = models.OneToOneField("rewards.Redemption", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="pool_code")
    uploaded_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="pool_code_unique_per_item")]
        indexes = [models.Index(fields=["item", "redemption"], name="pool_code_free_idx")]

    def __str__(self) -> str:
        return self.code


class Redemption(models.Model):
    """Points spent on a catalog item: requested → approved → fulfilled, or rejected / cancelled.

    The debit and the redemption commit together; rejecting or cancelling returns the points
    with one reversing ledger entry (unique per redemption and reason)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        FULFILLED = "fulfilled", _("Fulfilled")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.REQUESTED, Status.APPROVED)
    CLOSED_WITH_RETURN = (Status.REJECTED, Status.CANCELLED)

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="redemptions")
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="redemptions")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.PROTECT, related_name="redemptions")
    account = models.ForeignKey("advocates.Account", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="redemptions", help_text="Set when the reward goes to the account (R4).")
    cost_points = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    code = models.CharField(max_length=100, blank=True)
    shipping = models.JSONField(default=dict, blank=True, help_text="name, address, city, postal_code, country")
    cause = models.CharField(max_length=60, blank=True)
    donation_amount = models.PositiveBigIntegerField(default=0)
    currency = models.CharField(max_length=3, blank=True)
    subscription_months = models.PositiveSmallIntegerField(null=True, blank=True)
    status_note = models.CharField(max_length=500, blank=True, help_text="Why it was rejected or cancelled.")
    request_token = models.CharField(max_length=64, blank=True)
    decided_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["advocate", "request_token"], condition=~Q(request_token=""),
                                    name="redemption_request_once"),
            models.UniqueConstraint(fields=["item", "code"], condition=~Q(code=""), name="redemption_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} for advocate {self.advocate_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def cause_name(self) -> str:
        return self.item.cause_name(self.cause) if self.cause else ""
