"""The content vault and "Events & clubs" in the advocate's hub, and an item's public page."""

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from chorus.campaigns import content as content_services
from chorus.campaigns import events as event_services
from chorus.campaigns.models import ContentItem, Invitation
from chorus.core.errors import ChorusError, NotFound
from chorus.core.signing import parse_click_id
from chorus.referrals.services.clicks import append_click_id
from chorus.referrals.services.links import ensure_link, link_url, qr_code, vanity_url

from ..access import advocate_required, get_public_program, hub_advocate
from ..sharing import content_share_targets
from .common import public_rate_limit

# --- content vault ------------------------------------------------------------------------------

@never_cache
@require_safe
@advocate_required
def content_vault(request, program, advocate):
    link = ensure_link(advocate)
    base_url = vanity_url(link) or link_url(link)
    numbers = content_services.content_numbers(program, advocate=advocate)
    items = []
    for item in content_services.vault_items(program):
        url = content_services.share_url(base_url, item)
        items.append({"item": item, "url": url, "targets": content_share_targets(item, url),
                      "numbers": numbers.get(item.pk, content_services.ContentNumbers())})
    return render(request, "hub/content_vault.html", {"program": program, "advocate": advocate, "items": items})


def _public_item(program, item_id: int) -> ContentItem:
    item = ContentItem.objects.filter(program=program, pk=item_id, is_active=True).first()
    if item is None:
        raise Http404("No such content")
    return item


@require_safe
@public_rate_limit("content-page")
def content_page(request, slug: str, item_id: int):
    """Where a share of an item without its own destination lands: the item, and the way on to
    the program's site carrying the click id (only a valid one for this program)."""
    program = get_public_program(slug)
    item = _public_item(program, item_id)
    token = request.GET.get("chorus_click", "")
    click_id = parse_click_id(token)
    continue_url = program.default_destination
    if click_id is not None and click_id.program_id == program.pk:
        continue_url = append_click_id(program.default_destination, token)
    context = {"program": program, "item": item, "continue_url": continue_url,
               "advocate": hub_advocate(request, program)}
    return render(request, "hub/content_page.html", context)


@require_safe
def content_image(request, slug: str, item_id: int):
    program = get_public_program(slug)
    item = _public_item(program, item_id)
    if not item.image:
        raise Http404("No image")
    try:
        handle = default_storage.open(item.image.name, "rb")
    except FileNotFoundError:
        raise Http404("Image file missing") from None
    response = FileResponse(handle, content_type=content_services.image_content_type(item.image.name))
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


# --- events and clubs ---------------------------------------------------------------------------

def _card(invitation: Invitation, error: str = "") -> dict:
    event = invitation.event
    return {"invitation": invitation, "event": event, "ended": event_services.has_ended(event),
            "seats_left": event_services.seats_left(event), "error": error}


@never_cache
@require_safe
@advocate_required
def events_page(request, program, advocate):
    cards = [_card(invitation) for invitation in event_services.invitations_for(advocate)]
    return render(request, "hub/events.html", {"program": program, "advocate": advocate, "cards": cards})


def _invitation_or_404(advocate, event_id: int) -> Invitation:
    try:
        return event_services.get_invitation(advocate, event_id)
    except NotFound:
        raise Http404("Not invited") from None


@require_POST
@advocate_required
def event_rsvp(request, program, advocate, event_id: int):
    """Answer yes or no; with HTMX only the event's card is redrawn."""
    invitation = _invitation_or_404(advocate, event_id)
    answer = request.POST.get("attending")
    error = ""
    if answer not in ("yes", "no"):
        error = _("Answer yes or no.")
    else:
        try:
            invitation = event_services.rsvp(invitation, answer == "yes")
        except ChorusError as problem:
            error = problem.message
    if request.htmx:
        return render(request, "hub/_event_card.html", {"program": program, "advocate": advocate, **_card(invitation, error)})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _rsvp_done(invitation))
    return redirect("hub:access_events", slug=program.slug)


def _rsvp_done(invitation: Invitation) -> str:
    title = invitation.event.localized_title()
    if invitation.event.is_club:
        if invitation.rsvp == Invitation.Rsvp.YES:
            return _("Welcome to “%(title)s”.") % {"title": title}
        return _("You have left “%(title)s”.") % {"title": title}
    if invitation.rsvp == Invitation.Rsvp.YES:
        return _("See you at “%(title)s”.") % {"title": title}
    return _("Thanks for letting us know you cannot come to “%(title)s”.") % {"title": title}


@require_safe
@advocate_required
def event_qr(request, program, advocate, event_id: int):
    """The advocate's access code as a QR code, to show at the door."""
    invitation = _invitation_or_404(advocate, event_id)
    image, content_type = qr_code(invitation.code, "svg")
    response = HttpResponse(image, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response


@never_cache
@require_safe
@advocate_required
def club_members(request, program, advocate, event_id: int):
    """Who is in a club (or going to an event): only for those who are in it themselves."""
    invitation = _invitation_or_404(advocate, event_id)
    if invitation.rsvp != Invitation.Rsvp.YES:
        raise Http404("Not a member")
    context = {"program": program, "advocate": advocate, "event": invitation.event,
               "members": event_services.members(invitation.event)}
    return render(request, "hub/event_members.html", context)
