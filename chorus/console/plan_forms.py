"""Forms of the plan page: goals, stages, outcome types, personas."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.analytics import catalogue
from chorus.programs.models import Goal, OutcomeType, Persona

from .forms import ConsoleForm

DATE = forms.DateInput(attrs={"type": "date"})


def metric_choices() -> list[tuple[str, str]]:
    return [(metric.key, str(metric.label)) for metric in catalogue.metrics()]


class GoalForm(ConsoleForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Goal.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=160)
    metric = forms.ChoiceField(label=_("Metric"))
    target = forms.DecimalField(label=_("Target"), min_value=0, max_digits=16, decimal_places=2,
                                help_text=_("Money in minor units (for example cents); percentages 0–100."))
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    parent = forms.ModelChoiceField(label=_("Under the strategic goal"), queryset=Goal.objects.none(), required=False,
                                    empty_label=_("None"))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)

    def __init__(self, program, *args, goal: Goal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices()
        parents = Goal.objects.filter(program=program, kind=Goal.Kind.STRATEGIC)
        self.fields["parent"].queryset = parents.exclude(pk=goal.pk) if goal else parents

    @classmethod
    def for_goal(cls, goal: Goal, data=None):
        initial = {name: getattr(goal, name) for name in ("kind", "name", "metric", "target", "start_date", "deadline",
                                                          "notes")}
        initial["parent"] = goal.parent_id
        return cls(goal.program, data, goal=goal, initial=initial)

    def goal_fields(self) -> dict:
        return dict(self.cleaned_data)


class StageForm(ConsoleForm):
    date = forms.DateField(label=_("Date"), widget=DATE)
    target = forms.DecimalField(label=_("Target"), min_value=0, max_digits=16, decimal_places=2)


class OutcomeTypesForm(ConsoleForm):
    outcome_types = forms.MultipleChoiceField(label=_("Outcome types this program counts"),
                                              choices=OutcomeType.choices, widget=forms.CheckboxSelectMultiple,
                                              required=False)


class PersonaForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                  max_length=4000)
    languages = forms.CharField(label=_("Languages"), required=False, max_length=100,
                                help_text=_("Language codes separated by commas, e.g. de, ja. Empty: any."))
    min_level = forms.ModelChoiceField(label=_("Level reached (or higher)"), queryset=None, required=False,
                                       empty_label=_("Any"))
    account = forms.ChoiceField(label=_("Company account"), choices=Persona.AccountRule.choices, required=False)
    customer_plan = forms.CharField(label=_("Customer plan"), max_length=100, required=False)
    attribute_key = forms.CharField(label=_("Customer attribute"), max_length=60, required=False)
    attribute_value = forms.CharField(label=_("Attribute value"), max_length=200, required=False)
    min_referrals = forms.IntegerField(label=_("At least this many referrals"), min_value=0, required=False)
    active_within_days = forms.IntegerField(label=_("Active in the last N days"), min_value=1, max_value=3650,
                                            required=False)
    min_points_earned = forms.IntegerField(label=_("At least this many points earned"), min_value=0,
                                           max_value=10**9, required=False)
    nps_promoter = forms.BooleanField(label=_("NPS promoter (latest answer 9 or 10)"), required=False)

    def __init__(self, program, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["min_level"].queryset = program.levels.order_by("rank")

    @classmethod
    def for_persona(cls, persona: Persona, data=None):
        initial = {name: getattr(persona, name) for name in ("name", "description", "min_level", "account",
                                                             "customer_plan", "attribute_key", "attribute_value",
                                                             "min_referrals", "active_within_days",
                                                             "min_points_earned", "nps_promoter")}
        initial["languages"] = ", ".join(persona.languages)
        return cls(persona.program, data, initial=initial)

    def persona_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["languages"] = [code for code in data["languages"].replace(" ", ",").split(",") if code]
        data["account"] = data.get("account") or ""
        return data
