"""Console forms for NPS, candidate scoring and nominations (the services decide validity)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chorus.insights.models import NpsResponse, ScoreWeights
from chorus.insights.scoring import FACTOR_LABELS, MAX_WEIGHT

from .forms import ConsoleForm


class NpsFilterForm(ConsoleForm):
    period = forms.ChoiceField(label=_("Group by"), required=False,
                               choices=[("week", _("Week")), ("month", _("Month"))])
    days = forms.TypedChoiceField(label=_("Period"), required=False, coerce=int, empty_value=90,
                                  choices=[(30, _("Last 30 days")), (90, _("Last 90 days")),
                                           (365, _("Last 12 months"))])
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All answers")), *NpsResponse.Category.choices])
    q = forms.CharField(label=_("Search comments"), required=False, max_length=100)


class NpsSendForm(ConsoleForm):
    AUDIENCES = [("list", _("The people listed below")), ("all_customers", _("All customers")),
                 ("all_advocates", _("All active advocates"))]

    name = forms.CharField(label=_("Name"), max_length=120, required=False,
                           help_text=_("For you, e.g. “Q3 NPS”."))
    audience = forms.ChoiceField(label=_("Send to"), choices=AUDIENCES, initial="list")
    people = forms.CharField(label=_("Customers and advocates"), required=False, max_length=200_000,
                             widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr"}),
                             help_text=_("Email addresses or customer ids, one per line."))


class WeightsForm(ConsoleForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for factor in ScoreWeights.FACTORS:
            self.fields[factor] = forms.IntegerField(label=FACTOR_LABELS[factor], min_value=0, max_value=MAX_WEIGHT)

    @classmethod
    def for_weights(cls, weights: ScoreWeights, data=None):
        return cls(data, initial=weights.as_dict())


class CandidateFilterForm(ConsoleForm):
    not_advocates = forms.BooleanField(label=_("Not yet advocates"), required=False)
    nominated = forms.BooleanField(label=_("Nominated"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("Any language")), *settings.LANGUAGES])
    plan = forms.CharField(label=_("Plan"), required=False, max_length=100)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class NominationForm(ConsoleForm):
    person = forms.CharField(max_length=24, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why would they make a good advocate?"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
