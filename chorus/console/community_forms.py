"""Console forms of the content vault and of events & clubs (texts per language included)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chorus.campaigns.events import Segment
from chorus.campaigns.models import ContentItem, Event

from .forms import ConsoleForm, _ltr

OTHER_LANGUAGES = [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label, required=False):
    return forms.DateTimeField(label=label, required=required, input_formats=[DATETIME_FORMAT],
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
                               help_text=_("In %(zone)s.") % {"zone": settings.TIME_ZONE})


class TranslatedForm(ConsoleForm):
    """Adds `<field>_<language>` inputs for each text with a per-language JSON field."""

    translated: dict[str, tuple[str, int, bool]] = {}  # field → (JSON field, max length, multi-line)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, (_json_field, limit, multiline) in self.translated.items():
            for code, name in OTHER_LANGUAGES:
                widget = forms.Textarea(attrs={"rows": 2, "lang": code}) if multiline else forms.TextInput(attrs={"lang": code})
                self.fields[f"{field}_{code}"] = forms.CharField(
                    label=f"{self.fields[field].label} ({name})", max_length=limit, required=False, widget=widget)

    @classmethod
    def initial_for(cls, instance) -> dict:
        initial = {name: getattr(instance, name) for name in cls.base_fields}
        for field, (json_field, _limit, _multiline) in cls.translated.items():
            for code, _name in OTHER_LANGUAGES:
                initial[f"{field}_{code}"] = getattr(instance, json_field).get(code, "")
        return initial

    def translated_values(self) -> dict:
        """The cleaned data with the per-language inputs folded into their JSON fields."""
        values = {name: value for name, value in self.cleaned_data.items() if name in self.base_fields}
        for field, (json_field, _limit, _multiline) in self.translated.items():
            values[json_field] = {code: self.cleaned_data.get(f"{field}_{code}", "") for code, _name in OTHER_LANGUAGES}
        return values

    def translation_fields(self):
        return [self[name] for name in self.fields if name not in self.base_fields]


class ContentItemForm(TranslatedForm):
    translated = {"title": ("titles", 200, False), "description": ("descriptions", 2000, True),
                  "share_text": ("share_texts", 280, False)}

    kind = forms.ChoiceField(label=_("Kind"), choices=ContentItem.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    share_text = forms.CharField(label=_("Suggested share text"), max_length=280, required=False,
                                 help_text=_("What advocates post with the link; they can change it."))
    destination_url = forms.CharField(
        label=_("Destination"), max_length=500, required=False, widget=forms.URLInput(attrs=_ltr({"placeholder": "https://"})),
        help_text=_("Where a click on a share lands. Must be one of the program's allowed destinations. "
                    "Images may leave it empty: the click then shows the image."))
    image = forms.FileField(label=_("Image"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
                            help_text=_("JPEG, PNG, WebP or GIF, at most 5 MB."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                   help_text=_("Inactive items leave the vault; links already shared still work."))
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=100_000, initial=0)

    def service_values(self) -> dict:
        values = self.translated_values()
        image = values.pop("image", None)
        values["remove_image"] = image is False  # the "clear" box of ClearableFileInput
        values["image"] = image or None
        return values


class EventForm(TranslatedForm):
    translated = {"title": ("titles", 200, False), "description": ("descriptions", 4000, True)}

    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices,
                             help_text=_("An event has a date; a club is a standing group members join."))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = _datetime_field(_("Starts at"))
    ends_at = _datetime_field(_("Ends at"))
    location = forms.CharField(label=_("Location"), max_length=300, required=False)
    online_url = forms.CharField(label=_("Online link"), max_length=500, required=False,
                                 widget=forms.URLInput(attrs=_ltr({"placeholder": "https://"})))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=1_000_000, required=False,
                                  help_text=_("Most people who can say yes; empty for no limit."))
    points = forms.IntegerField(label=_("Points for checking in"), min_value=0, max_value=1_000_000, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class InviteForm(ConsoleForm):
    advocates = forms.CharField(
        label=_("Advocates"), required=False, widget=forms.Textarea(attrs=_ltr({"rows": 4})),
        help_text=_("Email addresses or advocate ids, one per line or separated by commas."))
    segment = forms.ChoiceField(label=_("Or a segment"), required=False)

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["segment"].choices = segment_choices(program)

    def segment_parts(self) -> tuple[str, str]:
        segment, _colon, value = (self.cleaned_data.get("segment") or "").partition(":")
        return segment, value

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("advocates", "").strip() and not cleaned.get("segment"):
            raise forms.ValidationError(_("Name some advocates or choose a segment."))
        return cleaned


def segment_choices(program) -> list:
    from chorus.advocates.models import Account
    from chorus.rewards.models import Level

    languages = [(f"{Segment.LANGUAGE}:{code}", name) for code, name in settings.LANGUAGES]
    levels = [(f"{Segment.LEVEL}:{level.pk}", _("%(level)s or higher") % {"level": level.localized_name()})
              for level in Level.objects.filter(program=program).order_by("rank")]
    accounts = [(f"{Segment.ACCOUNT}:{pk}", name) for pk, name in
                Account.objects.filter(program=program).order_by("name").values_list("pk", "name")[:500]]
    choices = [("", _("Nobody else")), (Segment.ALL, _("All active advocates")), (_("Language"), languages)]
    if levels:
        choices.append((_("Level"), levels))
    if accounts:
        choices.append((_("Account"), accounts))
    return choices


class CheckInForm(ConsoleForm):
    code = forms.CharField(label=_("Access code"), max_length=32,
                           widget=forms.TextInput(attrs=_ltr({"autofocus": True, "autocomplete": "off",
                                                              "autocapitalize": "characters", "class": "code"})))
