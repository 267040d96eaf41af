"""The referral funnel for a date range."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from chorus.analytics.services import funnel as compute_funnel
from chorus.programs.access import get_program_for_user

from ..forms import FunnelRangeForm
from .base import console_view, program_context


@console_view
@require_GET
def funnel(request, slug):
    program = get_program_for_user(request.user, slug)
    form = FunnelRangeForm(request.GET)
    result = None
    if form.is_valid():
        result = compute_funnel(program, form.cleaned_data["start"], form.cleaned_data["end"])
    context = program_context(request, program, "funnel", form=form, funnel=result)
    return render(request, "console/funnel.html", context, status=200 if result else 400)
