"""Forms of the console's metrics page: the range and breakdown, and entering acquisition costs."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.analytics.metric_report import BREAKDOWN_LABELS, MAX_DAYS
from chorus.analytics.models import AcquisitionCost
from chorus.programs.currencies import minor_unit_exponent

from .forms import ConsoleForm

DEFAULT_DAYS = 30


class MetricsForm(ConsoleForm):
    """A range (both days included; the last 30 days when not given) and a breakdown."""

    start = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    by = forms.ChoiceField(label=_("Break down by"), required=False,
                           choices=[("", _("No breakdown")), *BREAKDOWN_LABELS.items()])

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end = cleaned.get("end") or timezone.localdate()
        start = cleaned.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The start date must be on or before the end date."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("Choose at most %(days)d days.") % {"days": MAX_DAYS})
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


class AcquisitionCostForm(ConsoleForm):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    channel = forms.CharField(label=_("Channel"), max_length=100, initial=AcquisitionCost.REFERRAL_CHANNEL,
                              help_text=_("“referral program”, or another channel by the name your customer import "
                                          "uses in its “channel” column."),
                              widget=forms.TextInput(attrs={"list": "cost-channels"}))
    category = forms.ChoiceField(label=_("Category"), choices=AcquisitionCost.Category.choices)
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.01"), max_digits=15,
                                help_text=_("In the program's currency, e.g. 1200.50."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, currency: str = "USD", **kwargs):
        super().__init__(*args, **kwargs)
        self.exponent = minor_unit_exponent(currency)

    def clean_amount(self):
        amount = self.cleaned_data["amount"].scaleb(self.exponent)
        if amount != amount.to_integral_value():
            raise forms.ValidationError(_("Use at most %(digits)d decimals.") % {"digits": self.exponent})
        return int(amount)
