"""Customer pages: the list with search and health filter, a customer's detail, the health
weights, and CSV imports (upload → mapping → live progress → error report)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chorus.advocates.access import get_customer_for_program, get_import_for_program
from chorus.advocates.customers import HEALTH_BANDS, search_customers
from chorus.advocates.health import (
    explain,
    plans_with_scores,
    save_health_settings,
    schedule_health,
    settings_for,
    weights_of,
)
from chorus.advocates.imports import (
    DELIMITERS,
    MAX_ROWS,
    change_delimiter,
    queue_import,
    start_import,
)
from chorus.advocates.models import ImportJob
from chorus.core.errors import ChorusError
from chorus.programs.access import get_program_for_user, get_program_rw

from .. import tables
from ..customer_forms import HealthWeightsForm, MappingForm, UploadForm
from ..exports import export_response
from ..forms import add_service_errors
from .base import console_view, program_context, render_page_or_partial, wants_partial

PAGE_SIZE = 25
def _band_labels() -> list[tuple[str, str]]:
    return [("healthy", _("Healthy (70–100)")), ("attention", _("Needs attention (40–69)")),
            ("at_risk", _("At risk (0–39)")), ("unscored", _("Not scored yet"))]


@console_view
@require_GET
def customers(request, slug):
    program = get_program_for_user(request.user, slug)
    query = request.GET.get("q", "").strip()[:200]
    band = request.GET.get("health", "")
    band = band if band in HEALTH_BANDS or band == "unscored" else ""
    exported = export_response(request, {"customers": lambda: tables.customers(
        program, search_customers(program, query, band), band)})
    if exported is not None:
        return exported
    page = Paginator(search_customers(program, query, band), PAGE_SIZE).get_page(request.GET.get("page"))
    context = program_context(request, program, "customers", query=query, band=band, bands=_band_labels(), page=page)
    return render_page_or_partial(request, "console/customers/list.html", "console/customers/_results.html", context)


@console_view
@require_GET
def customer_detail(request, slug, customer_id):
    program = get_program_for_user(request.user, slug)
    customer = get_customer_for_program(program, customer_id)
    events = customer.usage_events.order_by("-occurred_at", "-pk")[:50]
    attributes = sorted(customer.attributes.items())
    context = program_context(request, program, "customers", customer=customer, events=events, attributes=attributes,
                              factors=explain(customer.health_factors))
    return render(request, "console/customers/detail.html", context)


@console_view
@require_http_methods(["GET", "POST"])
def health_settings(request, slug):
    program = get_program_for_user(request.user, slug) if request.method == "GET" else get_program_rw(request.user, slug)
    health = settings_for(program)
    form = HealthWeightsForm(request.POST or None, weights=weights_of(health), plans=plans_with_scores(program))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                save_health_settings(program, weights=form.weights(), plan_scores=form.plan_scores())
            except ChorusError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Health weights saved. Scores are being recomputed."))
                return redirect("console:customer_health", slug=program.slug)
        status = 422
    context = program_context(request, program, "customers", form=form, health=health)
    return render(request, "console/customers/health.html", context, status=status)


@console_view
@require_POST
def health_recompute(request, slug):
    program = get_program_rw(request.user, slug)
    schedule_health(program)
    messages.success(request, _("Health scores are being recomputed."))
    return redirect("console:customer_health", slug=program.slug)


@console_view
@require_http_methods(["GET", "POST"])
def imports(request, slug):
    program = get_program_for_user(request.user, slug) if request.method == "GET" else get_program_rw(request.user, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = start_import(program, request.user, form.cleaned_data["file"])
            except ChorusError as error:
                add_service_errors(form, error)
            else:
                return redirect("console:customer_import", slug=program.slug, job_id=job.pk)
        status = 422
    jobs = ImportJob.objects.filter(program=program)[:20]
    context = program_context(request, program, "customers", form=form, jobs=jobs, max_rows=MAX_ROWS)
    return render(request, "console/customers/imports.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def import_detail(request, slug, job_id):
    program = get_program_for_user(request.user, slug) if request.method == "GET" else get_program_rw(request.user, slug)
    job = get_import_for_program(program, job_id)
    if job.status != ImportJob.Status.MAPPING:
        if request.method == "POST":
            messages.info(request, _("This import has already started."))
            return redirect("console:customer_import", slug=program.slug, job_id=job.pk)
        context = program_context(request, program, "customers", job=job)
        template = "console/customers/_import_progress.html" if wants_partial(request) else "console/customers/import.html"
        return render(request, template, context)
    form = MappingForm(request.POST or None, job=job)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if "reread" in request.POST or form.cleaned_data["delimiter"] != job.delimiter:
                    change_delimiter(job, form.cleaned_data["delimiter"])
                    messages.info(request, _("The file was read again with the delimiter %(delimiter)s.")
                                  % {"delimiter": DELIMITERS[job.delimiter]})
                else:
                    queue_import(job, form.mapping())
                return redirect("console:customer_import", slug=program.slug, job_id=job.pk)
            except ChorusError as error:
                add_service_errors(form, error)
        status = 422
    context = program_context(request, program, "customers", job=job, form=form)
    return render(request, "console/customers/mapping.html", context, status=status)


@console_view
@require_GET
def import_errors(request, slug, job_id):
    program = get_program_for_user(request.user, slug)
    job = get_import_for_program(program, job_id)
    if not job.error_report:
        raise Http404("No error report")
    return FileResponse(job.error_report.open("rb"), as_attachment=True, content_type="text/csv; charset=utf-8",
                        filename=f"import-{job.pk}-errors.csv")
