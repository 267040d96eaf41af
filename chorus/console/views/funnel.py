"""The referral funnel for a date range."""

from datetime import timedelta
from functools import partial

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from chorus.analytics.services import funnel as compute_funnel
from chorus.programs.access import get_program_for_user

from .. import tables
from ..exports import export_response
from ..forms import FunnelRangeForm
from .base import console_view, program_context

PRESETS = ((7, _("Last 7 days")), (30, _("Last 30 days")), (90, _("Last 90 days")))


def _presets() -> list[dict]:
    today = timezone.localdate()
    return [{"label": label, "start": today - timedelta(days=days - 1), "end": today} for days, label in PRESETS]


@console_view
@require_GET
def funnel(request, slug):
    program = get_program_for_user(request.user, slug)
    form = FunnelRangeForm(request.GET)
    result = None
    if form.is_valid():
        result = compute_funnel(program, form.cleaned_data["start"], form.cleaned_data["end"])
        exported = export_response(request, {"days": partial(tables.funnel_days, program, result)})
        if exported is not None:
            return exported
        form = FunnelRangeForm(initial={"start": result.start_date, "end": result.end_date})  # show the dates used
    context = program_context(request, program, "funnel", form=form, funnel=result, presets=_presets())
    return render(request, "console/funnel.html", context, status=200 if result else 400)
