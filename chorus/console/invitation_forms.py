"""Console forms of invitations and channels."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.invitations.models import Channel

from .forms import ConsoleForm, _ltr

MAX_SELECTED = 500


class InviteForm(ConsoleForm):
    customers = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.none(), required=False,
                                     empty_label=_("No channel"))

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(program=program, is_active=True)

    def clean_customers(self):
        values = self.data.getlist("customers") if hasattr(self.data, "getlist") else []
        try:
            ids = sorted({int(value) for value in values})
        except ValueError:
            raise forms.ValidationError(_("Choose customers from the list.")) from None
        if not ids:
            raise forms.ValidationError(_("Choose at least one customer to invite."))
        if len(ids) > MAX_SELECTED:
            raise forms.ValidationError(_("Invite at most %(count)d people at a time.") % {"count": MAX_SELECTED})
        return ids


class ChannelForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), max_length=120,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. LinkedIn post")}))
    slug = forms.SlugField(label=_("Slug"), max_length=60, required=False, widget=forms.TextInput(attrs=_ltr()),
                           help_text=_("Used in the invite link. Leave empty to make one from the name."))
    target_joined = forms.IntegerField(label=_("Target: advocates joined"), min_value=0, max_value=1_000_000,
                                       initial=0, help_text=_("0 for no target."))
    target_period = forms.ChoiceField(label=_("Target period"), choices=Channel.Period.choices,
                                      initial=Channel.Period.MONTH)

    def channel_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("name", "slug", "target_joined", "target_period")}


class ChannelEditForm(ChannelForm):
    is_active = forms.BooleanField(label=_("Active"), required=False,
                                   help_text=_("An inactive channel's link leads to the ordinary join page."))

    @classmethod
    def initial_for(cls, channel: Channel) -> dict:
        return {name: getattr(channel, name) for name in cls.base_fields}

    def channel_values(self) -> dict:
        return {**super().channel_values(), "is_active": self.cleaned_data["is_active"]}
