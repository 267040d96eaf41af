"""Forms of the advocate- and friend-facing pages."""

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from chorus.core.errors import ChorusError


def add_service_errors(form: forms.Form, error: ChorusError) -> None:
    """Show a service's field errors on the form's fields (the rest above the form)."""
    placed = False
    for field, messages in error.field_errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))


class JoinForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200,
                           widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True}))
    email = forms.EmailField(label=_("Your email address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    language = forms.ChoiceField(label=_("Language for emails and your hub"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = translation.get_language()


class ClaimForm(forms.Form):
    """A friend who lost the link tells us who referred them."""

    friend_email = forms.EmailField(label=_("Your email address"), max_length=254,
                                    widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    advocate = forms.CharField(label=_("Their email address or full name"), max_length=200)


class VanityForm(forms.Form):
    vanity_code = forms.CharField(label=_("Personal code"), max_length=32, required=False,
                                  help_text=_("3–32 letters, digits or dashes. Leave empty to remove it."))


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=500)
