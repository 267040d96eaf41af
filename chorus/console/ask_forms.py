"""Console forms for asks: the ask builder and the moderation decision."""

import json

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chorus.advocates.models import Advocate
from chorus.campaigns.models import Ask
from chorus.core.emails import normalize_email
from chorus.rewards.models import Level

from .forms import ConsoleForm

OTHER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]

CONFIG_EXAMPLES = {
    "survey": {"questions": [
        {"key": "plan", "kind": "single", "label": {"en": "Which plan?"}, "choices": ["Starter", "Pro"]},
        {"key": "uses", "kind": "multiple", "label": "What for?", "choices": ["reports", "alerts"]},
        {"key": "nps", "kind": "scale", "label": "How likely are you to recommend us?", "nps": True},
        {"key": "wish", "kind": "text", "label": "One wish", "required": False}]},
    "quiz": {"question": {"en": "What year were we founded?"}, "choices": ["2015", "2019"], "answers": ["2019"]},
    "review": {"site_name": "G2", "site_url": "https://www.g2.com/", "disclosure": {"en": "I received points for this review."}},
    "social_follow": {"target_url": "https://www.linkedin.com/company/acme", "allowed_domains": ["linkedin.com"]},
    "social_share": {"target_url": "https://acme.example/launch", "allowed_domains": ["linkedin.com", "x.com"]},
    "video": {"embed_url": "https://www.youtube-nocookie.com/embed/VIDEO_ID"},
    "event_rsvp": {"event_id": 1},
    "refer_friend": {"conversion": "purchase"},
}


def _json_field(label, help_text=""):
    return forms.CharField(label=label, required=False, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": 6, "dir": "ltr", "spellcheck": "false",
                                                        "class": "code"}))


def _local_input(value):
    return value.strftime("%Y-%m-%dT%H:%M") if value else ""


