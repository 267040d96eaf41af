from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Workspace(models.Model):
    """A company using Chorus; marketers see only their workspace's programs."""

    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MARKETER = "marketer", _("Program manager")
        TEAMMATE = "teammate", _("Teammate")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MARKETER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_workspace")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.workspace_id} ({self.role})"


class Program(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer program")
        EMPLOYEE = "employee", _("Employee program")
        PARTNER = "partner", _("Partner program")

    class AttributionModel(models.TextChoices):
        LAST_TOUCH = "last_touch", _("Last touch")
        FIRST_TOUCH = "first_touch", _("First touch")

    class CreditModel(models.TextChoices):
        """How a conversion's revenue is split among the advocates whose links the friend clicked."""

        LAST_TOUCH = "last_touch", _("Last touch")
        FIRST_TOUCH = "first_touch", _("First touch")
        LINEAR = "linear", _("Linear")
        TIME_DECAY = "time_decay", _("Time decay")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="programs")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CUSTOMER)
    is_active = models.BooleanField(_("active"), default=True)
    landing_title = models.CharField(_("landing page title"), max_length=200, blank=True)
    landing_body = models.TextField(_("landing page text"), blank=True)
    friend_offer = models.CharField(_("friend offer"), max_length=200, blank=True)
    advocate_offer = models.CharField(_("advocate reward text"), max_length=200, blank=True)
    allowed_destinations = models.JSONField(_("allowed destination URLs"), default=list, blank=True)
    default_destination = models.URLField(_("default destination"), max_length=500)
    show_friend_page = models.BooleanField(_("show the friend page before redirecting"), default=False)
    attribution_window_days = models.PositiveIntegerField(_("attribution window (days)"), default=30)
    attribution_model = models.CharField(
        _("attribution model"), max_length=16, choices=AttributionModel.choices, default=AttributionModel.LAST_TOUCH
    )
    credit_model = models.CharField(
        _("revenue credit model"), max_length=16, choices=CreditModel.choices, default=CreditModel.LAST_TOUCH
    )
    credit_half_life_days = models.PositiveIntegerField(_("time decay half-life (days)"), default=7)
    hold_days = models.PositiveIntegerField(_("hold period (days)"), default=30)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def destination_allowed(self, url: str) -> bool:
        allowed = [self.default_destination, *self.allowed_destinations]
        return any(url == prefix or url.startswith(prefix.rstrip("/") + "/") or url.startswith(prefix.rstrip("/") + "?")
                   for prefix in allowed if prefix)


class ApiKey(models.Model):
    """A program's server API key; only a hash is stored, the key is shown once."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Write")
        ADMIN = "admin", _("Admin")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
