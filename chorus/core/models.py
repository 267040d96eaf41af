from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who did what to which object, and why: every marketer decision is audited."""

    workspace = models.ForeignKey("programs.Workspace", on_delete=models.CASCADE, related_name="audit_events", null=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class IdempotencyRecord(models.Model):
    """A stored API response replayed for a repeated Idempotency-Key (Stripe semantics)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    completed = models.BooleanField(default=False)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "key"], name="idempotency_key_once_per_program")]

    def __str__(self) -> str:
        return self.key


def audit(*, action: str, target, actor=None, workspace=None, note: str = "", **data) -> AuditEvent:
    return AuditEvent.objects.create(
        workspace=workspace,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        note=note,
        data=data,
    )
