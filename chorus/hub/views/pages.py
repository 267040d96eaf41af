"""Public pages of a program: the landing page, the friend page, "who referred you?"."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from chorus.advocates.models import Advocate
from chorus.core.errors import RateLimited
from chorus.core.ratelimit import client_ip, hit
from chorus.referrals.services.attribution import record_friend_claim
from chorus.referrals.services.clicks import handle_click
from chorus.referrals.services.links import find_link_by_referral_code

from ..access import get_public_program, hub_advocate
from ..forms import ClaimForm
from .clicks import click_client, click_response
from .common import public_rate_limit, rate_limited_page

CLAIMS_PER_IP = 10
CLAIM_WINDOW_SECONDS = 600


def _find_link(program, code: str):
    """The link behind a random or vanity code of this program, or a 404."""
    link = find_link_by_referral_code(program, code)
    if link is None:
        raise Http404("No such invitation")
    return link


def _usable(link) -> bool:
    expired = link.expires_at is not None and link.expires_at <= timezone.now()
    return link.is_active and not expired and link.advocate.status == Advocate.Status.ACTIVE


@require_safe
@public_rate_limit("landing")
def landing(request, slug: str):
    program = get_public_program(slug)
    context = {"program": program, "claim_form": ClaimForm(), "advocate": hub_advocate(request, program)}
    return render(request, "hub/landing.html", context)


@require_safe
@public_rate_limit("friend-page")
def friend(request, slug: str, code: str):
    program = get_public_program(slug)
    link = _find_link(program, code)
    if not _usable(link):
        return render(request, "hub/link_gone.html", {"program": program}, status=410)
    context = {
        "program": program, "advocate": link.advocate, "link": link,
        "continue_url": reverse("hub:friend_continue", kwargs={"slug": program.slug, "code": code}),
        "claim_form": ClaimForm(),
    }
    return render(request, "hub/friend.html", context)


@require_safe
def friend_continue(request, slug: str, code: str):
    """The friend page's Continue: record the click and go to the destination with its id."""
    program = get_public_program(slug)
    link = _find_link(program, code)
    outcome = handle_click(link.code, **click_client(request))
    return click_response(request, outcome, friend_page_seen=True)


@require_POST
def claim(request, slug: str):
    """A friend who lost the link names who referred them. The answer is the same whether
    or not that person is an advocate, so the form cannot be used to find out."""
    program = get_public_program(slug)
    try:
        hit(f"hub-claim:{client_ip(request)}", CLAIMS_PER_IP, CLAIM_WINDOW_SECONDS)
    except RateLimited as error:
        if request.htmx:  # htmx swaps only 2xx answers: say it inside the form
            form = ClaimForm()
            form.add_error(None, _("Too many tries in a row. Please wait a few minutes, then try again."))
            return render(request, "hub/_claim_form.html", {"program": program, "claim_form": form})
        return rate_limited_page(request, error, program=program)
    form = ClaimForm(request.POST)
    template = "hub/_claim_form.html" if request.htmx else "hub/claim.html"
    if not form.is_valid():
        return render(request, template, {"program": program, "claim_form": form}, status=200 if request.htmx else 422)
    record_friend_claim(program, friend_email=form.cleaned_data["friend_email"],
                        advocate_hint=form.cleaned_data["advocate"])
    return render(request, template, {"program": program, "claim_form": ClaimForm(), "claimed": True})
