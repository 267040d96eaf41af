"""The program plan (P1–P3): goals with live progress, stages, outcome types, personas.

Forms post with HTMX: a refused form comes back in place with its messages (a plain POST gets
the whole page with status 422); a saved one reloads the page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from chorus.core.errors import ChorusError
from chorus.programs import goals as goal_services
from chorus.programs import personas as persona_services
from chorus.programs.access import get_program_for_user, get_program_rw
from chorus.programs.models import Goal, GoalStage, OutcomeType, Persona

from ..forms import add_service_errors
from ..plan_forms import GoalForm, OutcomeTypesForm, PersonaForm, StageForm
from .base import console_view, program_context


def _reload(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _refused(request, template: str, partial: str, context: dict):
    """A refused form: in place for HTMX (status 200 so it is swapped), else the page with 422."""
    if request.htmx:
        return render(request, partial, context)
    return render(request, template, context, status=422)


def _plan_context(request, program, **extra) -> dict:
    """Strategic goals each with the operational goals under it, then the other operational goals."""
    chosen = set(program.outcome_types)
    rows = goal_services.plan(program)
    strategic = [{"row": row, "children": [child for child in rows if child.goal.parent_id == row.goal.pk]}
                 for row in rows if row.goal.kind == Goal.Kind.STRATEGIC]
    operational = [row for row in rows if row.goal.kind == Goal.Kind.OPERATIONAL and row.goal.parent_id is None]
    return program_context(
        request, program, "plan", rows=rows, strategic=strategic, operational=operational,
        outcome_types=[(value, label) for value, label in OutcomeType.choices if value in chosen],
        goal_form=extra.pop("goal_form", None) or GoalForm(program),
        outcome_form=extra.pop("outcome_form", None) or OutcomeTypesForm(initial={"outcome_types": program.outcome_types}),
        **extra)


def _saved(form, save):
    """`save(form)` when the form is valid, else None; a refusal's messages land on the form."""
    if not form.is_valid():
        return None
    try:
        return save(form)
    except ChorusError as error:
        add_service_errors(form, error)
        return None


def _save_goal(program, form, goal=None, user=None):
    return _saved(form, lambda form: goal_services.save_goal(program, goal, user=user, **form.goal_fields()))


@console_view
@require_http_methods(["GET", "POST"])
def plan_page(request, slug):
    """GET: every goal with its progress. POST: add a goal (editors)."""
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        return render(request, "console/plan.html", _plan_context(request, program))
    program = get_program_rw(request.user, slug)
    form = GoalForm(program, request.POST)
    goal = _save_goal(program, form, user=request.user)
    if goal is None:
        return _refused(request, "console/plan.html", "console/_goal_new.html",
                        _plan_context(request, program, goal_form=form))
    messages.success(request, _("Goal “%(name)s” added.") % {"name": goal.name})
    return _reload(request, reverse("console:plan", kwargs={"slug": program.slug}))


def _goal_context(request, program, goal, form=None, stage_form=None) -> dict:
    return program_context(request, program, "plan", goal=goal, progress=goal_services.goal_progress(goal),
                           form=form or GoalForm.for_goal(goal), stage_form=stage_form or StageForm(),
                           stages=list(goal.stages.all()))


@console_view
@require_http_methods(["GET", "POST"])
def goal_edit(request, slug, goal_id):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        goal = get_object_or_404(Goal, program=program, pk=goal_id)
        return render(request, "console/goal_edit.html", _goal_context(request, program, goal))
    program = get_program_rw(request.user, slug)
    goal = get_object_or_404(Goal, program=program, pk=goal_id)
    form = GoalForm.for_goal(goal, request.POST)
    saved = _save_goal(program, form, goal, user=request.user)
    if saved is None:
        goal.refresh_from_db()
        return _refused(request, "console/goal_edit.html", "console/_goal_edit_form.html",
                        _goal_context(request, program, goal, form=form))
    messages.success(request, _("Goal “%(name)s” saved.") % {"name": saved.name})
    return _reload(request, reverse("console:plan", kwargs={"slug": program.slug}))


