from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboundEvent(models.Model):
    """One event another system sent us (a Stripe webhook, a Segment call), and what we did with it.

    The unique key on (program, provider, external id) makes a redelivered event act once."""

    class Provider(models.TextChoices):
        STRIPE = "stripe", "Stripe"
        SEGMENT = "segment", "Segment"

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        WAITING = "waiting", _("Waiting")
        FAILED = "failed", _("Failed")

    class Reason(models.TextChoices):
        PURCHASE = "purchase", _("Purchase recorded")
        SIGNUP = "signup", _("Signup recorded")
        REFUND = "refund", _("Refund recorded")
        CUSTOMER = "customer", _("Customer created or updated")
        ALREADY_RECORDED = "already_recorded", _("Already recorded by an earlier event")
        PARTIAL_REFUND = "partial_refund", _("Partial refund counted; the purchase keeps its rewards unless fully refunded")
        REFUND_COUNTED = "refund_counted", _("Nothing new: an earlier event counted this refund")
        REFUND_WAITING = "refund_waiting", _("Refund waiting for its purchase to arrive")
        NOT_PAID = "not_paid", _("Not paid (yet): nothing recorded")
        NO_USER = "no_user", _("No user id or email: nothing recorded")
        UNKNOWN_TYPE = "unknown_type", _("Event type Chorus does not use")
        INVALID = "invalid", _("Refused")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="inbound_events")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    external_id = models.CharField(max_length=255, blank=True, help_text="Stripe event id or Segment messageId.")
    event_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    detail = models.CharField(max_length=500, blank=True, help_text="Why it was refused, when it was.")
    order_id = models.CharField(max_length=100, blank=True, help_text="The Chorus order id the event concerns.")
    payment_reference = models.CharField(max_length=100, blank=True, help_text="Stripe payment intent id.")
    amount = models.BigIntegerField(default=0, help_text="Minor units: the purchase, or the refund this event adds.")
    data = models.JSONField(default=dict, blank=True, help_text="What a waiting event needs when it is applied.")
    conversion = models.ForeignKey("referrals.Conversion", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "provider", "external_id"], condition=~Q(external_id=""),
                                    name="inbound_event_once"),
        ]
        indexes = [
            models.Index(fields=["program", "received_at"], name="inbound_event_recent_idx"),
            models.Index(fields=["program", "provider", "order_id"], name="inbound_event_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.external_id}"
