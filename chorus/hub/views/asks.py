"""The advocate's asks: the list (urgent first, then by points), one ask with its form, and
completing it. Works as plain POST + redirect; with HTMX only the ask's action box is redrawn."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from chorus.campaigns.models import Ask, Completion
from chorus.campaigns.services.asks import asks_for_advocate, effective_end, get_ask_for_advocate
from chorus.campaigns.services.completions import submit_completion
from chorus.campaigns.services.submissions import disclosure_text, takes_upload
from chorus.core.errors import ChorusError

from ..access import advocate_required

RECENT = 20


def _state(ask: Ask, opening, completions: list, now) -> str:
    """What the action box shows: post, refer, not_yet, ended, waiting (for review), done or open."""
    if ask.is_post and ask.type != Ask.Type.QUIZ:
        return "post"
    if ask.starts_at and now < ask.starts_at:
        return "not_yet"
    end = effective_end(ask, opening)
    if end and now >= end:
        return "ended"
    counted = [c for c in completions if ask.type == Ask.Type.QUIZ or c.status != Completion.Status.REJECTED]
    if ask.max_per_advocate is not None and len(counted) >= ask.max_per_advocate:
        return "waiting" if any(c.status == Completion.Status.PENDING for c in counted) else "done"
    if ask.type == Ask.Type.REFER_FRIEND:
        return "refer"
    return "open"


def _detail_context(program, advocate, ask, opening, *, values=None, error=None, done=None) -> dict:
    completions = list(Completion.objects.filter(ask=ask, advocate=advocate).order_by("-created_at", "-pk"))
    now = timezone.now()
    return {
        "program": program, "advocate": advocate, "ask": ask, "ends_at": effective_end(ask, opening),
        "state": _state(ask, opening, completions, now), "completions": completions,
        "values": values if values is not None else {}, "errors": error.field_errors if error else {},
        "error": error.message if error and not error.field_errors else "",
        "done": done, "takes_upload": takes_upload(ask), "disclosure": disclosure_text(ask), "scale": range(11),
    }


@never_cache
@require_safe
@advocate_required
def ask_list(request, program, advocate):
    cards = asks_for_advocate(advocate)
    recent = (Completion.objects.filter(advocate=advocate).select_related("ask")
              .order_by("-created_at", "-pk")[:RECENT])
    context = {
        "program": program, "advocate": advocate, "recent": recent,
        "asks": [card for card in cards if not card.ask.is_post],
        "posts": [card for card in cards if card.ask.is_post],
    }
    return render(request, "hub/asks/list.html", context)


def _load(advocate, ask_id: int):
    try:
        return get_ask_for_advocate(advocate, ask_id), None
    except ChorusError as error:
        return (None, None), error


@never_cache
@require_safe
@advocate_required
def ask_detail(request, program, advocate, ask_id):
    (ask, opening), problem = _load(advocate, ask_id)
    if problem:
        return render(request, "hub/asks/unavailable.html", {"program": program, "message": problem.message},
                      status=problem.status_code)
    return render(request, "hub/asks/detail.html", _detail_context(program, advocate, ask, opening))


@require_POST
@advocate_required
def ask_complete(request, program, advocate, ask_id):
    """Complete the ask; errors redraw the form with the message (4xx without HTMX)."""
    (ask, opening), problem = _load(advocate, ask_id)
    if problem:
        return render(request, "hub/asks/unavailable.html", {"program": program, "message": problem.message},
                      status=problem.status_code)
    upload = request.FILES.get("evidence") if takes_upload(ask) else None
    try:
        submitted = submit_completion(ask, advocate, request.POST, upload=upload)
    except ChorusError as error:
        context = _detail_context(program, advocate, ask, opening, values=request.POST, error=error)
        if request.htmx:
            return render(request, "hub/asks/_action.html", context)
        return render(request, "hub/asks/detail.html", context, status=error.status_code)
    message = _done_message(submitted.completion)
    if request.htmx:
        return render(request, "hub/asks/_action.html",
                      _detail_context(program, advocate, ask, opening, done=message))
    notify = messages.error if submitted.completion.status == Completion.Status.REJECTED else messages.success
    notify(request, message)
    return redirect("hub:ask_detail", slug=program.slug, ask_id=ask.pk)


def _done_message(completion: Completion) -> str:
    if completion.status == Completion.Status.APPROVED:
        if completion.points:
            return _("Done! %(points)s points are yours.") % {"points": completion.points}
        return _("Done! Thank you.")
    if completion.status == Completion.Status.REJECTED:
        return completion.rejection_reason
    return _("Thank you! We will check it and let you know.")
