"""Console forms: they parse and shape input; the services decide what is valid."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.analytics.services import MAX_FUNNEL_DAYS
from chorus.core.errors import ChorusError
from chorus.programs.models import ApiKey, Program
from chorus.rewards.models import RewardRule, Side

DEFAULT_FUNNEL_DAYS = 30


def add_service_errors(form: forms.Form, error: ChorusError) -> None:
    """Show a service's field errors on the form's fields (or on top when it has no such field)."""
    for field, messages in error.field_errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    if not error.field_errors:
        form.add_error(None, error.message)


class ConsoleForm(forms.Form):
    error_css_class = "has-error"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # no colons: they read wrong in several languages
        super().__init__(*args, **kwargs)


class DestinationsField(forms.CharField):
    """Web addresses, one per line, as a list (the service checks each one)."""

    widget = forms.Textarea(attrs={"rows": 4, "dir": "ltr", "spellcheck": "false"})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]


def _ltr(attrs: dict | None = None) -> dict:
    """Codes and addresses read left to right, even on a right-to-left page."""
    return {"dir": "ltr", "spellcheck": "false", **(attrs or {})}


class ProgramSettingsForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Slug"), max_length=60, widget=forms.TextInput(attrs=_ltr()),
        help_text=_("Used in the program's web addresses. Changing it changes vanity links."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Program.Kind.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False,
                                   help_text=_("Inactive programs stop redirecting referral links."))
    landing_title = forms.CharField(label=_("Landing page title"), max_length=200, required=False)
    landing_body = forms.CharField(label=_("Landing page text"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 5}))
    friend_offer = forms.CharField(label=_("Friend offer"), max_length=200, required=False,
                                   # xgettext:no-python-format
                                   help_text=_("What the friend gets, e.g. “20% off your first order”."))
    advocate_offer = forms.CharField(label=_("Advocate reward text"), max_length=200, required=False,
                                     help_text=_("What the advocate gets, in words."))
    allowed_destinations = DestinationsField(
        label=_("Allowed destination URLs"), required=False,
        help_text=_("One http(s) address per line. Links may only send friends to these addresses (or below them)."),
    )
    default_destination = forms.CharField(
        label=_("Default destination"), max_length=500, widget=forms.URLInput(attrs=_ltr()),
        help_text=_("Where a referral link sends the friend. Must be one of the allowed destinations."),
    )
    show_friend_page = forms.BooleanField(label=_("Show the friend page before redirecting"), required=False)
    attribution_window_days = forms.IntegerField(label=_("Attribution window (days)"), min_value=1, max_value=365)
    attribution_model = forms.ChoiceField(label=_("Attribution model"), choices=Program.AttributionModel.choices)
    credit_model = forms.ChoiceField(
        label=_("Revenue credit model"), choices=Program.CreditModel.choices,
        help_text=_("How revenue is shared when a friend clicked several advocates' links. Rewards still "
                    "follow the attribution model above."))
    credit_half_life_days = forms.IntegerField(
        label=_("Time decay half-life (days)"), min_value=1, max_value=365,
        help_text=_("For time decay: a click this many days older counts half as much."))
    hold_days = forms.IntegerField(label=_("Hold period (days)"), min_value=0, max_value=365,
                                   help_text=_("Purchase rewards wait this long before approval, in case of refunds."))
    currency = forms.CharField(label=_("Currency"), max_length=8, widget=forms.TextInput(attrs=_ltr({"size": 4})),
                               help_text=_("Three-letter ISO 4217 code, e.g. USD, EUR, JPY."))

    @classmethod
    def for_program(cls, program: Program, data=None):
        initial = {name: getattr(program, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class NewProgramForm(ConsoleForm):
    workspace = forms.ModelChoiceField(label=_("Workspace"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(label=_("Slug"), max_length=60, required=False, widget=forms.TextInput(attrs=_ltr()),
                           help_text=_("Leave empty to make one from the name."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Program.Kind.choices)
    default_destination = forms.CharField(
        label=_("Destination"), max_length=500, widget=forms.URLInput(attrs=_ltr({"placeholder": "https://"})),
        help_text=_("Where referral links send friends, e.g. your sign-up page."),
    )
    currency = forms.CharField(label=_("Currency"), max_length=8, initial="USD", widget=forms.TextInput(attrs=_ltr({"size": 4})))

    def __init__(self, *args, workspaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workspace"].queryset = workspaces
        if len(workspaces) == 1:
            self.fields["workspace"].initial = workspaces[0]
            self.fields["workspace"].widget = forms.HiddenInput()

    def program_fields(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != "workspace"}


class RewardRuleForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    side = forms.ChoiceField(label=_("Who is rewarded"), choices=Side.choices)
    event = forms.ChoiceField(label=_("When"), choices=RewardRule.Event.choices)
    kind = forms.ChoiceField(label=_("Reward"), choices=RewardRule.Kind.choices)
    amount = forms.IntegerField(label=_("Amount"), min_value=0, required=False,
                                help_text=_("Points, or credit / discount in minor units (1000 = 10.00)."))
    percent_basis_points = forms.IntegerField(label=_("Percent (basis points)"), min_value=0, max_value=10_000,
                                              required=False, help_text=_("For percent rewards: 1000 = 10%."))
    min_purchase_amount = forms.IntegerField(label=_("Minimum purchase (minor units)"), min_value=0, required=False)
    max_purchases = forms.IntegerField(label=_("Purchases rewarded per friend"), min_value=1, required=False,
                                       help_text=_("For “every purchase” rules. Empty: no limit."))
    monthly_cap = forms.IntegerField(label=_("Rewards per advocate per month"), min_value=1, required=False,
                                     help_text=_("For advocate rewards. Empty: no cap."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def for_rule(cls, rule: RewardRule, data=None):
        return cls(data, initial={name: getattr(rule, name) for name in cls.base_fields})

    def rule_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("amount", "percent_basis_points", "min_purchase_amount"):
            data[name] = data[name] or 0
        return data


class AdvocateForm(ConsoleForm):
    email = forms.CharField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs=_ltr()))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    external_id = forms.CharField(label=_("Customer id"), max_length=100, required=False,
                                  widget=forms.TextInput(attrs=_ltr()),
                                  help_text=_("The id your systems use for this customer, if any."))
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("From the browser"))] + list(settings.LANGUAGES))


class FunnelRangeForm(ConsoleForm):
    """A date range for the funnel; both ends included; last 30 days when not given."""

    start = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        today = timezone.localdate()
        end = cleaned.get("end") or today
        start = cleaned.get("start") or end - timedelta(days=DEFAULT_FUNNEL_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The start date must be on or before the end date."))
        if (end - start).days + 1 > MAX_FUNNEL_DAYS:
            raise forms.ValidationError(_("Choose at most %(days)d days.") % {"days": MAX_FUNNEL_DAYS})
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


class ReviewDecisionForm(ConsoleForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("deny", _("Deny"))])
    note = forms.CharField(label=_("Note"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Why you decided so; kept in the audit log."))


class ApiKeyForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("Where the key is used, e.g. “Shop backend”."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=ApiKey.Scope.choices, widget=forms.CheckboxSelectMultiple,
        initial=[ApiKey.Scope.READ, ApiKey.Scope.WRITE],
    )
