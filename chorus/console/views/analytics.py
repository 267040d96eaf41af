"""Influence ranking (with its weights, CSV export, and recalculating revenue credit) and
virality & forecast (K-factor per month, forecast, advocates-needed calculator)."""

from datetime import timedelta
from fractions import Fraction
from functools import partial

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chorus.analytics import credits, exports, influence, virality
from chorus.core.errors import ChorusError
from chorus.programs.access import get_program_for_user, get_program_rw

from .. import tables
from ..analytics_forms import InfluenceWeightsForm, RecomputeForm, ViralityForm
from ..exports import export_response, table_response
from ..forms import FunnelRangeForm, add_service_errors
from .base import console_view, program_context


def _influence_page(request, program, weights_form=None, status=200):
    form = FunnelRangeForm(request.GET)
    result = None
    if form.is_valid():
        result = influence.influence(program, form.cleaned_data["start"], form.cleaned_data["end"])
        form = FunnelRangeForm(initial={"start": result.start_date, "end": result.end_date})
    else:
        status = 400
    if result is not None and request.method == "GET":
        name = f"influence-{program.slug}-{result.start_date}-{result.end_date}"
        exported = export_response(request, {"influence": lambda: exports.influence_table(result, name)})
        if exported is not None:
            return exported
    weights_form = weights_form or InfluenceWeightsForm.for_weights(influence.weights_for(program))
    recompute_form = RecomputeForm(initial={"start": result.start_date, "end": result.end_date} if result else None)
    context = program_context(request, program, "influence", form=form, result=result, weights_form=weights_form,
                              recompute_form=recompute_form, parts=influence.PARTS)
    return render(request, "console/influence.html", context, status=status)


@console_view
@require_GET
def influence_ranking(request, slug):
    return _influence_page(request, get_program_for_user(request.user, slug))


@console_view
@require_POST
def influence_weights(request, slug):
    program = get_program_rw(request.user, slug)
    form = InfluenceWeightsForm(request.POST)
    if form.is_valid():
        try:
            influence.update_weights(program, user=request.user, **form.cleaned_data)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Influence weights saved."))
            return redirect("console:influence", slug=program.slug)
    return _influence_page(request, program, weights_form=form, status=422)


@console_view
@require_POST
def influence_recompute(request, slug):
    program = get_program_rw(request.user, slug)
    form = RecomputeForm(request.POST)
    url = reverse("console:influence", kwargs={"slug": program.slug})
    if not form.is_valid():
        messages.error(request, _("Give the first and last day to recalculate."))
        return redirect(url)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    try:
        written = credits.recompute_credits(program, start, end)
    except ChorusError as error:
        messages.error(request, error.message)
        return redirect(url)
    messages.success(request, _("Revenue credit recalculated with the model “%(model)s”: %(count)d rows.") % {
        "model": program.get_credit_model_display(), "count": written})
    return redirect(f"{url}?{urlencode({'start': start, 'end': end})}")


@console_view
@require_GET
def influence_export(request, slug):
    program = get_program_for_user(request.user, slug)
    form = FunnelRangeForm(request.GET)
    if not form.is_valid():
        return _influence_page(request, program)
    result = influence.influence(program, form.cleaned_data["start"], form.cleaned_data["end"])
    return table_response(exports.influence_table(result, f"influence-{program.slug}-{result.start_date}-{result.end_date}"),
                          "csv")


def _calculator(form, trailing):
    data = form.cleaned_data
    if not data.get("goal"):
        return None
    invites = data.get("invites_per_advocate") or trailing.invites_per_advocate
    rate = Fraction(data["conversion_rate"]) / 100 if data.get("conversion_rate") else trailing.conversion_rate
    try:
        return virality.advocates_needed(goal=data["goal"], deadline=data["deadline"], today=timezone.localdate(),
                                         invites_per_advocate=invites, conversion_rate=rate,
                                         current_advocates=trailing.advocates)
    except ChorusError as error:
        add_service_errors(form, error)
        return None


@console_view
@require_GET
def virality_page(request, slug):
    program = get_program_for_user(request.user, slug)
    form = ViralityForm(request.GET)
    context = program_context(request, program, "virality", form=form)
    if not form.is_valid():
        return render(request, "console/virality.html", context, status=400)
    data = form.cleaned_data
    months = virality.monthly(program, data["start"], data["end"])
    forecast = virality.forecast(program, data["months"])
    exported = export_response(request, {
        "months": partial(tables.virality_months, program, months, data["start"], data["end"]),
        "forecast": partial(tables.forecast_months, program, forecast)})
    if exported is not None:
        return exported
    calculator = _calculator(form, forecast.trailing)
    context.update(months=months, forecast=forecast, calculator=calculator, start=data["start"], end=data["end"],
                   default_deadline=timezone.localdate() + timedelta(days=180))
    return render(request, "console/virality.html", context, status=400 if form.errors else 200)
