"""Invitations (I5) and onboarding (I6): channels with join targets, invitation emails with a
single-use join token, and how each advocate came in.

An invitation moves sent → clicked → joined; an advocate who came through a channel's
shareable link (or an invitation) has one `Enrolment` naming the channel, which is what the
per-channel targets count."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.Model):
    """Where invitations go out: "CSM outreach", "LinkedIn post", "in-app banner"…"""

    class Period(models.TextChoices):
        MONTH = "month", _("per month")
        QUARTER = "quarter", _("per quarter")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="invitation_channels")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60)
    target_joined = models.PositiveIntegerField(_("target (advocates joined)"), default=0)
    target_period = models.CharField(_("target period"), max_length=8, choices=Period.choices, default=Period.MONTH)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["program", "slug"], name="invitation_channel_slug_unique")]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """One person invited by email to join one program (at most one per address and program;
    a resend replaces the token, so only the newest link works)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        SUPPRESSED = "suppressed", _("Not sent: suppressed")
        FAILED = "failed", _("Not sent: failed")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="advocate_invitations")
    customer = models.ForeignKey("advocates.Customer", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="advocate_invitations")
    channel = models.ForeignKey(Channel, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations")
    email = models.EmailField()
    email_normalized = models.CharField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENT)
    outbound_email_id = models.BigIntegerField(null=True, blank=True)  # notifications.OutboundEmail
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    send_count = models.PositiveSmallIntegerField(default=1)
    last_sent_at = models.DateTimeField()
    clicked_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    advocate = models.ForeignKey("advocates.Advocate", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="program_invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "email_normalized"], name="invitation_email_unique"),
        ]
        indexes = [models.Index(fields=["program", "channel", "created_at"], name="invitation_channel_time")]

    def __str__(self) -> str:
        return f"invitation to {self.email}"

    @property
    def stage(self) -> str:
        """The furthest step reached: joined, clicked, sent, or why nothing was sent."""
        if self.joined_at:
            return "joined"
        if self.clicked_at:
            return "clicked"
        return self.status


class ChannelVisit(models.Model):
    """A visit to a channel's shareable invite link (one row per visitor and day)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="visits")
    visitor = models.CharField(max_length=64)
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "visitor", "day"], name="channel_visit_once_a_day")]

    def __str__(self) -> str:
        return f"visit of channel {self.channel_id} on {self.day}"


class Enrolment(models.Model):
    """How an advocate came in: through a channel's link, an invitation, or both."""

    advocate = models.OneToOneField("advocates.Advocate", on_delete=models.CASCADE, related_name="enrolment")
    channel = models.ForeignKey(Channel, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolments")
    invitation = models.OneToOneField(Invitation, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="enrolment")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(channel__isnull=False) | Q(invitation__isnull=False),
                                              name="enrolment_has_a_source")]

    def __str__(self) -> str:
        return f"enrolment of advocate {self.advocate_id}"
