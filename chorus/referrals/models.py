from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReferralLink(models.Model):
    """An advocate's personal link (`/r/<code>`), vanity code and checkout promo code."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="links")
    advocate = models.OneToOneField("advocates.Advocate", on_delete=models.CASCADE, related_name="link")
    code = models.CharField(max_length=32, unique=True)
    vanity_code = models.CharField(max_length=32, blank=True)
    promo_code = models.CharField(max_length=32)
    destination = models.URLField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "vanity_code"], condition=~Q(vanity_code=""), name="vanity_code_unique_per_program"),
            models.UniqueConstraint(fields=["program", "promo_code"], name="promo_code_unique_per_program"),
        ]

    def __str__(self) -> str:
        return self.code


class Click(models.Model):
    """One visit of a referral link. Written in batches; `token` is the signed click id."""

    class Device(models.TextChoices):
        DESKTOP = "desktop", _("Desktop")
        MOBILE = "mobile", _("Mobile")
        TABLET = "tablet", _("Tablet")
        BOT = "bot", _("Bot")
        OTHER = "other", _("Other")

    program_id: int
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="clicks")
    link = models.ForeignKey(ReferralLink, on_delete=models.CASCADE, related_name="clicks")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(db_index=True)
    visitor_hash = models.CharField(max_length=32)
    referrer = models.CharField(max_length=500, blank=True)
    device = models.CharField(max_length=8, choices=Device.choices, default=Device.OTHER)
    is_bot = models.BooleanField(default=False)
    is_unique = models.BooleanField(default=True, help_text="First click of this visitor on this link within an hour.")
    # The content-vault item shared (`/r/<code>?c=<id>`). No database constraint: the buffered
    # writer must never fail a batch because an item was deleted after its click was taken.
    content = models.ForeignKey("campaigns.ContentItem", on_delete=models.SET_NULL, null=True, blank=True,
                                db_constraint=False, related_name="clicks")

    class Meta:
        indexes = [
            models.Index(fields=["program", "visitor_hash", "created_at"], name="click_visitor_idx"),
            models.Index(fields=["link", "created_at"], name="click_link_time_idx"),
        ]

    def __str__(self) -> str:
        return f"click on {self.link_id} at {self.created_at:%Y-%m-%d %H:%M}"


class FriendClaim(models.Model):
    """A friend who lost the link told us who referred them (refer-by-name/email)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="friend_claims")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.CASCADE, related_name="friend_claims")
    friend_email = models.EmailField()
    friend_email_normalized = models.CharField(max_length=254, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.friend_email} → {self.advocate_id}"


class Referral(models.Model):
    """The attribution of a friend (customer) to an advocate, with the reason it was made."""

    class Reason(models.TextChoices):
        CLICK = "click", _("Clicked the advocate's link")
        PROMO_CODE = "promo_code", _("Used the advocate's promo code")
        REFERRAL_CODE = "referral_code", _("Gave the advocate's referral code")
        NAME_EMAIL = "name_email", _("Named the advocate on the friend page")
        LEAD = "lead", _("Referred by the advocate as a B2B lead")

    class Review(models.TextChoices):
        CLEAN = "clean", _("No concerns")
        FLAGGED = "flagged", _("Waiting for review")
        APPROVED = "approved", _("Approved after review")
        DENIED = "denied", _("Denied after review")

    class Flag(models.TextChoices):
        SELF_REFERRAL = "self_referral", _("The friend is the advocate")
        EXISTING_CUSTOMER = "existing_customer", _("The friend was already a customer before the click")
        DUPLICATE_FRIEND = "duplicate_friend", _("The friend was already referred by someone else")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="referrals")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.CASCADE, related_name="referrals")
    customer = models.ForeignKey("advocates.Customer", on_delete=models.CASCADE, related_name="referrals")
    link = models.ForeignKey(ReferralLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals")
    click_token = models.CharField(max_length=64, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    attribution_model = models.CharField(max_length=16, blank=True)
    is_primary = models.BooleanField(default=True, help_text="The attribution later conversions of this friend follow.")
    review = models.CharField(max_length=16, choices=Review.choices, default=Review.CLEAN)
    flag = models.CharField(max_length=24, choices=Flag.choices, blank=True)
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "advocate"], name="one_referral_per_friend_and_advocate"),
            models.UniqueConstraint(fields=["customer"], condition=Q(is_primary=True), name="one_primary_referral_per_friend"),
        ]

    @property
    def rewardable(self) -> bool:
        return self.review in (self.Review.CLEAN, self.Review.APPROVED)

    def __str__(self) -> str:
        return f"{self.customer_id} referred by {self.advocate_id} ({self.reason})"


