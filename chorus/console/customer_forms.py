"""Forms of the customer pages: CSV upload, column mapping, health weights."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.advocates.customers import attribute_key
from chorus.advocates.health import DEFAULT_WEIGHTS, FACTORS
from chorus.advocates.imports import ATTRIBUTE, DELIMITERS, MAX_ROWS, TARGETS

from .forms import ConsoleForm


class UploadForm(ConsoleForm):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, one header row, at most %(rows)s rows.")
                           % {"rows": f"{MAX_ROWS:,}"})


class MappingForm(ConsoleForm):
    """One choice per column (a field, an attribute, or ignored) and the attribute's name."""

    delimiter = forms.ChoiceField(label=_("Delimiter"), choices=list(DELIMITERS.items()))

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        self.fields["delimiter"].initial = job.delimiter
        choices = [("", _("Ignore")), *TARGETS.items(), (ATTRIBUTE, _("Attribute"))]
        self.columns = []
        for index, (header, target) in enumerate(zip(job.headers, job.mapping, strict=True)):
            is_attribute = target.startswith(f"{ATTRIBUTE}:")
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or _("Column %(number)d") % {"number": index + 1}, choices=choices, required=False,
                initial=ATTRIBUTE if is_attribute else target)
            self.fields[f"key_{index}"] = forms.CharField(
                label=_("Attribute name"), required=False, max_length=64,
                initial=target.split(":", 1)[1] if is_attribute else attribute_key(header))
            samples = [row[index] for row in job.sample if index < len(row) and row[index].strip()][:3]
            self.columns.append((self[f"column_{index}"], self[f"key_{index}"], samples))

    def mapping(self) -> list[str]:
        result = []
        for index in range(len(self.job.headers)):
            target = self.cleaned_data.get(f"column_{index}") or ""
            if target == ATTRIBUTE:
                target = f"{ATTRIBUTE}:{self.cleaned_data.get(f'key_{index}') or ''}"
            result.append(target)
        return result


class HealthWeightsForm(ConsoleForm):
    def __init__(self, *args, weights: dict, plans: list[tuple[str, int]], **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in FACTORS.items():
            self.fields[f"weight_{name}"] = forms.IntegerField(label=label, min_value=0, max_value=100,
                                                               initial=weights.get(name, DEFAULT_WEIGHTS[name]))
        self.plan_names = []
        for index, (plan, score) in enumerate(plans):
            self.fields[f"plan_{index}"] = forms.IntegerField(label=plan, min_value=0, max_value=100, initial=score)
            self.plan_names.append(plan)

    def weight_fields(self):
        return [self[f"weight_{name}"] for name in FACTORS]

    def plan_fields(self):
        return [self[f"plan_{index}"] for index in range(len(self.plan_names))]

    def weights(self) -> dict:
        return {name: self.cleaned_data[f"weight_{name}"] for name in FACTORS}

    def plan_scores(self) -> dict:
        return {plan: self.cleaned_data[f"plan_{index}"] for index, plan in enumerate(self.plan_names)}
