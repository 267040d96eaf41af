"""Console forms of the recognition pages: levels, badges, the wall of fame."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chorus.rewards.levels import LevelInput
from chorus.rewards.models import Badge

from .forms import ConsoleForm

LANGUAGE_CODES = [code for code, _label in settings.LANGUAGES]


def _language_fields(prefix: str, label, max_length: int, widget=None) -> dict:
    return {f"{prefix}_{code}": forms.CharField(
        label=f"{label} ({code})", max_length=max_length, required=False,
        widget=(widget or forms.TextInput)(attrs={"lang": code, "dir": "auto"}))
        for code in LANGUAGE_CODES}


class LevelForm(ConsoleForm):
    level_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    min_points_earned = forms.IntegerField(label=_("From points earned"), min_value=0, max_value=1_000_000_000)
    color = forms.CharField(label=_("Colour"), max_length=7, initial="#6b7280",
                            widget=forms.TextInput(attrs={"type": "color"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_language_fields("name", _("Name"), 80))

    def has_changed(self) -> bool:
        """A colour picker always sends a colour: a blank new row is one with no points and no names."""
        return any(name != "color" for name in self.changed_data)

    def name_fields(self):
        return [self[f"name_{code}"] for code in LANGUAGE_CODES]

    def as_input(self) -> LevelInput:
        data = self.cleaned_data
        return LevelInput(level_id=data.get("level_id"), min_points_earned=data.get("min_points_earned"),
                          color=data.get("color") or "#6b7280",
                          names={code: data.get(f"name_{code}") or "" for code in LANGUAGE_CODES},
                          delete=bool(data.get("DELETE")))

    @staticmethod
    def initial_for(level) -> dict:
        return {"level_id": level.pk, "min_points_earned": level.min_points_earned, "color": level.color,
                **{f"name_{code}": level.names.get(code, level.name if code == "en" else "")
                   for code in LANGUAGE_CODES}}


LevelFormSet = forms.formset_factory(LevelForm, extra=1, can_delete=True, max_num=12, validate_max=True)


class BadgeForm(ConsoleForm):
    rule = forms.ChoiceField(label=_("Rule"), choices=Badge.Rule.choices)
    threshold = forms.IntegerField(label=_("Threshold"), min_value=0, max_value=1_000_000_000, help_text=_(
        "Referrals, completions, weeks in a row, days after the program started, or points earned."))
    ask_type = forms.ChoiceField(label=_("Ask type"), required=False,
                                 help_text=_("Completion badges only: count this ask type alone."))
    icon = forms.CharField(label=_("Icon"), max_length=8, help_text=_("An emoji or a symbol."))
    color = forms.CharField(label=_("Colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from chorus.campaigns.models import Ask

        self.fields.update(_language_fields("name", _("Name"), 80))
        self.fields.update(_language_fields("description", _("Description"), 300))

        self.fields["ask_type"].choices = [("", _("Any ask")), *Ask.Type.choices]

    def name_fields(self):
        return [self[f"name_{code}"] for code in LANGUAGE_CODES]

    def description_fields(self):
        return [self[f"description_{code}"] for code in LANGUAGE_CODES]

    def badge_values(self) -> dict:
        data = self.cleaned_data
        return {"names": {code: data[f"name_{code}"] for code in LANGUAGE_CODES},
                "descriptions": {code: data[f"description_{code}"] for code in LANGUAGE_CODES},
                "rule": data["rule"], "threshold": data["threshold"], "ask_type": data["ask_type"],
                "icon": data["icon"], "color": data["color"], "is_active": data["is_active"]}

    @classmethod
    def for_badge(cls, badge: Badge | None, data=None):
        if badge is None:
            return cls(data, initial={"icon": "★", "color": "#2563eb", "threshold": 1, "is_active": True})
        initial = {"rule": badge.rule, "threshold": badge.threshold, "ask_type": badge.ask_type, "icon": badge.icon,
                   "color": badge.color, "is_active": badge.is_active}
        for code in LANGUAGE_CODES:
            initial[f"name_{code}"] = badge.names.get(code, badge.name if code == "en" else "")
            initial[f"description_{code}"] = badge.descriptions.get(code, badge.description if code == "en" else "")
        return cls(data, initial=initial)


class WallFeatureForm(ConsoleForm):
    email = forms.EmailField(label=_("Advocate's email"), max_length=254, required=False)
    advocate_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quote = forms.CharField(label=_("Quote"), max_length=400, required=False,
                            widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
                            help_text=_("What the advocate said, with their permission."))

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("advocate_id"):
            raise forms.ValidationError(_("Choose an advocate."))
        return data
