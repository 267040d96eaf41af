"""What every console page shares: login, the program around it, page-or-partial rendering."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from chorus.programs.access import programs_for_user
from chorus.programs.models import Membership, Program
from chorus.referrals.models import Referral

console_view = login_required


def user_can_edit(user, program: Program) -> bool:
    """Owners and program managers change settings; teammates only look."""
    return Membership.objects.filter(
        workspace_id=program.workspace_id, user=user,
        role__in=[Membership.Role.OWNER, Membership.Role.MARKETER],
    ).exists()


def program_context(request, program: Program, tab: str, **extra) -> dict:
    return {
        "program": program,
        "programs": programs_for_user(request.user),
        "tab": tab,
        "can_edit": user_can_edit(request.user, program),
        "flagged_count": Referral.objects.filter(program=program, review=Referral.Review.FLAGGED).count(),
        **extra,
    }


def wants_partial(request) -> bool:
    """An HTMX request that swaps part of the page (not a history restore, which needs it all)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page_or_partial(request, page: str, partial: str, context: dict, status: int = 200):
    response = render(request, partial if wants_partial(request) else page, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
