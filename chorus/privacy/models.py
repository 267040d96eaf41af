from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Erasure(models.Model):
    """A person erased from one program: kept so a second request says "already erased".

    Holds no personal data: the address only as a keyed hash (`chorus.privacy.registry.email_hash`),
    the ids of the rows that were pseudonymised, and how many rows each section changed."""

    class Via(models.TextChoices):
        CONSOLE = "console", _("Console")
        API = "api", _("API")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="erasures")
    email_hash = models.CharField(max_length=64, db_index=True)
    advocate_ids = models.JSONField(default=list, blank=True)
    customer_ids = models.JSONField(default=list, blank=True)
    sections = models.JSONField(default=dict, blank=True, help_text="Rows changed or deleted per section.")
    via = models.CharField(max_length=8, choices=Via.choices)
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    api_key = models.ForeignKey("programs.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    erased_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-erased_at", "-pk"]

    def __str__(self) -> str:
        return f"erasure {self.email_hash[:12]}… in {self.program_id}"
