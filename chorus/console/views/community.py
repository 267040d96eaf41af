"""Console pages of the content vault (items and their numbers) and of events & clubs
(editor, invitations, attendees with RSVP and check-in, check-in by code at the door)."""

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from chorus.campaigns import content as content_services
from chorus.campaigns import events as event_services
from chorus.campaigns.models import ContentItem, Event, Invitation
from chorus.core.codes import normalize_access_code
from chorus.core.errors import ChorusError
from chorus.programs.access import get_program_for_user, get_program_rw

from ..community_forms import CheckInForm, ContentItemForm, EventForm, InviteForm
from ..forms import add_service_errors
from .base import console_view, program_context, render_page_or_partial

ATTENDEES_PER_PAGE = 100

# --- content vault ------------------------------------------------------------------------------


def _content_page(request, program, form=None, status=200):
    numbers = content_services.content_numbers(program)
    items = [(item, numbers.get(item.pk, content_services.ContentNumbers()))
             for item in ContentItem.objects.filter(program=program).order_by("order", "pk")]
    context = program_context(request, program, "content", items=items, form=form or ContentItemForm())
    return render(request, "console/content.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def content_list(request, slug):
    if request.method == "GET":
        return _content_page(request, get_program_for_user(request.user, slug))
    program = get_program_rw(request.user, slug)
    form = ContentItemForm(request.POST, request.FILES)
    if form.is_valid():
        values = form.service_values()
        values.pop("remove_image")
        try:
            item = content_services.create_content(program, user=request.user, **values)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” added to the content vault.") % {"title": item.title})
            return redirect("console:content", slug=program.slug)
    return _content_page(request, program, form=form, status=422)


@console_view
@require_http_methods(["GET", "POST"])
def content_edit(request, slug, item_id):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        item = get_object_or_404(ContentItem, program=program, pk=item_id)
        form = ContentItemForm(initial=ContentItemForm.initial_for(item))
        return render(request, "console/content_edit.html", program_context(request, program, "content", item=item, form=form))
    program = get_program_rw(request.user, slug)
    item = get_object_or_404(ContentItem, program=program, pk=item_id)
    form = ContentItemForm(request.POST, request.FILES, initial=ContentItemForm.initial_for(item))
    if form.is_valid():
        try:
            item = content_services.update_content(item, user=request.user, **form.service_values())
        except ChorusError as error:
            add_service_errors(form, error)
            item.refresh_from_db()
        else:
            messages.success(request, _("“%(title)s” saved.") % {"title": item.title})
            return redirect("console:content", slug=program.slug)
    context = program_context(request, program, "content", item=item, form=form)
    return render(request, "console/content_edit.html", context, status=422)


@console_view
@require_POST
def content_delete(request, slug, item_id):
    program = get_program_rw(request.user, slug)
    item = get_object_or_404(ContentItem, program=program, pk=item_id)
    content_services.delete_content(item, user=request.user)
    messages.success(request, _("“%(title)s” deleted.") % {"title": item.title})
    return redirect("console:content", slug=program.slug)


# --- events and clubs -----------------------------------------------------------------------------

def _events_page(request, program, form=None, status=200):
    listed = event_services.with_counts(Event.objects.filter(program=program)).annotate(
        club_last=Case(When(kind=Event.Kind.CLUB, then=Value(1)), default=Value(0), output_field=IntegerField()),
    ).order_by("club_last", "-starts_at", "pk")
    context = program_context(request, program, "events", events=listed, form=form or EventForm())
    return render(request, "console/events.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def events_list(request, slug):
    if request.method == "GET":
        return _events_page(request, get_program_for_user(request.user, slug))
    program = get_program_rw(request.user, slug)
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            event = event_services.create_event(program, user=request.user, **form.translated_values())
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” created. Now invite people.") % {"title": event.title})
            return redirect("console:event", slug=program.slug, event_id=event.pk)
    return _events_page(request, program, form=form, status=422)


def _event_context(request, program, event, **extra) -> dict:
    invitations = (Invitation.objects.filter(event=event).select_related("advocate", "checked_in_by")
                   .order_by("advocate__name", "advocate__email"))
    rsvp = request.GET.get("rsvp", "")
    if rsvp in Invitation.Rsvp.values:
        invitations = invitations.filter(rsvp=rsvp)
    counted = event_services.with_counts(Event.objects.filter(pk=event.pk)).get()
    page = Paginator(invitations, ATTENDEES_PER_PAGE).get_page(request.GET.get("page"))
    return program_context(
        request, program, "events", event=event, counts=counted, page=page, rsvp_filter=rsvp,
        seats_left=event_services.seats_left(event), **{
            "form": extra.pop("form", None) or EventForm(initial=EventForm.initial_for(event)),
            "invite_form": extra.pop("invite_form", None) or InviteForm(program=program),
            "check_in_form": CheckInForm(), **extra})


@console_view
@require_http_methods(["GET", "POST"])
def event_detail(request, slug, event_id):
    """The event: its attendees (filter by answer), the editor and the invite form."""
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        event = get_object_or_404(Event, program=program, pk=event_id)
        return render(request, "console/event.html", _event_context(request, program, event))
    program = get_program_rw(request.user, slug)
    event = get_object_or_404(Event, program=program, pk=event_id)
    form = EventForm(request.POST, initial=EventForm.initial_for(event))
    if form.is_valid():
        try:
            event = event_services.update_event(event, user=request.user, **form.translated_values())
        except ChorusError as error:
            add_service_errors(form, error)
            event.refresh_from_db()
        else:
            messages.success(request, _("“%(title)s” saved.") % {"title": event.title})
            return redirect("console:event", slug=program.slug, event_id=event.pk)
    return render(request, "console/event.html", _event_context(request, program, event, form=form), status=422)


@console_view
@require_POST
def event_invite(request, slug, event_id):
    program = get_program_rw(request.user, slug)
    event = get_object_or_404(Event, program=program, pk=event_id)
    form = InviteForm(request.POST, program=program)
    if form.is_valid():
        segment, segment_value = form.segment_parts()
        try:
            result = event_services.invite_selection(
                event, identifiers=re.split(r"[\s,;]+", form.cleaned_data["advocates"]), segment=segment,
                segment_value=segment_value, user=request.user)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, ngettext("%(count)d advocate invited.", "%(count)d advocates invited.",
                                               len(result.invited)) % {"count": len(result.invited)})
            if result.already_invited or result.skipped:
                messages.info(request, _("%(already)d were invited before; %(skipped)d skipped (inactive).")
                              % {"already": result.already_invited, "skipped": result.skipped})
            return redirect("console:event", slug=program.slug, event_id=event.pk)
    return render(request, "console/event.html", _event_context(request, program, event, invite_form=form), status=422)


@console_view
@require_http_methods(["GET", "POST"])
def event_check_in(request, slug, event_id):
    """Check-in by code at the door: type (or scan) the code, see who it is. With HTMX the
    result replaces the form in place and the field is ready for the next code."""
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        event = get_object_or_404(Event, program=program, pk=event_id)
        context = program_context(request, program, "events", event=event, check_in_form=CheckInForm())
        return render(request, "console/event_check_in.html", context)
    program = get_program_rw(request.user, slug)
    event = get_object_or_404(Event, program=program, pk=event_id)
    form = CheckInForm(request.POST)
    result, error, status = None, "", 200
    if form.is_valid():
        try:
            result = event_services.check_in(event, form.cleaned_data["code"], user=request.user)
        except ChorusError as problem:
            error, status = problem.message, problem.status_code
    else:
        error, status = _("Type the access code."), 422
    if request.POST.get("back") == "attendees" and request.htmx:  # the attendee row, redrawn in place
        invitation = result.invitation if result else _attendee(event, request.POST.get("code", ""))
        if invitation is not None:
            context = {"program": program, "event": event, "invitation": invitation, "can_edit": True, "error": error,
                       "done": _check_in_message(result) if result else ""}
            return render(request, "console/_attendee_row.html", context)
    if request.POST.get("back") == "attendees" and not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _check_in_message(result))
        return redirect(reverse("console:event", kwargs={"slug": program.slug, "event_id": event.pk}) + "#attendees")
    context = program_context(request, program, "events", event=event, check_in_form=CheckInForm(), result=result,
                              error=error, done=_check_in_message(result) if result else "")
    return render_page_or_partial(request, "console/event_check_in.html", "console/_check_in_result.html", context,
                                  status=200 if request.htmx else status)


def _attendee(event, code: str):
    return Invitation.objects.select_related("advocate").filter(event=event, code=normalize_access_code(code)).first()


def _check_in_message(result) -> str:
    name = result.invitation.advocate.name or result.invitation.advocate.email
    if result.points_credited:
        return _("%(name)s checked in: %(points)d points credited.") % {"name": name, "points": result.points_credited}
    return _("%(name)s checked in.") % {"name": name}
