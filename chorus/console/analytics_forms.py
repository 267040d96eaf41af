"""Forms of the influence and virality pages."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.analytics.models import InfluenceWeights
from chorus.analytics.virality import MAX_FORECAST_MONTHS, MAX_MONTHS, month_start

from .forms import ConsoleForm

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InfluenceWeightsForm(ConsoleForm):
    """The five weights in percent; the service checks that they add up to 100."""

    revenue = forms.IntegerField(label=_("Attributed revenue"), min_value=0, max_value=100)
    referrals = forms.IntegerField(label=_("Converted referrals"), min_value=0, max_value=100)
    completions = forms.IntegerField(label=_("Approved ask completions"), min_value=0, max_value=100)
    shares = forms.IntegerField(label=_("Content shares"), min_value=0, max_value=100)
    engagement = forms.IntegerField(label=_("Active weeks"), min_value=0, max_value=100)

    @classmethod
    def for_weights(cls, weights: InfluenceWeights, data=None):
        return cls(data, initial=weights.as_dict())


class RecomputeForm(ConsoleForm):
    start = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("To"), widget=DATE_WIDGET)


class ViralityForm(ConsoleForm):
    """Months to show and forecast, and the calculator's inputs (defaults: the current rates)."""

    start = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)
    months = forms.IntegerField(label=_("Months to forecast"), min_value=1, max_value=MAX_FORECAST_MONTHS,
                                required=False)
    goal = forms.IntegerField(label=_("Goal: new customers"), min_value=1, max_value=10**9, required=False)
    deadline = forms.DateField(label=_("By"), required=False, widget=DATE_WIDGET)
    invites_per_advocate = forms.DecimalField(
        label=_("Invites per advocate per month"), min_value=Decimal("0.01"), max_value=Decimal(10**6),
        decimal_places=2, required=False)
    conversion_rate = forms.DecimalField(label=_("Conversion rate of invites (%)"), min_value=Decimal("0.01"),
                                         max_value=Decimal(10**5), decimal_places=2, required=False)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        today = timezone.localdate()
        end = cleaned.get("end") or today
        start = cleaned.get("start") or month_start(month_start(end) - timedelta(days=150))
        if start > end:
            raise forms.ValidationError(_("The start date must be on or before the end date."))
        if (end.year - start.year) * 12 + end.month - start.month + 1 > MAX_MONTHS:
            raise forms.ValidationError(_("Choose at most %(months)d months.") % {"months": MAX_MONTHS})
        cleaned["start"], cleaned["end"] = start, end
        cleaned["months"] = cleaned.get("months") or 6
        if cleaned.get("goal") and not cleaned.get("deadline"):
            self.add_error("deadline", _("Give the date the goal is for."))
        if cleaned.get("deadline") and cleaned["deadline"] <= today:
            self.add_error("deadline", _("Choose a date after today."))
        return cleaned
