"""Joining from an invitation email (one button), asking for a fresh invitation link, and a
channel's shareable invite link (the join form, with the channel recorded).

"One click" is the email's link plus one button press: like the magic-link login, the GET only
shows the button (and records the click) and the POST spends the token, so link scanners that
fetch every URL in an email can neither join the invitee nor burn the invitation.
"""

from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chorus.advocates.services import remember_visitor
from chorus.core.errors import ChorusError, NotFound, RateLimited
from chorus.core.ratelimit import client_ip, hit
from chorus.invitations import channels as channel_services
from chorus.invitations import services as invitation_services

from ..access import get_public_program, hub_advocate, log_in, request_visitor
from ..forms import JoinForm, add_service_errors
from .account import _check_email_page, _limit_email_requests
from .common import rate_limited_page

JOINS_PER_IP = 20
JOIN_WINDOW_SECONDS = 600


def _private(response):
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


def _speak_invitees_language(request, invitation) -> None:
    if invitation.language:
        translation.activate(invitation.language)
        request.LANGUAGE_CODE = invitation.language


def _unusable_page(request, program, token: str, message: str, *, status: int, renewable: bool = False,
                   joined: bool = False):
    context = {"program": program, "token": token, "message": message, "renewable": renewable, "joined": joined}
    return _private(render(request, "hub/invitation_invalid.html", context, status=status))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request, slug: str, token: str):
    program = get_public_program(slug)
    if request.method == "POST":
        return _accept(request, program, token)
    try:
        invited = invitation_services.open_invitation(program, token)
    except NotFound as error:
        return _unusable_page(request, program, token, error.message, status=404)
    _speak_invitees_language(request, invited)
    advocate = hub_advocate(request, program)
    if invited.joined_at is not None and advocate is not None and advocate.pk == invited.advocate_id:
        return redirect("hub:asks", slug=program.slug)  # the invitee opened the link again
    if invited.joined_at is not None:
        return _unusable_page(request, program, token, translation.gettext(
            "This invitation was already used. Log in with your email address instead."), status=410, joined=True)
    if invitation_services.is_expired(invited):
        return _unusable_page(request, program, token, translation.gettext(
            "This invitation has expired. Ask for a new link below."), status=410, renewable=True)
    return _private(render(request, "hub/invitation.html", {"program": program, "invitation": invited}))


def _accept(request, program, token: str):
    try:
        hit(f"hub-invitation:{client_ip(request)}", JOINS_PER_IP, JOIN_WINDOW_SECONDS)
        advocate = invitation_services.accept_invitation(program, token)
    except RateLimited as error:
        return rate_limited_page(request, error, program=program)
    except ChorusError as error:
        return _unusable_page(request, program, token, error.message, status=error.status_code,
                              renewable=error.code == "invitation_expired", joined=error.code == "invitation_used")
    log_in(request, advocate)
    remember_visitor(advocate, request_visitor(request))
    return redirect("hub:asks", slug=program.slug)


@never_cache
@require_POST
def invitation_renew(request, slug: str, token: str):
    """A fresh link to the invited address; the answer is the same whether or not one was sent."""
    program = get_public_program(slug)
    try:
        _limit_email_requests(request, program)
    except RateLimited as error:
        return rate_limited_page(request, error, program=program)
    invitation_services.renew_invitation(program, token)
    return _private(render(request, "hub/invitation_renewed.html", {"program": program}))


@require_http_methods(["GET", "HEAD", "POST"])
def channel_join(request, slug: str, channel_slug: str):
    program = get_public_program(slug)
    try:
        channel = channel_services.get_public_channel(program, channel_slug)
    except NotFound:
        return redirect("hub:join", slug=program.slug)
    form = JoinForm(request.POST or None)
    if request.method != "POST":
        channel_services.record_visit(channel, request_visitor(request))
    elif form.is_valid():
        try:
            _limit_email_requests(request, program)
            invitation_services.join_through_channel(
                program, channel, email=form.cleaned_data["email"], name=form.cleaned_data["name"],
                language=form.cleaned_data["language"])
        except RateLimited as error:
            return rate_limited_page(request, error, program=program)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            return _check_email_page(request, program, form.cleaned_data["email"])
    status = 422 if request.method == "POST" else 200
    return render(request, "hub/join.html", {"program": program, "form": form, "channel": channel}, status=status)
