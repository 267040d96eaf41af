"""Forms of the rewards store: the redeem form (shipping details or a cause, per item)."""

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.rewards.models import CatalogItem


class RedeemForm(forms.Form):
    """A one-time token makes a resubmitted form (double click, back and resend) redeem once."""

    token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput)

    def __init__(self, item: CatalogItem, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["token"].initial = secrets.token_urlsafe(16)
        if item.needs_shipping:
            self.fields["name"] = forms.CharField(label=_("Full name"), max_length=200,
                                                  widget=forms.TextInput(attrs={"autocomplete": "name"}))
            self.fields["address"] = forms.CharField(label=_("Street address"), max_length=500,
                                                     widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}))
            self.fields["city"] = forms.CharField(label=_("City"), max_length=100,
                                                  widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
            self.fields["postal_code"] = forms.CharField(
                label=_("Postal code"), max_length=20, required=False,
                widget=forms.TextInput(attrs={"autocomplete": "postal-code", "dir": "ltr"}))
            self.fields["country"] = forms.CharField(
                label=_("Country code"), min_length=2, max_length=2,
                help_text=_("Two letters, e.g. DE, JP, PL, US."),
                widget=forms.TextInput(attrs={"autocomplete": "country", "dir": "ltr", "size": 3}))
        if item.fulfilment == CatalogItem.Fulfilment.CHARITY:
            self.fields["cause"] = forms.ChoiceField(label=_("Donate to"), choices=item.localized_causes(),
                                                     widget=forms.RadioSelect)

    def shipping(self) -> dict:
        names = ("name", "address", "city", "postal_code", "country")
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}
