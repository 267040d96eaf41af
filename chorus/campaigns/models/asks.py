"""Asks (challenges) and posts, what advocates do about them (completions), and the
named events that open an ask to one advocate at the right moment (milestone triggers)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def localized(value, fallback: str = "", language: str | None = None) -> str:
    """Text for the current language from a {language: text} dict (or a plain string)."""
    if isinstance(value, str):
        return value or fallback
    if not isinstance(value, dict):
        return fallback
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return value.get(language) or fallback or value.get("en") or next(iter(value.values()), "")


class Ask(models.Model):
    """Something the marketer asks advocates to do (or a post that asks nothing).

    `title`/`body` are the default-language texts; `titles`/`bodies` hold them per
    language code, like `Level.names`. `config` holds what the type needs: survey
    questions, the quiz answer, the review site and disclosure text, an event id…"""

    class Type(models.TextChoices):
        REFER_FRIEND = "refer_friend", _("Refer a friend")
        SURVEY = "survey", _("Answer a survey")
        BETA = "beta", _("Join a beta")
        SOCIAL_FOLLOW = "social_follow", _("Follow us")
        SOCIAL_MENTION = "social_mention", _("Mention us")
        SOCIAL_SHARE = "social_share", _("Share a post")
        BLOG_COMMENT = "blog_comment", _("Comment on a blog post")
        REVIEW = "review", _("Write a review")
        UGC = "ugc", _("Share your story")
        FORUM_ANSWER = "forum_answer", _("Answer in the forum")
        EVENT_RSVP = "event_rsvp", _("RSVP to an event")
        FEEDBACK = "feedback", _("Program feedback")
        NEWS = "news", _("News")
        PRODUCT_INFO = "product_info", _("Product information")
        VIDEO = "video", _("Video")
        QUIZ = "quiz", _("Quiz or puzzle")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Audience(models.TextChoices):
        ALL = "all", _("All advocates")
        SEGMENT = "segment", _("A segment")
        NAMED = "named", _("Named advocates")

    class Moderation(models.TextChoices):
        AUTO = "auto", _("Approve automatically")
        REVIEW = "review", _("Review each completion")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="asks")
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    title = models.CharField(_("title"), max_length=200)
    titles = models.JSONField(_("title per language"), default=dict, blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("Rich text; unsafe HTML is removed."))
    bodies = models.JSONField(_("body per language"), default=dict, blank=True)
    points = models.PositiveIntegerField(_("points"), default=0)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.ALL)
    segment_min_level = models.ForeignKey(
        "rewards.Level", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("at this level or above"))
    segment_attributes = models.JSONField(
        _("segment attributes"), default=dict, blank=True,
        help_text=_('Advocate attributes to match, e.g. {"language": ["de"], "email_domain": ["acme.com"]}.'))
    named_advocates = models.ManyToManyField("advocates.Advocate", blank=True, related_name="named_asks",
                                             verbose_name=_("named advocates"))
    max_completions = models.PositiveIntegerField(_("completions allowed overall"), null=True, blank=True)
    max_per_advocate = models.PositiveIntegerField(_("completions allowed per advocate"), null=True, blank=True,
                                                   default=1)
    moderation = models.CharField(_("moderation"), max_length=8, choices=Moderation.choices,
                                  default=Moderation.REVIEW)
    trigger_event = models.CharField(
        _("open on event"), max_length=100, blank=True,
        help_text=_("If set, the ask opens to an advocate only when this event arrives for them, "
                    "e.g. milestone.reached."))
    trigger_properties = models.JSONField(
        _("event properties to match"), default=dict, blank=True,
        help_text=_('e.g. {"milestone": "first-100-orders"}'))
    trigger_window_days = models.PositiveIntegerField(
        _("days open after the event"), null=True, blank=True)
    config = models.JSONField(_("type settings"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    POST_TYPES = frozenset({Type.NEWS, Type.PRODUCT_INFO, Type.VIDEO})

    class Meta:
        ordering = ["program", "-created_at"]
        indexes = [models.Index(fields=["program", "status", "type"], name="ask_program_status_type")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True)
                                   | Q(ends_at__gt=models.F("starts_at")), name="ask_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.localized_title()

    def localized_title(self, language: str | None = None) -> str:
        return localized(self.titles, self.title, language)

    def localized_body(self, language: str | None = None) -> str:
        return localized(self.bodies, self.body, language)

    @property
    def is_post(self) -> bool:
        """A post asks nothing: it is read, not completed."""
        return self.type in self.POST_TYPES

    @property
    def is_limited_time(self) -> bool:
        return self.ends_at is not None

    def is_open_at(self, moment=None) -> bool:
        moment = moment or timezone.now()
        return (self.status == self.Status.PUBLISHED and (self.starts_at is None or self.starts_at <= moment)
                and (self.ends_at is None or moment < self.ends_at))


class Completion(models.Model):
    """An advocate's answer to an ask, with its evidence; approved ones earn the ask's points.

    `data` holds the answers and evidence fields (survey answers, proof URL, RSVP…);
    `evidence` an uploaded screenshot or image (re-encoded, metadata stripped).
    `source_key` makes completions from outside events exactly-once (e.g. one per
    attributed conversion for refer-a-friend)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="completions")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.CASCADE, related_name="completions")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    data = models.JSONField(default=dict, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="evidence/%Y/%m/", blank=True, max_length=300)
    evidence_content_type = models.CharField(max_length=60, blank=True)
    points = models.PositiveIntegerField(_("points"), default=0, help_text=_("The ask's points when submitted."))
    source_key = models.CharField(max_length=80, blank=True)
    rejection_reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["ask", "status"], name="completion_ask_status"),
            models.Index(fields=["advocate", "ask"], name="completion_advocate_ask"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ask", "advocate", "source_key"], condition=~Q(source_key=""),
                                    name="completion_once_per_source"),
            models.CheckConstraint(condition=Q(status="pending", decided_at__isnull=True)
                                   | (~Q(status="pending") & Q(decided_at__isnull=False)),
                                   name="completion_decided_when_not_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.ask_id}:{self.advocate_id}:{self.status}"


class AdvocateEvent(models.Model):
    """A named event about an advocate sent through the API (e.g. milestone.reached).

    `event_id` (the sender's id, optional) makes a retried event a no-op."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="advocate_events")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.CASCADE, related_name="tracked_events")
    name = models.CharField(max_length=100)
    properties = models.JSONField(default=dict, blank=True)
    event_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["program", "event_id"], condition=~Q(event_id=""),
                                    name="advocate_event_once_per_id"),
        ]

    def __str__(self) -> str:
        return self.name


class AskOpening(models.Model):
    """A triggered ask opened to one advocate (once), from `opened_at` until `closes_at`."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="openings")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.CASCADE, related_name="ask_openings")
    event = models.ForeignKey(AdvocateEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="openings")
    opened_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ask", "advocate"], name="ask_opens_once_per_advocate")]

    def __str__(self) -> str:
        return f"{self.ask_id}:{self.advocate_id}"
