"""Console forms of the rewards catalog: the item editor, the code upload, queue decisions."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chorus.rewards.catalog import merge_causes
from chorus.rewards.models import CatalogItem

from .forms import ConsoleForm

DEFAULT_LANGUAGE = settings.LANGUAGE_CODE
OTHER_LANGUAGES = [(code, name) for code, name in settings.LANGUAGES if code != DEFAULT_LANGUAGE]
PLAIN_FIELDS = ("kind", "title", "description", "cost_points", "stock", "per_advocate_limit", "min_level", "is_active",
                "fulfilment", "recipient", "is_cash_like", "value_amount", "subscription_months", "code_prefix")


class CatalogItemForm(ConsoleForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label=_("Kind"), choices=CatalogItem.Kind.choices)
    cost_points = forms.IntegerField(label=_("Cost in points"), min_value=1)
    stock = forms.IntegerField(label=_("Stock left"), min_value=0, required=False, help_text=_("Empty for unlimited."))
    per_advocate_limit = forms.IntegerField(
        label=_("Limit per advocate"), min_value=1, required=False,
        help_text=_("Per account for account rewards. Empty for no limit."))
    min_level = forms.ModelChoiceField(label=_("Minimum level"), queryset=None, required=False,
                                       empty_label=_("Everyone"))
    fulfilment = forms.ChoiceField(label=_("Fulfilment"), choices=CatalogItem.Fulfilment.choices)
    recipient = forms.ChoiceField(label=_("Recipient"), choices=CatalogItem.Recipient.choices,
                                  help_text=_("Account rewards (a team gift, a contract discount) are seen by every member of the advocate's organisation."))
    is_cash_like = forms.BooleanField(label=_("Cash-like (gift card, discount, cash)"), required=False)
    value_amount = forms.IntegerField(label=_("Value (minor units)"), min_value=0, required=False,
                                      help_text=_("The donation or gift card amount, e.g. 1000 = 10.00; empty if none."))
    causes = forms.CharField(label=_("Causes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("For charity donations: one cause per line; the advocate chooses one."))
    subscription_months = forms.IntegerField(label=_("Subscription months"), min_value=1, max_value=120, required=False)
    code_prefix = forms.CharField(label=_("Code prefix"), max_length=12, required=False,
                                  widget=forms.TextInput(attrs={"dir": "ltr", "size": 12}),
                                  help_text=_("For generated codes, e.g. SWAG."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                   help_text=_("Inactive items are hidden from the store."))

    def __init__(self, program, *args, item: CatalogItem | None = None, **kwargs):
        if item is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial(item)
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["min_level"].queryset = program.levels.all()
        for code, name in OTHER_LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(label=_("Title (%(language)s)") % {"language": name},
                                                           max_length=120, required=False)
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": name}, max_length=2000, required=False,
                widget=forms.Textarea(attrs={"rows": 2}))

    @staticmethod
    def _initial(item: CatalogItem) -> dict:
        initial = {name: getattr(item, name) for name in PLAIN_FIELDS}
        initial["causes"] = "\n".join(name for _key, name in item.localized_causes(DEFAULT_LANGUAGE))
        for code, _name in OTHER_LANGUAGES:
            initial[f"title_{code}"] = item.titles.get(code, "")
            initial[f"description_{code}"] = item.descriptions.get(code, "")
        return initial

    def translation_fields(self):
        return [(self[f"title_{code}"], self[f"description_{code}"]) for code, _name in OTHER_LANGUAGES]

    def item_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in PLAIN_FIELDS}
        data["value_amount"] = data["value_amount"] or 0
        data["titles"] = {DEFAULT_LANGUAGE: data["title"], **{
            code: self.cleaned_data[f"title_{code}"] for code, _name in OTHER_LANGUAGES}}
        data["descriptions"] = {DEFAULT_LANGUAGE: data["description"], **{
            code: self.cleaned_data[f"description_{code}"] for code, _name in OTHER_LANGUAGES}}
        names = [line.strip() for line in self.cleaned_data["causes"].splitlines() if line.strip()]
        data["causes"] = merge_causes(self.item, names, DEFAULT_LANGUAGE)
        return data


class CodeUploadForm(ConsoleForm):
    file = forms.FileField(label=_("CSV file of codes"),
                           help_text=_("One code per line (an optional first line “code”), UTF-8, at most 5 MB."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}))


class RedemptionDecisionForm(ConsoleForm):
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("fulfil", _("Mark fulfilled")),
                                        ("reject", _("Reject")), ("cancel", _("Cancel"))])
    note = forms.CharField(label=_("Note or reason"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("The advocate sees it. Required to reject."))
