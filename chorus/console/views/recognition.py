"""Recognition in the console: the levels editor, badges, the leaderboard, the wall of fame."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from chorus.advocates.models import Advocate
from chorus.core.errors import ChorusError
from chorus.programs.access import get_program_for_user, get_program_rw
from chorus.rewards import leaderboard as boards
from chorus.rewards.badges import delete_badge, save_badge
from chorus.rewards.levels import save_levels
from chorus.rewards.models import Badge, WallEntry
from chorus.rewards.wall import feature_advocate, unfeature_advocate

from .. import tables
from ..exports import export_response
from ..forms import add_service_errors
from ..recognition_forms import BadgeForm, LevelForm, LevelFormSet, WallFeatureForm
from .base import console_view, program_context, render_page_or_partial

WALL_CANDIDATES = 50


# --- levels ----------------------------------------------------------------------------

def _levels_page(request, program, formset=None, error=None, status=200):
    levels = program.levels.annotate(reached_count=Count("reached_by")).order_by("min_points_earned")
    formset = formset or LevelFormSet(initial=[LevelForm.initial_for(level) for level in levels], prefix="levels")
    context = program_context(request, program, "recognition", section="levels", levels=levels, formset=formset,
                              error=error)
    return render(request, "console/levels.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def levels(request, slug):
    if request.method == "GET":
        return _levels_page(request, get_program_for_user(request.user, slug))
    program = get_program_rw(request.user, slug)
    formset = LevelFormSet(request.POST, prefix="levels")
    if not formset.is_valid():
        return _levels_page(request, program, formset, error=_("Please correct the highlighted fields."), status=422)
    rows = [form.as_input() for form in formset.forms if form.cleaned_data and (
        form.cleaned_data.get("level_id") or not form.cleaned_data.get("DELETE"))]
    try:
        save_levels(program, rows, user=request.user)
    except ChorusError as problem:
        return _levels_page(request, program, formset, error=problem.message, status=problem.status_code)
    messages.success(request, _("Levels saved."))
    return redirect("console:levels", slug=program.slug)


# --- badges ----------------------------------------------------------------------------

def _badges_page(request, program, form=None, status=200):
    badges = Badge.objects.filter(program=program).annotate(award_count=Count("awards")).order_by("pk")
    context = program_context(request, program, "recognition", section="badges", badges=badges,
                              form=form or BadgeForm.for_badge(None))
    return render(request, "console/badges.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def badges(request, slug):
    if request.method == "GET":
        return _badges_page(request, get_program_for_user(request.user, slug))
    program = get_program_rw(request.user, slug)
    form = BadgeForm.for_badge(None, request.POST)
    if form.is_valid():
        try:
            badge = save_badge(program, user=request.user, **form.badge_values())
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Badge “%(name)s” added.") % {"name": badge.name})
            return redirect("console:badges", slug=program.slug)
    return _badges_page(request, program, form=form, status=422)


@console_view
@require_http_methods(["GET", "POST"])
def badge_edit(request, slug, badge_id):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        badge = get_object_or_404(Badge, program=program, pk=badge_id)
        context = program_context(request, program, "recognition", section="badges", badge=badge,
                                  form=BadgeForm.for_badge(badge))
        return render(request, "console/badge_edit.html", context)
    program = get_program_rw(request.user, slug)
    badge = get_object_or_404(Badge, program=program, pk=badge_id)
    form = BadgeForm.for_badge(badge, request.POST)
    if form.is_valid():
        try:
            badge = save_badge(program, badge, user=request.user, **form.badge_values())
        except ChorusError as error:
            add_service_errors(form, error)
            badge.refresh_from_db()
        else:
            messages.success(request, _("Badge “%(name)s” saved.") % {"name": badge.name})
            return redirect("console:badges", slug=program.slug)
    context = program_context(request, program, "recognition", section="badges", badge=badge, form=form)
    return render(request, "console/badge_edit.html", context, status=422)


@console_view
@require_POST
def badge_delete(request, slug, badge_id):
    program = get_program_rw(request.user, slug)
    badge = get_object_or_404(Badge, program=program, pk=badge_id)
    try:
        delete_badge(badge, user=request.user)
    except ChorusError as error:
        messages.error(request, error.message)
        url = reverse("console:badge_edit", kwargs={"slug": program.slug, "badge_id": badge.pk})
    else:
        messages.success(request, _("Badge “%(name)s” deleted.") % {"name": badge.name})
        url = reverse("console:badges", kwargs={"slug": program.slug})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- leaderboard -----------------------------------------------------------------------

@console_view
@require_GET
def leaderboard(request, slug):
    program = get_program_for_user(request.user, slug)
    period = request.GET.get("period")
    period = period if period in boards.PERIODS else boards.MONTH
    rows = boards.leaderboard(program, period, limit=100, include_hidden=True)
    exported = export_response(request, {"leaderboard": lambda: tables.leaderboard(program, rows, period)})
    if exported is not None:
        return exported
    context = program_context(request, program, "recognition", section="leaderboard", period=period, rows=rows)
    return render_page_or_partial(request, "console/leaderboard.html", "console/_leaderboard_table.html", context)


# --- wall of fame ----------------------------------------------------------------------

def _wall_page(request, program, form=None, status=200):
    entries = WallEntry.objects.filter(program=program).select_related("advocate").order_by("position", "pk")
    candidates = (Advocate.objects.filter(program=program, feature_on_wall=True, status=Advocate.Status.ACTIVE,
                                          wall_entry__isnull=True).order_by("name", "pk")[:WALL_CANDIDATES])
    context = program_context(request, program, "recognition", section="wall", entries=entries,
                              candidates=candidates, form=form or WallFeatureForm())
    return render(request, "console/wall.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def wall(request, slug):
    """GET: the featured advocates and who opted in. POST: feature one (or change the quote)."""
    if request.method == "GET":
        return _wall_page(request, get_program_for_user(request.user, slug))
    program = get_program_rw(request.user, slug)
    form = WallFeatureForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        advocates = Advocate.objects.filter(program=program)
        advocate = (advocates.filter(pk=data["advocate_id"]) if data.get("advocate_id")
                    else advocates.filter(email_normalized=data["email"].strip().lower())).first()
        if advocate is None:
            form.add_error("email", _("No advocate of this program has this email address."))
        else:
            try:
                feature_advocate(advocate, quote=data["quote"], user=request.user)
            except ChorusError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s is featured on the wall.") % {"name": advocate})
                return redirect("console:wall", slug=program.slug)
    return _wall_page(request, program, form=form, status=422)


@console_view
@require_POST
def wall_remove(request, slug, advocate_id):
    program = get_program_rw(request.user, slug)
    advocate = get_object_or_404(Advocate, program=program, pk=advocate_id)
    try:
        unfeature_advocate(advocate, user=request.user)
    except ChorusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is no longer on the wall.") % {"name": advocate})
    url = reverse("console:wall", kwargs={"slug": program.slug})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
