from django.conf import settings
from django.db import models


class StripeEndpoint(models.Model):
    """A program's Stripe webhook endpoint: the signing secret (`whsec_…`) from the Stripe dashboard.

    Kept as entered (verifying a signature needs it); the console only ever shows its end."""

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="stripe_endpoint")
    signing_secret = models.CharField(max_length=255)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    def __str__(self) -> str:
        return f"Stripe endpoint of {self.program_id}"

    @property
    def masked_secret(self) -> str:
        return "whsec_…" + self.signing_secret[-4:]
