"""Metrics: every metric of the catalogue over a range with a breakdown, the glossary of their
formulas, and the acquisition costs the CAC metrics use."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chorus.analytics import costs, metric_report
from chorus.analytics.models import AcquisitionCost
from chorus.core.errors import ChorusError
from chorus.programs.access import get_program_for_user, get_program_rw

from ..forms import add_service_errors
from ..metrics_forms import AcquisitionCostForm, MetricsForm
from .base import console_view, program_context, wants_partial


def _page(request, program, cost_form=None, status=200):
    form = MetricsForm(request.GET)
    context = program_context(request, program, "metrics", form=form, sections=None,
                              cost_form=cost_form or AcquisitionCostForm(currency=program.currency),
                              costs=costs.costs_for(program)[:200], cost_channels=costs.channel_names(program),
                              referral_channel=AcquisitionCost.REFERRAL_CHANNEL, units=metric_report.UNIT_LABELS)
    if form.is_valid():
        data = form.cleaned_data
        try:
            results = metric_report.report(program, data["start"], data["end"], by=data["by"] or None)
        except ChorusError as error:
            add_service_errors(form, error)
            status = error.status_code
        else:
            context.update(sections=metric_report.sections(results), start=data["start"], end=data["end"],
                           by=data["by"], by_label=metric_report.BREAKDOWN_LABELS.get(data["by"], ""))
    else:
        status = 400
    if wants_partial(request) and cost_form is None:
        # htmx swaps only 2xx answers: the fragment with its error message must be one.
        return render(request, "console/_metrics_table.html", context)
    return render(request, "console/metrics.html", context, status=status)


@console_view
@require_GET
def metrics_page(request, slug):
    return _page(request, get_program_for_user(request.user, slug))


@console_view
@require_GET
def metrics_glossary(request, slug):
    program = get_program_for_user(request.user, slug)
    return render(request, "console/metrics_glossary.html", program_context(
        request, program, "metrics", sections=metric_report.glossary(), units=metric_report.UNIT_LABELS,
        breakdown_labels=metric_report.BREAKDOWN_LABELS, notes=metric_report.breakdown_notes()))


@console_view
@require_POST
def cost_add(request, slug):
    program = get_program_rw(request.user, slug)
    form = AcquisitionCostForm(request.POST, currency=program.currency)
    if form.is_valid():
        try:
            costs.add_cost(program, user=request.user, **form.cleaned_data)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Acquisition cost added."))
            return redirect("console:metrics", slug=program.slug)
    return _page(request, program, cost_form=form, status=422)


@console_view
@require_POST
def cost_delete(request, slug, cost_id):
    program = get_program_rw(request.user, slug)
    try:
        costs.delete_cost(program, cost_id, user=request.user)
    except ChorusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Acquisition cost deleted."))
    return redirect("console:metrics", slug=program.slug)
