"""Forms of the Webhooks page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.integrations.webhooks_out import EventType

from .forms import ConsoleForm


class EndpointEventsForm(ConsoleForm):
    description = forms.CharField(label=_("Description"), max_length=200, required=False,
                                  help_text=_("What receives the events, e.g. “CRM sync”."))
    event_types = forms.MultipleChoiceField(label=_("Events to send"), choices=EventType.choices,
                                            widget=forms.CheckboxSelectMultiple)


class EndpointForm(EndpointEventsForm):
    url = forms.CharField(label=_("Endpoint URL"), max_length=2000,
                          widget=forms.URLInput(attrs={"dir": "ltr", "placeholder": "https://"}),
                          help_text=_("Chorus POSTs signed JSON here. It must be a public https address."))

    field_order = ["url", "description", "event_types"]
