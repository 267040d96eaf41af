"""The weekly summary email: a member's own on/off and language, and a preview of last week's."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chorus.core.errors import ChorusError
from chorus.notifications import weekly_summary
from chorus.programs.access import get_program_for_user

from ..email_forms import WeeklySummaryForm
from ..forms import add_service_errors
from .base import console_view, program_context


@console_view
@require_http_methods(["GET", "POST"])
def weekly_summary_page(request, slug):
    """Every member decides for themselves, so teammates may save too (it is their own inbox)."""
    program = get_program_for_user(request.user, slug)
    current = weekly_summary.preference(program, request.user)
    form = WeeklySummaryForm(request.POST or None, initial={
        "is_subscribed": current.is_subscribed, "language": current.language or settings.LANGUAGE_CODE})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                weekly_summary.set_preference(program, request.user, **form.cleaned_data)
            except ChorusError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Weekly summary settings saved."))
                return redirect("console:weekly_summary", slug=program.slug)
        status = 422
    start, end = weekly_summary.last_full_week(timezone.localdate())
    context = program_context(request, program, "emails", section="weekly_summary", form=form, has_email=bool(request.user.email),
                              preview=weekly_summary.summary(program, start, end))
    return render(request, "console/weekly_summary.html", context, status=status)
