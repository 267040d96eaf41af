"""The advocates list with live search, and adding an advocate."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chorus.advocates.services import upsert_advocate
from chorus.analytics.services import search_advocates
from chorus.core.errors import ChorusError
from chorus.programs.access import get_program_for_user, get_program_rw

from .. import tables
from ..exports import export_response
from ..forms import AdvocateForm, add_service_errors
from .base import console_view, program_context, render_page_or_partial

PAGE_SIZE = 25


def _advocates_page(request, program, *, query="", page_number=None, form=None, status=200):
    page = Paginator(search_advocates(program, query), PAGE_SIZE).get_page(page_number)
    context = program_context(request, program, "advocates", query=query, page=page, form=form or AdvocateForm())
    return render_page_or_partial(request, "console/advocates.html", "console/_advocate_results.html", context, status)


@console_view
@require_GET
def advocates(request, slug):
    program = get_program_for_user(request.user, slug)
    query = request.GET.get("q", "").strip()[:200]
    exported = export_response(request, {"advocates": lambda: tables.advocates(program, search_advocates(program, query),
                                                                                 query)})
    if exported is not None:
        return exported
    return _advocates_page(request, program, query=query, page_number=request.GET.get("page"))


@console_view
@require_POST
def advocate_add(request, slug):
    program = get_program_rw(request.user, slug)
    form = AdvocateForm(request.POST)
    if form.is_valid():
        try:
            advocate, created = upsert_advocate(program, **form.cleaned_data)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            message = _("%(email)s added.") if created else _("%(email)s was already an advocate; details updated.")
            messages.success(request, message % {"email": advocate.email})
            url = reverse("console:advocates", kwargs={"slug": program.slug})
            return redirect(f"{url}?{urlencode({'q': advocate.email})}")
    return _advocates_page(request, program, form=form, status=422)
