from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    """The organisation an advocate belongs to (B2B)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="accounts")
    name = models.CharField(_("name"), max_length=200)
    external_id = models.CharField(max_length=100, blank=True)
    domain = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "external_id"], condition=~Q(external_id=""), name="account_external_id_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Advocate(models.Model):
    """A person enrolled in one program."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for email confirmation")
        ACTIVE = "active", _("Active")
        DISABLED = "disabled", _("Disabled")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="advocates")
    account = models.ForeignKey(Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="advocates")
    email = models.EmailField(_("email"))
    email_normalized = models.CharField(max_length=254, db_index=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    external_id = models.CharField(_("customer id"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    known_visitors = models.JSONField(default=list, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    # recognition: what the advocate agrees to show, and which emails they want
    show_on_leaderboard = models.BooleanField(_("show me on the leaderboard"), default=True)
    feature_on_wall = models.BooleanField(_("the program may feature me on its public wall"), default=False)
    email_on_approval = models.BooleanField(_("email me when my activity is approved"), default=True)
    email_on_level_up = models.BooleanField(_("email me when I reach a new level or earn a badge"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(fields=["program", "email_normalized"], name="advocate_email_unique"),
            models.UniqueConstraint(fields=["program", "external_id"], condition=~Q(external_id=""), name="advocate_external_id_unique"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def first_name(self) -> str:
        return (self.name or self.email.split("@")[0]).split()[0]


class Customer(models.Model):
    """A person known to the merchant who is not (yet) an advocate: an imported customer, a
    referred friend, or anyone a conversion or a usage event names.

    Found by `external_id` (the merchant's id) when it has one, else by normalised email.
    `attributes` holds every other imported column (social-profile columns such as
    `followers` and `posts_per_month` included); `health_score` (0–100) is recomputed from
    usage and outcomes, `health_factors` says how it was made."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="customers")
    account = models.ForeignKey(Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="customers")
    external_id = models.CharField(_("customer id"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    email_normalized = models.CharField(max_length=254, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    plan = models.CharField(_("plan"), max_length=100, blank=True)
    revenue = models.BigIntegerField(_("revenue"), default=0, help_text="In minor units of the program currency.")
    signed_up_at = models.DateTimeField(_("signed up"), null=True, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    health_score = models.PositiveSmallIntegerField(_("health score"), null=True, blank=True)
    health_factors = models.JSONField(default=dict, blank=True)
    health_computed_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(help_text="When the merchant first knew this customer.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "external_id"], condition=~Q(external_id=""), name="customer_external_id_unique"),
            models.UniqueConstraint(
                fields=["program", "email_normalized"], condition=Q(external_id="") & ~Q(email_normalized=""),
                name="customer_email_unique_without_id",
            ),
            models.CheckConstraint(condition=Q(health_score__lte=100), name="customer_health_score_at_most_100"),
        ]
        indexes = [models.Index(fields=["program", "health_score"], name="customer_program_health")]

    def __str__(self) -> str:
        return self.name or self.email or self.external_id


class LoginToken(models.Model):
    """A single-use, expiring magic link for the hub (login or join confirmation)."""

    class Purpose(models.TextChoices):
        LOGIN = "login", _("Log in")
        CONFIRM = "confirm", _("Confirm email")

    advocate = models.ForeignKey(Advocate, on_delete=models.CASCADE, related_name="login_tokens")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} link for advocate {self.advocate_id}"
