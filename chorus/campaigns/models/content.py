"""The content vault (E4) and exclusive access (E5): curated content advocates share through
their own link, and invite-only events and clubs with one access code per invitation."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def localized(texts: dict, fallback: str, language: str | None = None) -> str:
    """The text in `language` (the active one by default), else the default-language text."""
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return (texts or {}).get(language) or fallback


class ContentItem(models.Model):
    """An article, image, video or link the marketer curates for advocates to share.

    A share goes through the advocate's own link (`/r/<code>?c=<id>`), so the click counts for
    the advocate as every click does and for this item (`Click.content`). The friend lands on
    `destination_url` (one of the program's allowed destinations) or, for an uploaded image
    without one, on the item's public page in the hub."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        LINK = "link", _("Link")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="content_items")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.ARTICLE)
    title = models.CharField(_("title"), max_length=200)
    titles = models.JSONField(_("title per language"), default=dict, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    descriptions = models.JSONField(_("description per language"), default=dict, blank=True)
    share_text = models.CharField(_("suggested share text"), max_length=280, blank=True)
    share_texts = models.JSONField(_("share text per language"), default=dict, blank=True)
    destination_url = models.URLField(_("destination"), max_length=500, blank=True)
    image = models.FileField(_("image"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(destination_url="") | ~Q(image=""), name="content_has_destination_or_image"),
        ]

    def __str__(self) -> str:
        return self.localized_title()

    def localized_title(self, language: str | None = None) -> str:
        return localized(self.titles, self.title, language)

    def localized_description(self, language: str | None = None) -> str:
        return localized(self.descriptions, self.description, language)

    def localized_share_text(self, language: str | None = None) -> str:
        return localized(self.share_texts, self.share_text, language)

    def public_path(self, program_slug: str) -> str:
        return f"/p/{program_slug}/content/{self.pk}/"

    def click_destination(self, program) -> str:
        """Where a share click on this item lands: its destination, else its public page."""
        return self.destination_url or f"{settings.CHORUS_BASE_URL}{self.public_path(program.slug)}"


class Event(models.Model):
    """An invite-only event (a date and a place) or club (a standing group)."""

    class Kind(models.TextChoices):
        EVENT = "event", _("Event")
        CLUB = "club", _("Club")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="access_events")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.EVENT)
    title = models.CharField(_("title"), max_length=200)
    titles = models.JSONField(_("title per language"), default=dict, blank=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    descriptions = models.JSONField(_("description per language"), default=dict, blank=True)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True,
                                           help_text=_("Most people who can say yes; empty for no limit."))
    points = models.PositiveIntegerField(_("points for checking in"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                                   name="access_event_ends_after_start"),
            models.CheckConstraint(condition=Q(kind="club") | Q(starts_at__isnull=False), name="access_event_has_start"),
        ]

    def __str__(self) -> str:
        return self.localized_title()

    @property
    def is_club(self) -> bool:
        return self.kind == self.Kind.CLUB

    def localized_title(self, language: str | None = None) -> str:
        return localized(self.titles, self.title, language)

    def localized_description(self, language: str | None = None) -> str:
        return localized(self.descriptions, self.description, language)


class Invitation(models.Model):
    """One advocate invited to one event or club, with their own access code.

    For a club, answering yes is joining it (the members are the yes answers)."""

    class Rsvp(models.TextChoices):
        NONE = "none", _("No answer yet")
        YES = "yes", _("Attending")
        NO = "no", _("Not attending")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.CASCADE, related_name="access_invitations")
    code = models.CharField(_("access code"), max_length=16, unique=True)
    rsvp = models.CharField(_("RSVP"), max_length=4, choices=Rsvp.choices, default=Rsvp.NONE)
    rsvp_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["event", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "advocate"], name="one_invitation_per_event_and_advocate")]
        indexes = [models.Index(fields=["event", "rsvp"], name="invitation_event_rsvp_idx")]

    def __str__(self) -> str:
        return f"{self.advocate_id} → {self.event_id} ({self.code})"
