"""Program email in the console: templates with a live preview, campaigns with subject-line
A/B tests, automations, the suppression list and the frequency cap."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chorus.core.errors import ChorusError
from chorus.notifications import automations as automation_services
from chorus.notifications import campaigns as campaign_services
from chorus.notifications import consent
from chorus.notifications.delivery import preview_email
from chorus.notifications.marketing import email_settings, update_email_settings
from chorus.notifications.models import (
    Automation,
    Campaign,
    EmailTemplate,
    OutboundEmail,
    Suppression,
)
from chorus.notifications.templates import PLACEHOLDERS, save_template
from chorus.programs.access import get_program_for_user, get_program_rw

from ..email_forms import (
    AutomationForm,
    CampaignForm,
    EmailSettingsForm,
    EmailTemplateForm,
    SuppressionForm,
)
from ..forms import add_service_errors
from .base import console_view, program_context, wants_partial


def _context(request, program, section, **extra):
    return program_context(request, program, "emails", section=section, **extra)


# --- overview and settings ----------------------------------------------------------------

@console_view
@require_http_methods(["GET", "POST"])
def email_home(request, slug):
    program = get_program_for_user(request.user, slug) if request.method == "GET" else get_program_rw(request.user, slug)
    rules = email_settings(program)
    form = EmailSettingsForm(request.POST or None, initial={"frequency_cap": rules.frequency_cap,
                                                            "frequency_window_days": rules.frequency_window_days})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                update_email_settings(program, **form.cleaned_data)
            except ChorusError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Email settings saved."))
                return redirect("console:emails", slug=program.slug)
        status = 422
    counts = dict(OutboundEmail.objects.filter(program=program).values_list("status").annotate(n=Count("pk")))
    templates = EmailTemplate.objects.filter(program=program).order_by("name")
    recent = OutboundEmail.objects.filter(program=program).order_by("-pk")[:20]
    webhook_url = request.build_absolute_uri(reverse("api:email_event_webhook", kwargs={"slug": program.slug}))
    return render(request, "console/emails/home.html", _context(
        request, program, "templates", templates=templates, recent=recent, form=form,
        webhook_url=webhook_url, webhook_secret=rules.webhook_secret,
        stats=[(label, counts.get(code, 0)) for code, label in OutboundEmail.Status.choices]),
        status=status)


# --- template editor ----------------------------------------------------------------------

def _editor(request, program, form, template=None, status=200, preview=None):
    return render(request, "console/emails/template_edit.html", _context(
        request, program, "templates", form=form, template=template, preview=preview,
        placeholders=sorted(PLACEHOLDERS.items()), preview_language=request.POST.get("preview_language") or "en"),
        status=status)


def _preview(request, program, form, template):
    form.is_valid()  # only for the bound values; the preview validates the texts itself
    preview = preview_email(program, form.texts(), request.POST.get("preview_language") or "en")
    if wants_partial(request):
        return render(request, "console/emails/_preview.html", {"preview": preview})
    return _editor(request, program, form, template, preview=preview, status=422 if preview["errors"] else 200)


def _save(request, program, form, template):
    if form.is_valid():
        try:
            saved = save_template(program, key=form.cleaned_data["key"], name=form.cleaned_data["name"],
                                  category=form.cleaned_data["category"], texts_by_language=form.texts(),
                                  template=template)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Template “%(name)s” saved.") % {"name": saved.name})
            return redirect("console:email_template", slug=program.slug, template_id=saved.pk)
    return _editor(request, program, form, template, status=422)


@console_view
@require_http_methods(["GET", "POST"])
def template_new(request, slug):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        return _editor(request, program, EmailTemplateForm(initial={"category": "marketing"}))
    program = get_program_rw(request.user, slug)
    form = EmailTemplateForm(request.POST)
    if "preview" in request.POST:
        return _preview(request, program, form, None)
    return _save(request, program, form, None)


@console_view
@require_http_methods(["GET", "POST"])
def template_edit(request, slug, template_id):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        template = get_object_or_404(EmailTemplate, program=program, pk=template_id)
        form = EmailTemplateForm.for_template(template)
        preview = preview_email(program, form.texts(), request.GET.get("language") or "en")
        return _editor(request, program, form, template, preview=preview)
    program = get_program_rw(request.user, slug)
    template = get_object_or_404(EmailTemplate, program=program, pk=template_id)
    form = EmailTemplateForm(request.POST)
    if "preview" in request.POST:
        return _preview(request, program, form, template)
    return _save(request, program, form, template)


# --- campaigns and A/B tests --------------------------------------------------------------

@console_view
@require_http_methods(["GET", "POST"])
def campaigns(request, slug):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        form, status = CampaignForm(program), 200
    else:
        program = get_program_rw(request.user, slug)
        form, status = CampaignForm(program, request.POST), 422
        if form.is_valid():
            try:
                campaign = campaign_services.create_campaign(
                    program, name=form.cleaned_data["name"], template_id=form.cleaned_data["template"],
                    subject_variants=form.variants(), test_share_percent=form.cleaned_data["test_share_percent"],
                    wait_hours=form.cleaned_data["wait_hours"], user=request.user)
            except ChorusError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Campaign “%(name)s” created: check it, then send it.") % {"name": campaign.name})
                return redirect("console:email_campaign", slug=program.slug, campaign_id=campaign.pk)
    rows = Campaign.objects.filter(program=program).select_related("template")
    return render(request, "console/emails/campaigns.html", _context(request, program, "campaigns", campaigns=rows,
                                                                     form=form), status=status)


@console_view
@require_http_methods(["GET"])
def campaign_detail(request, slug, campaign_id):
    program = get_program_for_user(request.user, slug)
    campaign = get_object_or_404(Campaign.objects.select_related("template"), program=program, pk=campaign_id)
    counts = dict(campaign.emails.values_list("status").annotate(n=Count("pk")))
    return render(request, "console/emails/campaign.html", _context(
        request, program, "campaigns", campaign=campaign, results=campaign_services.results(campaign),
        decision=campaign.decision or None, counts=counts, audience_size=len(campaign_services.audience(program))))


@console_view
@require_POST
def campaign_send(request, slug, campaign_id):
    from chorus.notifications.tasks import start_campaign_task

    program = get_program_rw(request.user, slug)
    campaign = get_object_or_404(Campaign, program=program, pk=campaign_id, status=Campaign.Status.DRAFT)
    start_campaign_task.enqueue(campaign.pk)
    messages.success(request, _("Sending started."))
    return redirect("console:email_campaign", slug=program.slug, campaign_id=campaign.pk)


@console_view
@require_POST
def campaign_decide(request, slug, campaign_id):
    from chorus.notifications.tasks import decide_campaign_task

    program = get_program_rw(request.user, slug)
    campaign = get_object_or_404(Campaign, program=program, pk=campaign_id)
    try:
        campaign_services.check_decidable(campaign)
    except ChorusError as error:
        messages.error(request, error.message)
    else:
        decide_campaign_task.enqueue(campaign.pk, on_demand=True)
        messages.success(request, _("Winner chosen; it is being sent to the rest of the audience."))
    return redirect("console:email_campaign", slug=program.slug, campaign_id=campaign.pk)


# --- automations --------------------------------------------------------------------------

@console_view
@require_http_methods(["GET", "POST"])
def automations(request, slug):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        form, status = AutomationForm(program), 200
    else:
        program = get_program_rw(request.user, slug)
        form, status = AutomationForm(program, request.POST), 422
        if form.is_valid():
            try:
                data = form.cleaned_data
                automation_services.save_automation(
                    program, trigger=data["trigger"], template_id=data["template"], is_active=data["is_active"],
                    event_name=data["event_name"], hours_before=data["hours_before"])
            except ChorusError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Automation saved."))
                return redirect("console:email_automations", slug=program.slug)
    rows = (Automation.objects.filter(program=program).select_related("template")
            .annotate(fired=Count("runs")))
    return render(request, "console/emails/automations.html", _context(request, program, "automations",
                                                                       automations=rows, form=form), status=status)


@console_view
@require_POST
def automation_toggle(request, slug, automation_id):
    program = get_program_rw(request.user, slug)
    automation = get_object_or_404(Automation, program=program, pk=automation_id)
    automation_services.save_automation(program, trigger=automation.trigger, template_id=automation.template_id,
                                        is_active=not automation.is_active, event_name=automation.event_name,
                                        hours_before=automation.hours_before, automation=automation)
    return redirect("console:email_automations", slug=program.slug)


# --- suppression list ---------------------------------------------------------------------

@console_view
@require_http_methods(["GET", "POST"])
def suppressions(request, slug):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        form, status = SuppressionForm(), 200
    else:
        program = get_program_rw(request.user, slug)
        form, status = SuppressionForm(request.POST), 422
        if form.is_valid():
            try:
                row, created = consent.suppress(program, form.cleaned_data["email"], reason=form.cleaned_data["reason"],
                                                detail=form.cleaned_data["detail"], source="console")
            except ChorusError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(email)s is suppressed.") % {"email": row.email_normalized})
                return redirect("console:email_suppressions", slug=program.slug)
    rows = Suppression.objects.filter(program=program)[:500]
    return render(request, "console/emails/suppressions.html", _context(request, program, "suppressions",
                                                                         suppressions=rows, form=form), status=status)


@console_view
@require_POST
def suppression_remove(request, slug, suppression_id):
    program = get_program_rw(request.user, slug)
    row = get_object_or_404(Suppression, program=program, pk=suppression_id)
    consent.unsuppress(program, row.email_normalized)
    messages.success(request, _("%(email)s can receive emails again.") % {"email": row.email_normalized})
    return redirect("console:email_suppressions", slug=program.slug)
