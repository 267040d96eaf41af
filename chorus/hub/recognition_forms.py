"""Forms of the hub's recognition pages: the profile and preferences."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    language = forms.ChoiceField(label=_("Language for emails and your hub"), choices=settings.LANGUAGES)
    show_on_leaderboard = forms.BooleanField(label=_("Show me on the leaderboard"), required=False,
                                             help_text=_("Other advocates see your first name and initial."))
    feature_on_wall = forms.BooleanField(
        label=_("The program may feature me on its public wall of fame"), required=False,
        help_text=_("Anyone can see the wall. You appear only if the program features you."))
    email_on_approval = forms.BooleanField(label=_("Email me when my activity is approved or rejected"),
                                           required=False)
    email_on_level_up = forms.BooleanField(label=_("Email me when I reach a new level or earn a badge"),
                                           required=False)

    PREFERENCES = ["show_on_leaderboard", "feature_on_wall", "email_on_approval", "email_on_level_up"]

    @classmethod
    def for_advocate(cls, advocate, data=None):
        initial = {"name": advocate.name, "language": advocate.language or settings.LANGUAGE_CODE,
                   **{field: getattr(advocate, field) for field in cls.PREFERENCES}}
        return cls(data, initial=initial)
