"""Console forms for program email: the template editor, campaigns, automations, suppression."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chorus.notifications.models import Automation, Category, Suppression
from chorus.notifications.templates import FIELD_STORAGE, FIELDS, MAX_LENGTHS

from .forms import ConsoleForm

FIELD_LABELS = {"subject": _("Subject"), "preheader": _("Preheader"), "body": _("Body"), "cta": _("Button label")}


class EmailTemplateForm(ConsoleForm):
    """Name, key and category, and the four texts in each language (`subject_de`, …)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    key = forms.SlugField(label=_("Key"), max_length=60,
                          help_text=_("How the API and the automations name this template, e.g. reward_earned."))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices,
                                 help_text=_("People opt out per category in their email preferences."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, _label in settings.LANGUAGES:
            for name in FIELDS:
                widget = (forms.Textarea(attrs={"rows": 8, "dir": "auto"}) if name == "body"
                          else forms.TextInput(attrs={"dir": "auto"}))
                self.fields[f"{name}_{code}"] = forms.CharField(
                    label=FIELD_LABELS[name], required=False, max_length=MAX_LENGTHS[name] + 1000, widget=widget)

    @classmethod
    def for_template(cls, template, data=None):
        initial = {"name": template.name, "key": template.key, "category": template.category}
        for name in FIELDS:
            for code, text in getattr(template, FIELD_STORAGE[name]).items():
                initial[f"{name}_{code}"] = text
        return cls(data, initial=initial)

    def languages(self):
        """[(code, label, [bound fields])] for the template's per-language fieldsets."""
        return [(code, label, [self[f"{name}_{code}"] for name in FIELDS]) for code, label in settings.LANGUAGES]

    def texts(self) -> dict:
        """The texts per language as typed (bound form) or as stored (initial)."""
        source = self.data if self.is_bound else self.initial
        return {code: {name: source.get(f"{name}_{code}", "") or "" for name in FIELDS}
                for code, _label in settings.LANGUAGES}


class CampaignForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    template = forms.ChoiceField(label=_("Template"))
    subject_a = forms.CharField(label=_("Subject A (default)"), max_length=200, required=False,
                                help_text=_("Empty: the template's own subject."))
    subject_b = forms.CharField(label=_("Subject B"), max_length=200, required=False,
                                help_text=_("Fill in B (and C) to test subject lines."))
    subject_c = forms.CharField(label=_("Subject C"), max_length=200, required=False)
    test_share_percent = forms.IntegerField(label=_("Test share (%)"), min_value=2, max_value=50, initial=20)
    wait_hours = forms.IntegerField(label=_("Waiting period (hours)"), min_value=0, max_value=168, initial=4)

    def __init__(self, program, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.pk, t.name) for t in program.email_templates.order_by("name")]

    def variants(self) -> list[dict]:
        subjects = [self.cleaned_data.get(name, "") for name in ("subject_a", "subject_b", "subject_c")]
        if not any(subjects[1:]):
            return [{"en": subjects[0]}] if subjects[0] else []
        return [{"en": subject} for subject in subjects if subject]


class AutomationForm(ConsoleForm):
    trigger = forms.ChoiceField(label=_("When"), choices=Automation.Trigger.choices)
    template = forms.ChoiceField(label=_("Send"))
    event_name = forms.CharField(label=_("Event name"), max_length=100, required=False,
                                 help_text=_("Milestone only: the event's name, empty for any event."))
    hours_before = forms.IntegerField(label=_("Hours before the end"), min_value=1, max_value=720, initial=48,
                                      help_text=_("Ask about to expire only."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, program, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.pk, t.name) for t in program.email_templates.order_by("name")]


class SuppressionForm(ConsoleForm):
    email = forms.CharField(label=_("Email address"), max_length=254)
    reason = forms.ChoiceField(label=_("Reason"), choices=Suppression.Reason.choices, initial=Suppression.Reason.MANUAL)
    detail = forms.CharField(label=_("Note"), max_length=500, required=False)


class EmailSettingsForm(ConsoleForm):
    frequency_cap = forms.IntegerField(label=_("At most this many emails per person"), min_value=1, max_value=50)
    frequency_window_days = forms.IntegerField(label=_("Within (days)"), min_value=1, max_value=90)


class WeeklySummaryForm(forms.Form):
    is_subscribed = forms.BooleanField(label=_("Email me this summary every Monday"), required=False)
    language = forms.ChoiceField(label=_("Language of the email"), choices=settings.LANGUAGES)