class Conversion(models.Model):
    """An event that proves value: a signup, a purchase, or a refund reversing one."""

    class Type(models.TextChoices):
        SIGNUP = "signup", _("Signup")
        PURCHASE = "purchase", _("Purchase")
        REFUND = "refund", _("Refund")
        LEAD_WON = "lead_won", _("Referred lead won")

    class Trust(models.TextChoices):
        SERVER = "server", _("Server API")
        BROWSER = "browser", _("Browser snippet (lower trust)")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="conversions")
    type = models.CharField(max_length=10, choices=Type.choices)
    customer = models.ForeignKey("advocates.Customer", on_delete=models.CASCADE, related_name="conversions")
    referral = models.ForeignKey(Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversions")
    amount = models.BigIntegerField(default=0, help_text="Minor units (cents).")
    currency = models.CharField(max_length=3, blank=True)
    order_id = models.CharField(max_length=100, blank=True)
    # A purchase has at most one full refund (order_id unique per type) and any number of
    # partial ones (stored under "<order_id>#<key>").
    refunded_conversion = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="refunds"
    )
    occurred_at = models.DateTimeField(db_index=True)
    trust = models.CharField(max_length=8, choices=Trust.choices, default=Trust.SERVER)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "type", "order_id"], condition=~Q(order_id=""), name="order_once_per_type"
            ),
            models.UniqueConstraint(
                fields=["customer"], condition=Q(type="signup"), name="one_signup_per_customer"
            ),
        ]
        indexes = [models.Index(fields=["program", "type", "occurred_at"], name="conversion_funnel_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.order_id or self.pk}"


class Lead(models.Model):
    """A B2B deal: a colleague an advocate referred, or (for comparison) a deal from another
    channel. Moves submitted → qualified → won / lost; values in minor units of the program's
    currency."""

    class Stage(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        QUALIFIED = "qualified", _("Qualified")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    class Source(models.TextChoices):
        REFERRAL = "referral", _("Referred by an advocate")
        OTHER = "other", _("Other channel")

    class EnteredVia(models.TextChoices):
        HUB = "hub", _("Advocate hub")
        CONSOLE = "console", _("Console")
        API = "api", _("API")
        IMPORT = "import", _("CSV import")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="leads")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.REFERRAL)
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="leads")
    channel = models.CharField(max_length=100, blank=True, help_text="For other-channel deals, e.g. “Outbound”.")
    name = models.CharField(max_length=200)
    company = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    email_normalized = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    consent_at = models.DateTimeField(null=True, blank=True,
                                      help_text="When the referrer confirmed the colleague agreed to be contacted.")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.SUBMITTED)
    lost_reason = models.CharField(max_length=300, blank=True)
    deal_value = models.BigIntegerField(default=0, help_text="Minor units of the program's currency.")
    submitted_at = models.DateTimeField()
    qualified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    entered_via = models.CharField(max_length=8, choices=EnteredVia.choices)
    created_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    conversion = models.OneToOneField(Conversion, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="lead", help_text="The lead_won conversion rewards hang on.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "email_normalized"], condition=~Q(email_normalized=""),
                                    name="lead_email_once_per_program"),
            models.CheckConstraint(condition=Q(source="referral", advocate__isnull=False)
                                   | Q(source="other", advocate__isnull=True), name="lead_referred_has_advocate"),
            models.CheckConstraint(condition=Q(deal_value__gte=0), name="lead_deal_value_not_negative"),
        ]
        indexes = [models.Index(fields=["program", "stage"], name="lead_stage_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})"

    @property
    def is_closed(self) -> bool:
        return self.stage in (self.Stage.WON, self.Stage.LOST)


class LeadSettings(models.Model):
    """Per-program choices about the lead pipeline."""

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="lead_settings")
    show_deal_values = models.BooleanField(
        _("show deal values to advocates"), default=False,
        help_text=_("Advocates see their referred leads' stages; with this on, also the deal values."))

    def __str__(self) -> str:
        return f"lead settings of {self.program_id}"