class AskForm(ConsoleForm):
    type = forms.ChoiceField(label=_("Type"), choices=Ask.Type.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Ask.Status.choices, initial=Ask.Status.PUBLISHED)
    title = forms.CharField(label=_("Title (English / default)"), max_length=200)
    body = forms.CharField(label=_("Text (English / default)"), required=False,
                           help_text=_("HTML is allowed: paragraphs, lists, links, images. Scripts and styles are removed."),
                           widget=forms.Textarea(attrs={"rows": 5}))
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=1_000_000, initial=100)
    starts_at = forms.DateTimeField(label=_("Starts"), required=False,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=_("Ends"), required=False,
                                  help_text=_("An ask with an end is shown as “limited time”."),
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    audience = forms.ChoiceField(label=_("Audience"), choices=Ask.Audience.choices, initial=Ask.Audience.ALL,
                                 widget=forms.RadioSelect)
    segment_min_level = forms.ModelChoiceField(label=_("Segment: at this level or above"), required=False,
                                               queryset=Level.objects.none())
    segment_languages = forms.MultipleChoiceField(label=_("Segment: languages"), required=False,
                                                  choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple)
    segment_email_domains = forms.CharField(label=_("Segment: email domains"), required=False, max_length=500,
                                            help_text=_("Separated by commas, e.g. acme.com, example.org"))
    segment_accounts = forms.CharField(label=_("Segment: account names"), required=False, max_length=500,
                                       help_text=_("Separated by commas."))
    named_emails = forms.CharField(label=_("Named advocates"), required=False,
                                   help_text=_("Email addresses, one per line."),
                                   widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}))
    max_completions = forms.IntegerField(label=_("Completions allowed overall"), required=False, min_value=1,
                                         help_text=_("Empty for no limit."))
    max_per_advocate = forms.IntegerField(label=_("Completions allowed per advocate"), required=False, min_value=1,
                                          initial=1, help_text=_("Empty for no limit (e.g. a standing feedback ask)."))
    moderation = forms.ChoiceField(label=_("Moderation"), choices=Ask.Moderation.choices,
                                   initial=Ask.Moderation.REVIEW, widget=forms.RadioSelect)
    trigger_event = forms.CharField(label=_("Open only when this event arrives for the advocate"), required=False,
                                    max_length=100, help_text=_("e.g. milestone.reached — sent through POST /api/v1/events."))
    trigger_properties = _json_field(_("Event properties to match (JSON)"), _('e.g. {"milestone": "first-100-orders"}'))
    trigger_window_days = forms.IntegerField(label=_("Days open after the event"), required=False, min_value=1)
    config = _json_field(_("Type settings (JSON)"), _("Survey questions, quiz answers, review site, video URL… See the examples."))

    def __init__(self, program, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["segment_min_level"].queryset = program.levels.all()
        for code in OTHER_LANGUAGES:
            name = dict(settings.LANGUAGES)[code]
            self.fields[f"title_{code}"] = forms.CharField(label=_("Title (%(language)s)") % {"language": name},
                                                           required=False, max_length=200)
            self.fields[f"body_{code}"] = forms.CharField(label=_("Text (%(language)s)") % {"language": name},
                                                          required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def for_ask(cls, ask: Ask, data=None):
        initial = {key: getattr(ask, key) for key in ("type", "status", "title", "body", "points", "audience",
                                                      "max_completions", "max_per_advocate", "moderation",
                                                      "trigger_event", "trigger_window_days")}
        initial.update({
            "starts_at": _local_input(ask.starts_at), "ends_at": _local_input(ask.ends_at),
            "segment_min_level": ask.segment_min_level_id,
            "segment_languages": ask.segment_attributes.get("language", []),
            "segment_email_domains": ", ".join(ask.segment_attributes.get("email_domain", [])),
            "segment_accounts": ", ".join(ask.segment_attributes.get("account", [])),
            "named_emails": "\n".join(ask.named_advocates.values_list("email", flat=True)),
            "trigger_properties": json.dumps(ask.trigger_properties, ensure_ascii=False) if ask.trigger_properties else "",
            "config": json.dumps(ask.config, ensure_ascii=False, indent=2) if ask.config else "",
        })
        for code in OTHER_LANGUAGES:
            initial[f"title_{code}"] = ask.titles.get(code, "")
            initial[f"body_{code}"] = ask.bodies.get(code, "")
        return cls(ask.program, data, initial=initial)

    def _json(self, name):
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError as error:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": error}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Must be a JSON object."))
        return value

    def clean_config(self):
        return self._json("config")

    def clean_trigger_properties(self):
        return self._json("trigger_properties")

    def clean_named_emails(self):
        emails = [normalize_email(line) for line in (self.cleaned_data.get("named_emails") or "").split() if line.strip()]
        found = dict(Advocate.objects.filter(program=self.program, email_normalized__in=emails)
                     .values_list("email_normalized", "pk"))
        missing = [email for email in emails if email not in found]
        if missing:
            raise forms.ValidationError(_("Not advocates of this program: %(emails)s") % {"emails": ", ".join(missing)})
        return [found[email] for email in emails]

    def ask_values(self) -> dict:
        """The values the ask service takes."""
        data = self.cleaned_data

        def split(name):
            return [part.strip() for part in (data.get(name) or "").split(",") if part.strip()]

        attributes = {"language": data.get("segment_languages") or [], "email_domain": split("segment_email_domains"),
                      "account": split("segment_accounts")}
        return {
            "type": data["type"], "status": data["status"], "title": data["title"], "body": data["body"],
            "titles": {"en": data["title"], **{code: data[f"title_{code}"] for code in OTHER_LANGUAGES
                                               if data.get(f"title_{code}")}},
            "bodies": {**({"en": data["body"]} if data["body"] else {}),
                       **{code: data[f"body_{code}"] for code in OTHER_LANGUAGES if data.get(f"body_{code}")}},
            "points": data["points"], "starts_at": data.get("starts_at"), "ends_at": data.get("ends_at"),
            "audience": data["audience"], "segment_min_level": data.get("segment_min_level"),
            "segment_attributes": {key: values for key, values in attributes.items() if values},
            "named_advocates": data.get("named_emails") or [],
            "max_completions": data.get("max_completions"), "max_per_advocate": data.get("max_per_advocate"),
            "moderation": data["moderation"], "trigger_event": data.get("trigger_event") or "",
            "trigger_properties": data.get("trigger_properties") or {},
            "trigger_window_days": data.get("trigger_window_days"), "config": data.get("config") or {},
        }


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
