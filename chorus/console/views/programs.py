"""The programs list, a new program, and a program's settings."""

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chorus.advocates.models import Advocate
from chorus.core.errors import ChorusError
from chorus.programs import services
from chorus.programs.access import get_program_for_user, get_program_rw, programs_for_user
from chorus.programs.models import Membership, Workspace
from chorus.referrals.models import Referral

from ..forms import NewProgramForm, ProgramSettingsForm, add_service_errors
from .base import console_view, program_context


def _writable_workspaces(user):
    return Workspace.objects.filter(
        memberships__user=user, memberships__role__in=[Membership.Role.OWNER, Membership.Role.MARKETER]
    ).order_by("name")


def _count_per_program(queryset):
    counted = queryset.filter(program=OuterRef("pk")).order_by().values("program").annotate(total=Count("pk"))
    return Coalesce(Subquery(counted.values("total"), output_field=IntegerField()), 0)


def _home(request, form=None, status=200):
    programs = programs_for_user(request.user).annotate(
        advocate_count=_count_per_program(Advocate.objects.all()),
        flagged_count=_count_per_program(Referral.objects.filter(review=Referral.Review.FLAGGED)),
    ).order_by("workspace__name", "name")
    workspaces = _writable_workspaces(request.user)
    if form is None and workspaces:
        form = NewProgramForm(workspaces=workspaces)
    return render(request, "console/home.html", {"programs": programs, "form": form}, status=status)


@console_view
@require_GET
def home(request):
    return _home(request)


@console_view
@require_POST
def new_program(request):
    form = NewProgramForm(request.POST, workspaces=_writable_workspaces(request.user))
    if form.is_valid():
        try:
            program = services.create_validated_program(
                form.cleaned_data["workspace"], user=request.user, **form.program_fields())
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Program “%(name)s” created. Now set it up.") % {"name": program.name})
            return redirect("console:settings", slug=program.slug)
    return _home(request, form=form, status=422)


@console_view
@require_http_methods(["GET", "POST"])
def program_settings(request, slug):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        form = ProgramSettingsForm.for_program(program)
        return render(request, "console/settings.html", program_context(request, program, "settings", form=form))
    program = get_program_rw(request.user, slug)
    form = ProgramSettingsForm.for_program(program, request.POST)
    if form.is_valid():
        try:
            program = services.update_program(program, user=request.user, **form.cleaned_data)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("console:settings", slug=program.slug)
    context = program_context(request, program, "settings", form=form)
    return render(request, "console/settings.html", context, status=422)
