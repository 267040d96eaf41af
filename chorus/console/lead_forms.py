"""Console forms of the lead pipeline: logging a lead or deal, moving it, importing deals."""

from datetime import UTC, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.referrals.models import Lead

from .forms import ConsoleForm


def _ltr(attrs: dict | None = None) -> dict:
    return {"dir": "ltr", "spellcheck": "false", **(attrs or {})}


class LeadForm(ConsoleForm):
    source = forms.ChoiceField(label=_("Source"), choices=Lead.Source.choices, initial=Lead.Source.REFERRAL,
                               widget=forms.RadioSelect)
    advocate_email = forms.CharField(label=_("Referring advocate's email"), max_length=254, required=False,
                                     widget=forms.EmailInput(attrs=_ltr()),
                                     help_text=_("For referred leads: the advocate you log it for."))
    channel = forms.CharField(label=_("Channel"), max_length=100, required=False,
                              help_text=_("For deals from other channels, e.g. Outbound, Paid search, Partner."))
    name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.CharField(label=_("Contact email"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs=_ltr()))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False, widget=forms.TextInput(attrs=_ltr()))
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    consent = forms.BooleanField(label=_("The contact agreed to be contacted"), required=False)
    deal_value = forms.IntegerField(label=_("Expected deal value (minor units)"), min_value=0, required=False,
                                    help_text=_("120000 = 1,200.00 in the program's currency."))
    submitted_on = forms.DateField(label=_("Submitted on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                   help_text=_("Empty for now."))

    def submitted_at(self):
        day = self.cleaned_data.get("submitted_on")
        return datetime.combine(day, datetime.min.time(), tzinfo=UTC) if day else None


class StageForm(ConsoleForm):
    stage = forms.ChoiceField(choices=[(stage, label) for stage, label in Lead.Stage.choices if stage != "submitted"])
    deal_value = forms.IntegerField(label=_("Deal value (minor units)"), min_value=0, required=False)
    lost_reason = forms.CharField(label=_("Why lost"), max_length=300, required=False)


class DealUploadForm(ConsoleForm):
    file = forms.FileField(label=_("CSV file of deals"),
                           help_text=_("UTF-8, at most 5 MB; a header line naming the columns."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}))


class LeadSettingsForm(ConsoleForm):
    show_deal_values = forms.BooleanField(label=_("Show deal values to advocates"), required=False)
