"""Program email (F7, E7, X3): templates, the outbound queue, consent, suppression, A/B tests
and automations.

Addresses are matched by `email_normalized` (see `chorus.core.emails.normalize_email`), so
"Jane.Doe+news@gmail.com" and "janedoe@gmail.com" share one consent state and one cap."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What an email is about; people opt out per category in the preference centre."""

    MARKETING = "marketing", _("News and offers")
    ASKS = "asks", _("Asks and reminders")
    REWARDS = "rewards", _("Rewards and milestones")
    NPS = "nps", _("Surveys")
    INVITATION = "invitation", _("Invitations")


# Sent once, on a deliberate action, to someone who has not heard from the program yet
# (invitation) or asked for feedback (NPS): they do not count against the weekly cap and the
# cap does not stop them. Suppression and opt-outs always apply.
CAP_EXEMPT_CATEGORIES = frozenset({Category.INVITATION, Category.NPS})
ALL_CATEGORIES = "all"


def _webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(24)


class EmailSettings(models.Model):
    """A program's email rules: the frequency cap and the bounce webhook's signing secret."""

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="email_settings")
    frequency_cap = models.PositiveSmallIntegerField(_("emails per recipient"), default=3)
    frequency_window_days = models.PositiveSmallIntegerField(_("within (days)"), default=7)
    webhook_secret = models.CharField(max_length=64, default=_webhook_secret)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"email settings of program {self.program_id}"


class EmailTemplate(models.Model):
    """Subject, preheader, body and one call to action, per language ({"en": "...", ...})."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="email_templates")
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.MARKETING)
    subjects = models.JSONField(default=dict, blank=True)
    preheaders = models.JSONField(default=dict, blank=True)
    bodies = models.JSONField(default=dict, blank=True)
    cta_labels = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["program", "key"], name="email_template_key_unique")]

    def __str__(self) -> str:
        return self.name

    def languages(self) -> list[str]:
        return sorted(language for language, text in self.subjects.items() if text)


class Recipient(models.Model):
    """One address's current consent state in a program (derived from `Consent`, which keeps
    the history); also the row locked while the frequency cap is checked."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="email_recipients")
    email_normalized = models.CharField(max_length=254)
    opted_out = models.JSONField(default=list, blank=True)  # categories, or ["all"]
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "email_normalized"], name="email_recipient_unique")]

    def __str__(self) -> str:
        return self.email_normalized

    def accepts(self, category: str) -> bool:
        return ALL_CATEGORIES not in self.opted_out and category not in self.opted_out


class Consent(models.Model):
    """Append-only record of every consent given or withdrawn: when, for what, from where."""

    class Source(models.TextChoices):
        ONE_CLICK = "one_click", _("One-click unsubscribe")
        UNSUBSCRIBE_PAGE = "unsubscribe_page", _("Unsubscribe page")
        PREFERENCE_CENTRE = "preference_centre", _("Preference centre")
        HUB = "hub", _("Hub preferences")
        JOIN = "join", _("Joined the program")
        CONSOLE = "console", _("Console")
        API = "api", _("API")
        IMPORT = "import", _("Import")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="email_consents")
    email_normalized = models.CharField(max_length=254)
    category = models.CharField(max_length=16)  # a Category or "all"
    granted = models.BooleanField()
    source = models.CharField(max_length=24, choices=Source.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["program", "email_normalized"], name="email_consent_address")]

    def __str__(self) -> str:
        return f"{self.email_normalized} {self.category} {'granted' if self.granted else 'withdrawn'}"


class Suppression(models.Model):
    """An address the program never emails (bounced, complained, added by hand)."""

    class Reason(models.TextChoices):
        BOUNCE = "bounce", _("Bounced")
        COMPLAINT = "complaint", _("Spam complaint")
        MANUAL = "manual", _("Added by a marketer")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="email_suppressions")
    email_normalized = models.CharField(max_length=254)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=24, blank=True)  # api, webhook, console
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["program", "email_normalized"], name="email_suppression_unique")]

    def __str__(self) -> str:
        return f"{self.email_normalized} ({self.reason})"


