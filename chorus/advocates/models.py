from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    """The organisation an advocate belongs to (B2B)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="accounts")
    name = models.CharField(_("name"), max_length=200)
    external_id = models.CharField(max_length=100, blank=True)
    domain = models.CharField(max_length=200, blank=True)
    health_score = models.PositiveSmallIntegerField(_("health score"), null=True, blank=True)
    health_factors = models.JSONField(default=dict, blank=True)
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


class UsageEvent(models.Model):
    """A product-usage event of a customer sent through `POST /api/v1/events` (e.g. `report.created`).

    Kept apart from the campaigns app's AdvocateEvent (milestones that open asks to an
    advocate): usage belongs to customers, most of whom are not advocates, arrives in far
    larger numbers, carries the time it happened, and feeds the health score. `event_id`
    (the sender's id, optional) makes a retried event a no-op."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="usage_events")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="usage_events")
    name = models.CharField(max_length=100)
    properties = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()
    event_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "event_id"], condition=~Q(event_id=""), name="usage_event_once_per_id"),
        ]
        indexes = [
            models.Index(fields=["customer", "occurred_at"], name="usage_event_customer_time"),
            models.Index(fields=["program", "occurred_at"], name="usage_event_program_time"),
        ]

    def __str__(self) -> str:
        return self.name


class HealthSettings(models.Model):
    """How a program weighs the parts of its customers' health score (0–100 each), and
    what each plan is worth; one row per program, created with the defaults when first needed."""

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="health_settings")
    weights = models.JSONField(default=dict, blank=True)
    plan_scores = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"health settings of program {self.program_id}"


class ImportJob(models.Model):
    """One CSV file of customers: uploaded, mapped by the marketer, then checked as a whole and
    written in chunks by a background task; the counts are the live progress."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Waiting for the column mapping")
        QUEUED = "queued", _("Queued")
        CHECKING = "checking", _("Checking the file")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed: nothing was imported")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField(default=0)
    delimiter = models.CharField(max_length=1, default=",")
    headers = models.JSONField(default=list)
    sample = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.MAPPING)
    message = models.TextField(blank=True)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error_report = models.FileField(upload_to="imports/%Y/%m/", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed * 100 // self.total_rows)
