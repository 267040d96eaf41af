"""NPS (the score, its trend, the distribution and the comments; sending a survey) and the
ranked advocate candidates with their factors, the weights and nominations."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from chorus.core.errors import ChorusError, NotFound
from chorus.insights import reports
from chorus.insights.candidates import candidates as ranked_candidates
from chorus.insights.models import NpsSurvey
from chorus.insights.nominations import close_nomination, nominate
from chorus.insights.scoring import update_weights, weights_for
from chorus.insights.surveys import resolve_people, send_survey
from chorus.programs.access import get_program_for_user, get_program_rw

from .. import tables
from ..exports import export_response
from ..forms import add_service_errors
from ..insights_forms import (
    CandidateFilterForm,
    NominationForm,
    NpsFilterForm,
    NpsSendForm,
    WeightsForm,
)
from .base import console_view, program_context, user_can_edit

COMMENTS_PER_PAGE = 20
CANDIDATES_PER_PAGE = 50


# --- NPS ------------------------------------------------------------------------------------------

def _nps_page(request, program, send_form=None, status=200):
    filters = NpsFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    period = values.get("period") or reports.WEEK
    days = values.get("days") or 90
    end = timezone.now()
    start = end - timedelta(days=days)
    periods = reports.over_time(program, period=period, start=start, end=end)
    if request.method == "GET":
        category, query = values.get("category", ""), values.get("q", "")
        exported = export_response(request, {
            "periods": lambda: tables.nps_periods(program, periods, period),
            "responses": lambda: tables.nps_responses(
                program, reports.responses(program, start, end, category=category, query=query))})
        if exported is not None:
            return exported
    comments = reports.comments(program, category=values.get("category", ""), query=values.get("q", ""))
    context = program_context(
        request, program, "nps", filters=filters, period=period, days=days, summary=reports.summary(program, start, end),
        periods=periods, chart=reports.chart(periods),
        comments=Paginator(comments, COMMENTS_PER_PAGE).get_page(request.GET.get("page")),
        send_form=send_form or NpsSendForm(), surveys=NpsSurvey.objects.filter(program=program)[:5],
        query_string=request.GET.copy().urlencode() if request.GET else "")
    return render(request, "console/nps.html", context, status=status)


@console_view
@require_GET
def nps(request, slug):
    return _nps_page(request, get_program_for_user(request.user, slug))


@console_view
@require_POST
def nps_send(request, slug):
    program = get_program_rw(request.user, slug)
    form = NpsSendForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            customer_ids, advocate_ids = ([], []) if data["audience"] != "list" else resolve_people(program, data["people"])
            survey = send_survey(program, name=data["name"], customer_ids=customer_ids, advocate_ids=advocate_ids,
                                 all_customers=data["audience"] == "all_customers",
                                 all_advocates=data["audience"] == "all_advocates", user=request.user)
        except ChorusError as problem:
            add_service_errors(form, problem)
        else:
            count = survey.sends.count()
            messages.success(request, ngettext("Survey sent to %(count)s person.", "Survey sent to %(count)s people.",
                                               count) % {"count": count})
            return redirect("console:nps", slug=program.slug)
    return _nps_page(request, program, send_form=form, status=422)


# --- candidates, weights, nominations ---------------------------------------------------------------

def invitations_url(program) -> str | None:
    """The invitations page, if this installation has one."""
    path = f"/console/programs/{program.slug}/invitations/"
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


def _candidates_page(request, program, weights_form=None, status=200):
    filters = CandidateFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    people = ranked_candidates(program, not_advocates=values.get("not_advocates", False),
                               nominated_only=values.get("nominated", False), language=values.get("language", ""),
                               plan=values.get("plan", ""), query=values.get("q", ""))
    if request.method == "GET":
        exported = export_response(request, {"candidates": lambda: tables.candidates(program, people)})
        if exported is not None:
            return exported
    page = Paginator(people, CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
    invite_base = invitations_url(program)
    invitable = [c.customer.pk for c in page.object_list if c.customer is not None and not c.is_advocate]
    context = program_context(
        request, program, "candidates", filters=filters, page=page, invite_base=invite_base,
        invite_page_url=f"{invite_base}?customers={','.join(map(str, invitable))}" if invite_base and invitable else None,
        weights_form=weights_form or WeightsForm.for_weights(weights_for(program)),
        nomination_form=NominationForm(), query_string=_without_page(request))
    return render(request, "console/candidates.html", context, status=status)


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@console_view
@require_GET
def candidates(request, slug):
    return _candidates_page(request, get_program_for_user(request.user, slug))


@console_view
@require_POST
def weights(request, slug):
    program = get_program_rw(request.user, slug)
    form = WeightsForm(request.POST)
    if form.is_valid():
        try:
            update_weights(program, form.cleaned_data, user=request.user)
        except ChorusError as problem:
            add_service_errors(form, problem)
        else:
            messages.success(request, _("Weights saved; the candidates are ranked with them."))
            return redirect("console:candidates", slug=program.slug)
    return _candidates_page(request, program, weights_form=form, status=422)


@console_view
@require_POST
def nominate_view(request, slug):
    """Any member of the workspace (teammates too) nominates; outsiders get a 404."""
    program = get_program_for_user(request.user, slug)
    form = NominationForm(request.POST)
    back = request.POST.get("next") or ""
    if not back.startswith(f"/console/programs/{program.slug}/"):
        back = f"/console/programs/{program.slug}/candidates/"
    if not form.is_valid():
        messages.error(request, _("Say why, in at most %(limit)s characters.") % {"limit": 1000})
        return redirect(back)
    try:
        nominate(program, request.user, person_key=form.cleaned_data["person"], reason=form.cleaned_data["reason"])
    except NotFound:
        raise Http404("No such customer") from None
    except ChorusError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, _("Nomination saved."))
    return redirect(back)


@console_view
@require_POST
def nomination_close(request, slug, nomination_id):
    program = get_program_for_user(request.user, slug)
    try:
        close_nomination(program, request.user, nomination_id, can_edit=user_can_edit(request.user, program))
    except NotFound:
        raise Http404("No such nomination") from None
    messages.success(request, _("Nomination closed."))
    return redirect("console:candidates", slug=program.slug)