class Campaign(models.Model):
    """A one-off send of a template to an audience, optionally with a subject-line A/B test."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        TESTING = "testing", _("Testing subject lines")
        SENDING = "sending", _("Sending to the rest")
        DONE = "done", _("Sent")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="email_campaigns")
    name = models.CharField(_("name"), max_length=120)
    template = models.ForeignKey(EmailTemplate, on_delete=models.PROTECT, related_name="campaigns")
    # Subject variants per language: [{"en": "...", "de": "..."}, ...]; variant 0 is the default.
    subject_variants = models.JSONField(default=list, blank=True)
    test_share_percent = models.PositiveSmallIntegerField(_("test share (%)"), default=20)
    wait_hours = models.PositiveSmallIntegerField(_("waiting period (hours)"), default=4)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    winner = models.PositiveSmallIntegerField(null=True, blank=True)
    decision = models.JSONField(default=dict, blank=True)  # the test's figures when decided
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    test_sent_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class OutboundEmail(models.Model):
    """One email to one person: queued, then sent (or failed); suppressed and capped rows
    record why nothing was sent."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Suppressed")
        CAPPED = "capped", _("Frequency cap")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="outbound_emails")
    template = models.ForeignKey(EmailTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    template_key = models.CharField(max_length=60)
    category = models.CharField(max_length=16, choices=Category.choices)
    to_email = models.EmailField()
    email_normalized = models.CharField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8)
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="outbound_emails")
    customer = models.ForeignKey("advocates.Customer", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="outbound_emails")
    context = models.JSONField(default=dict, blank=True)
    tracking_key = models.CharField(max_length=100, blank=True, db_index=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails")
    variant = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    status_reason = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    links = models.JSONField(default=list, blank=True)  # the URLs /e/c/ may redirect to
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    first_clicked_at = models.DateTimeField(null=True, blank=True)
    click_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["program", "email_normalized", "created_at"], name="outbound_recipient_recent"),
            models.Index(fields=["status"], condition=Q(status__in=["queued", "sending"]), name="outbound_pending"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email_normalized"], condition=Q(campaign__isnull=False),
                                    name="outbound_once_per_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.template_key} to {self.to_email} ({self.status})"


class Automation(models.Model):
    """When something happens to a person, send them a template (once per occurrence)."""

    class Trigger(models.TextChoices):
        PROMOTER = "promoter", _("Customer becomes a promoter")
        MILESTONE = "milestone", _("Milestone event")
        REWARD_EARNED = "reward_earned", _("Reward earned")
        ASK_EXPIRING = "ask_expiring", _("Ask about to expire")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="email_automations")
    trigger = models.CharField(_("when"), max_length=16, choices=Trigger.choices)
    template = models.ForeignKey(EmailTemplate, on_delete=models.PROTECT, related_name="automations",
                                 verbose_name=_("send"))
    event_name = models.CharField(_("event name"), max_length=100, blank=True,
                                  help_text=_("Milestone only: the event's name, empty for any event."))
    hours_before = models.PositiveSmallIntegerField(_("hours before the end"), default=48)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["trigger", "pk"]

    def __str__(self) -> str:
        return f"{self.trigger} → {self.template_id}"


class AutomationRun(models.Model):
    """One firing of an automation for one occurrence; the unique key makes it happen once."""

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="runs")
    occurrence = models.CharField(max_length=200)
    email = models.ForeignKey(OutboundEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["automation", "occurrence"], name="automation_run_once")]

    def __str__(self) -> str:
        return f"{self.automation_id}: {self.occurrence}"


class WeeklySummaryPreference(models.Model):
    """A workspace member's choice about a program's weekly summary email (default: on, English)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="weekly_summary_preferences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    is_subscribed = models.BooleanField(_("send me the weekly summary"), default=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "user"], name="one_summary_preference")]

    def __str__(self) -> str:
        return f"weekly summary of {self.program_id} for {self.user_id}"


class WeeklySummary(models.Model):
    """One weekly summary sent to one marketer: the unique key makes each week's email exactly-once."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="weekly_summaries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField(help_text="The Monday of the week summarised.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "user", "week_start"], name="one_summary_per_week")]

    def __str__(self) -> str:
        return f"summary of {self.program_id} for {self.user_id}, week of {self.week_start}"
