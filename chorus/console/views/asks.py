"""Asks in the console: the list, the builder with a preview as the advocate sees it, the
moderation queue (approve / reject with a reason, in place with HTMX) and feedback answers."""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chorus.campaigns.models import Ask, Completion
from chorus.campaigns.services.asks import delete_ask, preview_ask, save_ask
from chorus.campaigns.services.completions import approve_completion, reject_completion
from chorus.campaigns.services.submissions import disclosure_text, takes_upload
from chorus.core.errors import ChorusError
from chorus.programs.access import get_program_for_user, get_program_rw

from ..ask_forms import CONFIG_EXAMPLES, AskForm, RejectForm
from ..forms import add_service_errors
from .base import console_view, program_context, user_can_edit, wants_partial

PAGE_SIZE = 20
EXAMPLES = {kind: json.dumps(example, ensure_ascii=False, indent=2) for kind, example in CONFIG_EXAMPLES.items()}


@console_view
@require_GET
def ask_list(request, slug):
    program = get_program_for_user(request.user, slug)
    asks = (Ask.objects.filter(program=program)
            .annotate(pending=Count("completions", filter=Q(completions__status=Completion.Status.PENDING)),
                      approved=Count("completions", filter=Q(completions__status=Completion.Status.APPROVED)))
            .order_by("status", "-created_at"))
    return render(request, "console/asks/list.html", program_context(request, program, "asks", asks=asks))


def _builder(request, program, form, ask=None, status=200, preview=None, preview_error=None):
    context = program_context(request, program, "asks", form=form, ask=ask, preview=preview,
                              preview_error=preview_error, examples=EXAMPLES,
                              preview_language=request.POST.get("preview_language") or "en")
    return render(request, "console/asks/edit.html", context, status=status)


def _preview(request, program, form, ask):
    """Render the preview of the form's ask (never saved), in the chosen language."""
    language = request.POST.get("preview_language") or "en"
    preview, error = None, None
    if form.is_valid():
        try:
            preview = preview_ask(program, form.ask_values(), ask=ask)
        except ChorusError as problem:
            add_service_errors(form, problem)
            error = problem.message
    else:
        error = _("Correct the highlighted fields to see the preview.")
    context = {"program": program, "ask": preview, "ends_at": preview.ends_at if preview else None,
               "state": "open", "values": {}, "errors": {}, "scale": range(11), "preview_error": error,
               "takes_upload": takes_upload(preview) if preview else False,
               "disclosure": disclosure_text(preview) if preview else "", "preview_only": True}
    with translation.override(language):
        if wants_partial(request):
            return render(request, "console/asks/_preview.html", context)
        return _builder(request, program, form, ask=ask, preview=context, status=200 if preview else 422)


@console_view
@require_http_methods(["GET", "POST"])
def ask_new(request, slug):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        initial = {"type": request.GET.get("type", "social_follow")}
        return _builder(request, program, AskForm(program, initial=initial))
    program = get_program_rw(request.user, slug)
    form = AskForm(program, request.POST)
    if "preview" in request.POST:
        return _preview(request, program, form, None)
    if form.is_valid():
        try:
            ask = save_ask(program, form.ask_values(), user=request.user)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Ask “%(title)s” created.") % {"title": ask.title})
            return redirect("console:asks", slug=program.slug)
    return _builder(request, program, form, status=422)


@console_view
@require_http_methods(["GET", "POST"])
def ask_edit(request, slug, ask_id):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        ask = get_object_or_404(Ask, program=program, pk=ask_id)
        return _builder(request, program, AskForm.for_ask(ask), ask=ask)
    program = get_program_rw(request.user, slug)
    ask = get_object_or_404(Ask, program=program, pk=ask_id)
    form = AskForm(program, request.POST)
    if "preview" in request.POST:
        return _preview(request, program, form, ask)
    if form.is_valid():
        try:
            ask = save_ask(program, form.ask_values(), ask=ask, user=request.user)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Ask “%(title)s” saved.") % {"title": ask.title})
            return redirect("console:asks", slug=program.slug)
    return _builder(request, program, form, ask=ask, status=422)


@console_view
@require_POST
def ask_delete(request, slug, ask_id):
    program = get_program_rw(request.user, slug)
    ask = get_object_or_404(Ask, program=program, pk=ask_id)
    if delete_ask(ask, user=request.user):
        messages.success(request, _("Ask deleted."))
    else:
        messages.success(request, _("Advocates have completed this ask, so it was archived instead of deleted."))
    return redirect("console:asks", slug=program.slug)


# --- moderation ------------------------------------------------------------------------------

def _completions(program):
    return Completion.objects.filter(ask__program=program).select_related("ask", "advocate", "decided_by")


@console_view
@require_GET
def moderation(request, slug):
    program = get_program_for_user(request.user, slug)
    pending = _completions(program).filter(status=Completion.Status.PENDING).order_by("created_at", "pk")
    recent = _completions(program).exclude(status=Completion.Status.PENDING).order_by("-decided_at", "-pk")[:PAGE_SIZE]
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    context = program_context(request, program, "moderation", page=page, recent=recent)
    return render(request, "console/asks/moderation.html", context)


@console_view
@require_POST
def moderation_decide(request, slug, completion_id):
    program = get_program_rw(request.user, slug)
    completion = get_object_or_404(Completion, ask__program=program, pk=completion_id)
    form = RejectForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("Choose approve or reject; a reason is at most 500 characters.")
    else:
        try:
            if form.cleaned_data["decision"] == "approve":
                approve_completion(completion.pk, user=request.user, program=program)
            else:
                reject_completion(completion.pk, reason=form.cleaned_data["reason"], user=request.user, program=program)
        except ChorusError as problem:
            error = problem.message
    if request.htmx:
        completion = _completions(program).get(pk=completion.pk)
        context = {"program": program, "completion": completion, "error": error,
                   "can_edit": user_can_edit(request.user, program)}
        return render(request, "console/asks/_completion.html", context)
    if error:
        messages.error(request, error)
    else:
        completion.refresh_from_db()
        messages.success(request, _("Completion approved.") if completion.status == Completion.Status.APPROVED
                         else _("Completion rejected."))
    return redirect("console:moderation", slug=program.slug)


@console_view
@require_GET
def completion_evidence(request, slug, completion_id):
    """The uploaded evidence, for the program's marketers only (never a public URL)."""
    program = get_program_for_user(request.user, slug)
    completion = get_object_or_404(Completion, ask__program=program, pk=completion_id)
    if not completion.evidence:
        raise Http404("No evidence")
    response = FileResponse(completion.evidence.open("rb"), content_type=completion.evidence_content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@console_view
@require_GET
def feedback(request, slug):
    """The answers to the program's feedback asks (E6), newest first, with the average score."""
    program = get_program_for_user(request.user, slug)
    answers = _completions(program).filter(ask__type=Ask.Type.FEEDBACK).order_by("-created_at", "-pk")
    scores = [c.data.get("score") for c in answers if isinstance(c.data.get("score"), int)]
    page = Paginator(answers, PAGE_SIZE).get_page(request.GET.get("page"))
    context = program_context(request, program, "feedback", page=page, answer_count=answers.count(),
                              average=round(sum(scores) / len(scores), 1) if scores else None)
    return render(request, "console/asks/feedback.html", context)


