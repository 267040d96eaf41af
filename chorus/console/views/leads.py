"""The lead pipeline: leads by stage with in-place stage changes, logging a lead or deal,
importing deals, the CSV export, the referred-versus-other report and the lead settings.

Any workspace member (teammates too) logs and moves leads; the settings need an editor."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chorus.advocates.models import Advocate
from chorus.core.emails import normalize_email
from chorus.core.errors import ChorusError
from chorus.programs.access import get_program_for_user, get_program_rw
from chorus.referrals.models import Lead
from chorus.referrals.services import lead_csv
from chorus.referrals.services.lead_reports import lead_report
from chorus.referrals.services.leads import (
    LeadInput,
    create_lead,
    lead_settings,
    set_show_deal_values,
    update_lead,
)

from .. import tables
from ..exports import export_response
from ..forms import add_service_errors
from ..lead_forms import DealUploadForm, LeadForm, LeadSettingsForm, StageForm
from .base import console_view, program_context

PAGE_SIZE = 50


def _filters(request) -> dict:
    stage = request.GET.get("stage", "")
    source = request.GET.get("source", "")
    return {"stage": stage if stage in Lead.Stage.values else "",
            "source": source if source in Lead.Source.values else ""}


def _filtered(program, filters: dict):
    leads = Lead.objects.filter(program=program)
    if filters["stage"]:
        leads = leads.filter(stage=filters["stage"])
    if filters["source"]:
        leads = leads.filter(source=filters["source"])
    return leads


@console_view
@require_GET
def leads(request, slug):
    program = get_program_for_user(request.user, slug)
    filters = _filters(request)
    found = _filtered(program, filters).select_related("advocate").order_by("-submitted_at", "-pk")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    report = lead_report(program)
    context = program_context(
        request, program, "leads", page=page, filters=filters, stages=Lead.Stage.choices, sources=Lead.Source.choices,
        stage_totals=report.stages, query=urlencode({key: value for key, value in filters.items() if value}),
        settings_form=LeadSettingsForm(initial={"show_deal_values": lead_settings(program).show_deal_values}),
    )
    return render(request, "console/leads.html", context)


def _lead_input(program, form: LeadForm) -> tuple[LeadInput, str | None]:
    data = form.cleaned_data
    advocate, problem = None, None
    if data["source"] == Lead.Source.REFERRAL:
        email = normalize_email(data["advocate_email"])
        advocate = Advocate.objects.filter(program=program, email_normalized=email).first() if email else None
        if advocate is None:
            problem = _("No advocate with this email in this program.")
    return LeadInput(
        name=data["name"], company=data["company"], email=data["email"], phone=data["phone"], note=data["note"],
        consent=data["consent"], source=data["source"], advocate=advocate, channel=data["channel"],
        deal_value=data["deal_value"] or 0, submitted_at=form.submitted_at(),
    ), problem


@console_view
@require_http_methods(["GET", "POST"])
def lead_new(request, slug):
    program = get_program_for_user(request.user, slug)
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data, problem = _lead_input(program, form)
        if problem:
            form.add_error("advocate_email", problem)
        else:
            try:
                lead = create_lead(program, data, entered_via=Lead.EnteredVia.CONSOLE, user=request.user)
            except ChorusError as error:
                if "advocate" in error.field_errors:
                    error.field_errors["advocate_email"] = error.field_errors.pop("advocate")
                add_service_errors(form, error)
            else:
                messages.success(request, _("Lead “%(name)s” (%(company)s) logged.") % {"name": lead.name,
                                                                                        "company": lead.company})
                return redirect("console:leads", slug=program.slug)
    status = 422 if request.method == "POST" else 200
    return render(request, "console/lead_new.html", program_context(request, program, "leads", form=form), status=status)


@console_view
@require_POST
def lead_stage(request, slug, lead_id):
    """Move a lead; HTMX swaps its row in place, a plain POST redirects back to the list."""
    program = get_program_for_user(request.user, slug)
    lead = get_object_or_404(Lead.objects.select_related("program__workspace", "advocate"), program=program, pk=lead_id)
    form = StageForm(request.POST)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            lead = update_lead(lead, stage=data["stage"], deal_value=data["deal_value"],
                               lost_reason=data["lost_reason"], user=request.user)
        except ChorusError as problem:
            error = " ".join([problem.message, *[m for ms in problem.field_errors.values() for m in ms]])
    else:
        error = _("Choose qualified, won or lost; deal values are whole numbers.")
    if request.htmx:
        lead.refresh_from_db()
        return render(request, "console/_lead_row.html", {"program": program, "lead": lead, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("“%(name)s” is now %(stage)s.") % {"name": lead.name, "stage": lead.get_stage_display()})
    back = request.POST.get("back", "")
    url = reverse("console:leads", kwargs={"slug": program.slug})
    return redirect(f"{url}?{back}" if back and "//" not in back else url)


@console_view
@require_http_methods(["GET", "POST"])
def lead_import(request, slug):
    program = get_program_for_user(request.user, slug)
    form = DealUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = lead_csv.import_deals(program, form.cleaned_data["file"], user=request.user)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, ngettext("%(count)s deal imported.", "%(count)s deals imported.",
                                               result.added) % {"count": result.added})
            return redirect(f"{reverse('console:leads', kwargs={'slug': program.slug})}?source=other")
    status = 422 if request.method == "POST" else 200
    context = program_context(request, program, "leads", form=form, columns=lead_csv.COLUMNS)
    return render(request, "console/lead_import.html", context, status=status)


@console_view
@require_GET
def lead_export(request, slug):
    program = get_program_for_user(request.user, slug)
    response = StreamingHttpResponse(lead_csv.export_rows(program, _filtered(program, _filters(request))),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-leads.csv"'
    return response


@console_view
@require_GET
def lead_report_page(request, slug):
    program = get_program_for_user(request.user, slug)
    report = lead_report(program)
    exported = export_response(request, {"sources": lambda: tables.lead_sources(program, report),
                                         "stages": lambda: tables.lead_stages(program, report)})
    if exported is not None:
        return exported
    return render(request, "console/lead_report.html", program_context(request, program, "leads", report=report))


@console_view
@require_POST
def lead_settings_update(request, slug):
    program = get_program_rw(request.user, slug)
    form = LeadSettingsForm(request.POST)
    form.is_valid()
    set_show_deal_values(program, bool(form.cleaned_data.get("show_deal_values")), user=request.user)
    messages.success(request, _("Lead settings saved."))
    return redirect("console:leads", slug=program.slug)

