"""Console forms for personal data: look a person up, and confirm an erasure by typing the address."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.core.emails import normalize_email

from .forms import ConsoleForm


class PersonLookupForm(ConsoleForm):
    email = forms.CharField(label=_("Email address"), max_length=254,
                            widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "off"}))
    everywhere = forms.BooleanField(label=_("Every program of this workspace"), required=False)


class EraseConfirmForm(ConsoleForm):
    email = forms.CharField(widget=forms.HiddenInput, max_length=254)
    everywhere = forms.BooleanField(widget=forms.HiddenInput, required=False)
    confirmation = forms.CharField(
        label=_("Type the email address to confirm"), max_length=254,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"}))

    def clean(self):
        data = super().clean()
        email, typed = data.get("email", ""), data.get("confirmation", "")
        if email and typed and normalize_email(typed) != normalize_email(email):
            self.add_error("confirmation", _("This is not the address of the person to erase."))
        return data
