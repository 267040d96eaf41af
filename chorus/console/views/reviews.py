"""The review queue: flagged referrals waiting for a marketer's approve / deny."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chorus.core.errors import ChorusError
from chorus.programs.access import get_program_for_user, get_program_rw
from chorus.referrals.models import Conversion, Referral
from chorus.rewards.models import Reward
from chorus.rewards.services import review_referral

from ..forms import ReviewDecisionForm
from .base import console_view, program_context, user_can_edit

PAGE_SIZE = 20
RECENT_COUNT = 20


def _with_details(referrals):
    return referrals.select_related("advocate", "customer", "reviewed_by").prefetch_related(
        Prefetch("conversions", queryset=Conversion.objects.order_by("occurred_at", "pk")),
        Prefetch("rewards", queryset=Reward.objects.order_by("pk")),
    )


@console_view
@require_GET
def review_queue(request, slug):
    program = get_program_for_user(request.user, slug)
    flagged = _with_details(Referral.objects.filter(program=program, review=Referral.Review.FLAGGED)).order_by("created_at", "pk")
    recent = _with_details(
        Referral.objects.filter(program=program, review__in=[Referral.Review.APPROVED, Referral.Review.DENIED])
    ).order_by("-reviewed_at", "-pk")[:RECENT_COUNT]
    page = Paginator(flagged, PAGE_SIZE).get_page(request.GET.get("page"))
    context = program_context(request, program, "reviews", page=page, recent=recent)
    return render(request, "console/reviews.html", context)


@console_view
@require_POST
def review_decide(request, slug, referral_id):
    program = get_program_rw(request.user, slug)
    referral = get_object_or_404(Referral, program=program, pk=referral_id)
    form = ReviewDecisionForm(request.POST)
    error = None
    if form.is_valid():
        try:
            referral = review_referral(referral.pk, approve=form.cleaned_data["decision"] == "approve",
                                       user=request.user, note=form.cleaned_data["note"], workspace=program.workspace)
        except ChorusError as problem:
            error = problem.message
    else:
        error = _("Choose approve or deny; notes are at most 1000 characters.")
    if request.htmx:
        referral = _with_details(Referral.objects.filter(pk=referral.pk)).get()
        context = {"program": program, "referral": referral, "error": error, "can_edit": user_can_edit(request.user, program)}
        return render(request, "console/_review_item.html", context)
    if error:
        messages.error(request, error)
    else:
        done = _("Referral approved.") if referral.review == Referral.Review.APPROVED else _("Referral denied.")
        messages.success(request, done)
    return redirect("console:reviews", slug=program.slug)
