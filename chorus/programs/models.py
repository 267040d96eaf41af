from django.conf import settings
from django.db import models
from django.db.models import Q
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
    outcome_types = models.JSONField(_("outcome types counted"), default=list, blank=True)
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


# --- plan (P1–P3): outcome types, goals with stages, personas --------------------------------------

class OutcomeType(models.TextChoices):
    """What a program counts as an advocate's outcome (P3); a program picks several."""

    REFERRALS = "referrals", _("Referrals")
    RECOMMENDATIONS = "recommendations", _("Recommendations")
    REVIEWS = "reviews", _("Reviews")
    SOCIAL_SHARES = "social_shares", _("Social shares")
    CASE_STUDIES = "case_studies", _("Case studies")
    TESTIMONIALS = "testimonials", _("Testimonials")
    REFERENCES = "references", _("References")


class Goal(models.Model):
    """A measurable number with a target and a deadline (P1), read from the metric catalogue.

    `target` is in the metric's unit: a count, minor units of the program's currency for
    money, 0–100 for percentages. Operational goals may sit under a strategic one."""

    class Kind(models.TextChoices):
        STRATEGIC = "strategic", _("Strategic")
        OPERATIONAL = "operational", _("Operational")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="goals")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OPERATIONAL)
    name = models.CharField(_("name"), max_length=160)
    metric = models.CharField(_("metric"), max_length=60)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    start_date = models.DateField(_("start date"))
    deadline = models.DateField(_("deadline"))
    parent = models.ForeignKey("self", on_delete=models.RESTRICT, null=True, blank=True, related_name="children",
                               verbose_name=_("strategic goal"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gt=models.F("start_date")), name="goal_deadline_after_start"),
            models.CheckConstraint(condition=Q(target__gte=0), name="goal_target_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class GoalStage(models.Model):
    """A checkpoint on the way to a goal: by `date`, reach `target` (same unit as the goal)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="stages")
    date = models.DateField(_("date"))
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [models.UniqueConstraint(fields=["goal", "date"], name="goal_stage_date_unique")]

    def __str__(self) -> str:
        return f"{self.target} by {self.date}"


class Persona(models.Model):
    """An advocate segment (P2): attribute rules and behaviour rules; empty rules match everyone.

    Attributes: language, level reached, B2B account or not, the customer record's plan or one
    custom attribute (matched by the advocate's email). Behaviour: referrals made, activity in
    the last N days (an ask completed or a referral), points earned, NPS promoter (latest answer)."""

    class AccountRule(models.TextChoices):
        ANY = "", _("Any")
        WITH_ACCOUNT = "with_account", _("Belongs to a company account")
        WITHOUT_ACCOUNT = "without_account", _("No company account")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="personas")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    min_level = models.ForeignKey("rewards.Level", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("level reached"))
    account = models.CharField(_("company account"), max_length=16, choices=AccountRule.choices, blank=True, default="")
    customer_plan = models.CharField(_("customer plan"), max_length=100, blank=True)
    attribute_key = models.CharField(_("customer attribute"), max_length=60, blank=True)
    attribute_value = models.CharField(_("attribute value"), max_length=200, blank=True)
    min_referrals = models.PositiveIntegerField(_("at least this many referrals"), null=True, blank=True)
    active_within_days = models.PositiveIntegerField(_("active in the last days"), null=True, blank=True)
    min_points_earned = models.PositiveIntegerField(_("at least this many points earned"), null=True, blank=True)
    nps_promoter = models.BooleanField(_("NPS promoter"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="persona_name_unique_per_program")]

    def __str__(self) -> str:
        return self.name
