"""The hub's refer-a-colleague form."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReferColleagueForm(forms.Form):
    name = forms.CharField(label=_("Your colleague's name"), max_length=200,
                           error_messages={"required": _("Give your colleague's name.")})
    company = forms.CharField(label=_("Their company"), max_length=200,
                              error_messages={"required": _("Give the company's name.")})
    email = forms.EmailField(label=_("Their work email"), max_length=254,
                             widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "off"}),
                             error_messages={"required": _("Give an email address to reach them at."),
                                             "invalid": _("Enter a valid email address, e.g. name@company.com.")})
    phone = forms.CharField(label=_("Their phone (optional)"), max_length=40, required=False,
                            widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel"}))
    note = forms.CharField(label=_("A note for our team (optional)"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    consent = forms.BooleanField(label=_("My colleague agreed to be contacted about this"),
                                 error_messages={"required": _("Confirm that your colleague agreed to be contacted.")})