@console_view
@require_POST
def goal_delete(request, slug, goal_id):
    program = get_program_rw(request.user, slug)
    goal = get_object_or_404(Goal, program=program, pk=goal_id)
    try:
        goal_services.delete_goal(goal, user=request.user)
    except ChorusError as error:
        messages.error(request, error.message)
        return _reload(request, reverse("console:goal_edit", kwargs={"slug": program.slug, "goal_id": goal.pk}))
    messages.success(request, _("Goal “%(name)s” deleted.") % {"name": goal.name})
    return _reload(request, reverse("console:plan", kwargs={"slug": program.slug}))


@console_view
@require_POST
def stage_add(request, slug, goal_id):
    program = get_program_rw(request.user, slug)
    goal = get_object_or_404(Goal, program=program, pk=goal_id)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            goal_services.add_stage(goal, user=request.user, **form.cleaned_data)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Stage added."))
            return _reload(request, reverse("console:goal_edit", kwargs={"slug": program.slug, "goal_id": goal.pk}))
    return _refused(request, "console/goal_edit.html", "console/_stage_form.html",
                    _goal_context(request, program, goal, stage_form=form))


@console_view
@require_POST
def stage_delete(request, slug, goal_id, stage_id):
    program = get_program_rw(request.user, slug)
    stage = get_object_or_404(GoalStage, goal__program=program, goal_id=goal_id, pk=stage_id)
    goal_services.delete_stage(stage, user=request.user)
    messages.success(request, _("Stage deleted."))
    return _reload(request, reverse("console:goal_edit", kwargs={"slug": program.slug, "goal_id": goal_id}))


@console_view
@require_POST
def outcome_types(request, slug):
    program = get_program_rw(request.user, slug)
    form = OutcomeTypesForm(request.POST)
    if form.is_valid():
        goal_services.save_outcome_types(program, form.cleaned_data["outcome_types"], user=request.user)
        messages.success(request, _("Outcome types saved."))
        return _reload(request, reverse("console:plan", kwargs={"slug": program.slug}))
    return _refused(request, "console/plan.html", "console/_outcome_types.html",
                    _plan_context(request, program, outcome_form=form))


# --- personas --------------------------------------------------------------------------

def _personas_context(request, program, form=None) -> dict:
    return program_context(request, program, "plan", rows=persona_services.personas(program),
                           form=form or PersonaForm(program))


def _save_persona(program, form, persona=None, user=None):
    return _saved(form, lambda form: persona_services.save_persona(program, persona, user=user,
                                                                   **form.persona_fields()))


@console_view
@require_http_methods(["GET", "POST"])
def personas(request, slug):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        return render(request, "console/personas.html", _personas_context(request, program))
    program = get_program_rw(request.user, slug)
    form = PersonaForm(program, request.POST)
    persona = _save_persona(program, form, user=request.user)
    if persona is None:
        return _refused(request, "console/personas.html", "console/_persona_new.html",
                        _personas_context(request, program, form=form))
    messages.success(request, _("Persona “%(name)s” added.") % {"name": persona.name})
    return _reload(request, reverse("console:personas", kwargs={"slug": program.slug}))


@console_view
@require_http_methods(["GET", "POST"])
def persona_edit(request, slug, persona_id):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        persona = get_object_or_404(Persona, program=program, pk=persona_id)
        context = program_context(request, program, "plan", persona=persona,
                                  summary=persona_services.summary(persona), form=PersonaForm.for_persona(persona))
        return render(request, "console/persona_edit.html", context)
    program = get_program_rw(request.user, slug)
    persona = get_object_or_404(Persona, program=program, pk=persona_id)
    form = PersonaForm.for_persona(persona, request.POST)
    saved = _save_persona(program, form, persona, user=request.user)
    if saved is None:
        persona.refresh_from_db()
        context = program_context(request, program, "plan", persona=persona,
                                  summary=persona_services.summary(persona), form=form)
        return _refused(request, "console/persona_edit.html", "console/_persona_edit_form.html", context)
    messages.success(request, _("Persona “%(name)s” saved.") % {"name": saved.name})
    return _reload(request, reverse("console:personas", kwargs={"slug": program.slug}))


@console_view
@require_POST
def persona_delete(request, slug, persona_id):
    program = get_program_rw(request.user, slug)
    persona = get_object_or_404(Persona, program=program, pk=persona_id)
    persona_services.delete_persona(persona, user=request.user)
    messages.success(request, _("Persona “%(name)s” deleted.") % {"name": persona.name})
    return _reload(request, reverse("console:personas", kwargs={"slug": program.slug}))
