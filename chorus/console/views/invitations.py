"""Console pages of invitations (pick candidates, preview, send, follow sent → clicked → joined,
resend) and of channels (shareable invite links, targets per month or quarter, funnel)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from chorus.advocates.models import Customer
from chorus.core.errors import ChorusError
from chorus.invitations import channels as channel_services
from chorus.invitations import queries
from chorus.invitations import services as invitation_services
from chorus.invitations.emails import preview_invitation
from chorus.invitations.models import Channel, Invitation
from chorus.programs.access import get_program_for_user, get_program_rw

from .. import tables
from ..exports import export_response
from ..forms import add_service_errors
from ..invitation_forms import ChannelEditForm, ChannelForm, InviteForm
from .base import console_view, program_context

CANDIDATES_PER_PAGE = 50
INVITATIONS_PER_PAGE = 50
HISTORY_PERIODS = 4


def _stage(request) -> str:
    stage = request.GET.get("stage", "")
    return stage if stage in dict(queries.STAGES) else ""


def _sent(program, stage: str):
    return queries.with_email_status(queries.by_stage(
        Invitation.objects.filter(program=program).select_related("channel", "advocate"), stage))


def _invitations_context(request, program, *, invite_form=None) -> dict:
    query = request.GET.get("q", "").strip()[:200]
    selected_ids = queries.parse_ids(request.GET.get("customers", ""))
    selected = list(queries.selected_customers(program, selected_ids))
    candidates = queries.candidates(program, query).exclude(pk__in=selected_ids)
    stage = _stage(request)
    invitations = _sent(program, stage)
    invitation_page = Paginator(invitations, INVITATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(invitation, invitation_services.can_resend(invitation)) for invitation in invitation_page.object_list]
    return program_context(
        request, program, "invitations", query=query, selected=selected,
        selected_ids=",".join(str(pk) for pk in selected_ids),
        candidates=Paginator(candidates, CANDIDATES_PER_PAGE).get_page(request.GET.get("candidates_page")),
        invite_form=invite_form or InviteForm(program=program), stage=stage, stages=queries.STAGES,
        invitation_page=invitation_page, invitation_rows=rows, funnels=channel_services.channel_funnels(program),
        max_sends=invitation_services.MAX_SENDS,
    )


@console_view
@require_http_methods(["GET", "POST"])
def invitations(request, slug):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        stage = _stage(request)
        exported = export_response(request, {
            "invitations": lambda: tables.invitations(program, _sent(program, stage), stage),
            "channels": lambda: tables.invitation_channels(program, channel_services.channel_funnels(program))})
        if exported is not None:
            return exported
        return render(request, "console/invitations.html", _invitations_context(request, program))
    program = get_program_rw(request.user, slug)
    form = InviteForm(request.POST, program=program)
    if form.is_valid():
        customers = list(Customer.objects.filter(program=program, pk__in=form.cleaned_data["customers"]))
        if len(customers) != len(form.cleaned_data["customers"]):
            form.add_error(None, _("Some of the chosen customers are not in this program."))
        else:
            try:
                result = invitation_services.invite_customers(program, customers, channel=form.cleaned_data["channel"],
                                                              user=request.user)
            except ChorusError as error:
                add_service_errors(form, error)
            else:
                _report(request, result)
                return redirect("console:invitations", slug=program.slug)
    return render(request, "console/invitations.html", _invitations_context(request, program, invite_form=form),
                  status=422)


def _names(people) -> str:
    return ", ".join(person.email or person.name or str(person.pk) for person in people)


def _report(request, result) -> None:
    if result.invited:
        messages.success(request, ngettext("%(count)d invitation sent.", "%(count)d invitations sent.",
                                           len(result.invited)) % {"count": len(result.invited)})
    if result.suppressed:
        messages.warning(request, _("Not sent, the address is suppressed: %(people)s")
                         % {"people": _names(result.suppressed)})
    if result.already_advocates:
        messages.info(request, _("Already advocates, not invited: %(people)s")
                      % {"people": _names(result.already_advocates)})
    if result.already_invited:
        messages.info(request, _("Invited before, not invited again (use Resend): %(people)s")
                      % {"people": _names(result.already_invited)})
    if result.without_email:
        messages.warning(request, _("No email address, not invited: %(people)s")
                         % {"people": _names(result.without_email)})


@console_view
@require_GET
def invitation_preview(request, slug):
    """The invitation email as this customer would get it, in their language."""
    program = get_program_for_user(request.user, slug)
    customer = get_object_or_404(Customer, program=program, pk=request.GET.get("customer") or 0)
    preview = preview_invitation(program, customer)
    template = "console/_invitation_preview.html" if request.htmx else "console/invitation_preview.html"
    return render(request, template, program_context(request, program, "invitations", customer=customer,
                                                     preview=preview))


@console_view
@require_POST
def invitation_resend(request, slug, invitation_id):
    program = get_program_rw(request.user, slug)
    invitation = get_object_or_404(Invitation, program=program, pk=invitation_id)
    try:
        invitation = invitation_services.resend_invitation(invitation)
    except ChorusError as error:
        messages.error(request, error.message)
    else:
        if invitation.status == Invitation.Status.SENT:
            messages.success(request, _("Invitation sent again to %(email)s.") % {"email": invitation.email})
        else:
            messages.warning(request, _("Not sent, the address is suppressed: %(people)s")
                             % {"people": invitation.email})
    url = reverse("console:invitations", kwargs={"slug": program.slug})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- channels ----------------------------------------------------------------------------------------

def _channels_page(request, program, form=None, status=200):
    funnels = {row.channel.pk: row for row in channel_services.channel_funnels(program) if row.channel}
    rows = [
        {"channel": channel, "url": channel_services.channel_url(channel), "funnel": funnels.get(channel.pk),
         "progress": channel_services.channel_progress(channel, periods=HISTORY_PERIODS)}
        for channel in Channel.objects.filter(program=program).select_related("program")
    ]
    context = program_context(request, program, "invitations", rows=rows, form=form or ChannelForm())
    return render(request, "console/channels.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def channels(request, slug):
    if request.method == "GET":
        return _channels_page(request, get_program_for_user(request.user, slug))
    program = get_program_rw(request.user, slug)
    form = ChannelForm(request.POST)
    if form.is_valid():
        try:
            channel = channel_services.create_channel(program, **form.channel_values())
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Channel “%(name)s” added. Share its link.") % {"name": channel.name})
            return redirect("console:channels", slug=program.slug)
    return _channels_page(request, program, form=form, status=422)


@console_view
@require_http_methods(["GET", "POST"])
def channel_edit(request, slug, channel_id):
    program = get_program_for_user(request.user, slug) if request.method == "GET" else get_program_rw(request.user, slug)
    channel = get_object_or_404(Channel, program=program, pk=channel_id)
    form = ChannelEditForm(request.POST or None, initial=ChannelEditForm.initial_for(channel))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                channel = channel_services.update_channel(channel, **form.channel_values())
            except ChorusError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Channel “%(name)s” saved.") % {"name": channel.name})
                return redirect("console:channels", slug=program.slug)
        status = 422
    context = program_context(request, program, "invitations", channel=channel, form=form)
    return render(request, "console/channel_edit.html", context, status=status)
