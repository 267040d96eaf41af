from django import forms
from django.utils.translation import gettext_lazy as _

from .shop import PLANS


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("Work email"), max_length=254,
                             widget=forms.EmailInput(attrs={"id": "signup-email", "autocomplete": "email"}))
    name = forms.CharField(label=_("Your name"), max_length=200,
                           widget=forms.TextInput(attrs={"id": "signup-name", "autocomplete": "name"}))
    promo_code = forms.CharField(label=_("Promo code from a friend (optional)"), max_length=32, required=False,
                                 widget=forms.TextInput(attrs={"id": "signup-promo", "autocomplete": "off"}))
    chorus_click = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput(attrs={"id": "signup-click"}))
    chorus_ref = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput(attrs={"id": "signup-ref"}))


class BuyForm(forms.Form):
    plan = forms.ChoiceField(label=_("Plan"), choices=[(plan.slug, plan.name) for plan in PLANS.values()],
                             widget=forms.RadioSelect(attrs={"class": "plan-choice"}))
