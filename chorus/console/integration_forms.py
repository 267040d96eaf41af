import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import ConsoleForm

SIGNING_SECRET = re.compile(r"^whsec_[A-Za-z0-9_]{8,240}$")


class StripeSecretForm(ConsoleForm):
    signing_secret = forms.CharField(
        label=_("Stripe signing secret"), max_length=255, strip=True,
        widget=forms.PasswordInput(attrs={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("In the Stripe dashboard: Developers → Webhooks → your endpoint → Signing secret (whsec_…)."))

    def clean_signing_secret(self) -> str:
        secret = self.cleaned_data["signing_secret"]
        if not SIGNING_SECRET.match(secret):
            raise forms.ValidationError(_("A Stripe signing secret starts with whsec_ followed by letters and digits."))
        return secret
