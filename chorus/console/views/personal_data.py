"""Personal data (X3): look a person up, download everything held about them, erase them.

Owners and program managers only: teammates get a 404, as for other writes."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chorus.core.errors import ChorusError
from chorus.privacy import services
from chorus.programs.access import get_program_rw

from ..forms import add_service_errors
from ..privacy_forms import EraseConfirmForm, PersonLookupForm
from .base import console_view, program_context, render_page_or_partial, wants_partial

VIA = "console"


@console_view
@require_GET
def personal_data(request, slug):
    program = get_program_rw(request.user, slug)
    form = PersonLookupForm(request.GET or None)
    found, status = [], 200
    if form.is_bound and form.is_valid():
        try:
            email = form.cleaned_data["email"]
            found = (services.summarize_everywhere(program.workspace, email) if form.cleaned_data["everywhere"]
                     else [(program, services.summarize(program, email))])
        except ChorusError as error:
            add_service_errors(form, error)
            status = error.status_code
    elif form.is_bound:
        status = 422
    context = program_context(request, program, "personal_data", form=form, found=found,
                              query=urlencode({"email": form.data.get("email", ""),
                                               "everywhere": "on" if form.data.get("everywhere") else ""}))
    if wants_partial(request):  # HTMX swaps only 2xx answers: the partial carries the message
        status = 200
    return render_page_or_partial(request, "console/personal_data.html", "console/_personal_data_results.html",
                                  context, status)


@console_view
@require_GET
def personal_data_export(request, slug):
    program = get_program_rw(request.user, slug)
    form = PersonLookupForm(request.GET)
    if not form.is_valid():
        return redirect(f"{reverse('console:personal_data', kwargs={'slug': program.slug})}?{request.GET.urlencode()}")
    email, everywhere = form.cleaned_data["email"], form.cleaned_data["everywhere"]
    try:
        if everywhere:
            document = services.export_person_everywhere(program.workspace, email, actor=request.user, via=VIA)
        else:
            document = services.export_person(program, email, actor=request.user, via=VIA)
    except ChorusError:
        return redirect(f"{reverse('console:personal_data', kwargs={'slug': program.slug})}?{request.GET.urlencode()}")
    response = HttpResponse(json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json")
    name = f"personal-data-{'workspace' if everywhere else program.slug}-{timezone.now():%Y%m%d-%H%M%S}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@console_view
@require_http_methods(["GET", "POST"])
def personal_data_erase(request, slug):
    program = get_program_rw(request.user, slug)
    page = reverse("console:personal_data", kwargs={"slug": program.slug})
    if request.method == "GET":
        lookup = PersonLookupForm(request.GET)
        if not lookup.is_valid():
            return redirect(f"{page}?{request.GET.urlencode()}")
        form = EraseConfirmForm(initial=lookup.cleaned_data)
        return _confirm_page(request, program, form, lookup.cleaned_data)
    form = EraseConfirmForm(request.POST)
    if form.is_valid():
        email, everywhere = form.cleaned_data["email"], form.cleaned_data["everywhere"]
        try:
            if everywhere:
                results = services.erase_person_everywhere(program.workspace, email, actor=request.user, via=VIA)
            else:
                results = [services.erase_person(program, email, actor=request.user, via=VIA)]
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _erased_message(results))
            return redirect(page)
    everywhere = form.fields["everywhere"].to_python(form.data.get("everywhere"))  # "False" is no
    return _confirm_page(request, program, form, {"email": form.data.get("email", ""), "everywhere": everywhere},
                         status=422)


def _erased_message(results) -> str:
    if all(result.already_erased for result in results):
        return _("This person had already been erased; nothing was left to remove.")
    return _("The person was erased. Their ledger entries, conversions and funnel counts are kept without "
             "personal details.")


def _confirm_page(request, program, form, person: dict, status: int = 200):
    email, everywhere = person.get("email", ""), bool(person.get("everywhere"))
    context = program_context(request, program, "personal_data", form=form, email=email, everywhere=everywhere,
                              query=urlencode({"email": email, "everywhere": "on" if everywhere else ""}))
    return render(request, "console/personal_data_erase.html", context, status=status)
