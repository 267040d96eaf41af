"""The advocate's hub: link, codes, QR, sharing, numbers, rewards and ledger."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from chorus.core.errors import ChorusError
from chorus.referrals.services.links import (
    ensure_link,
    link_url,
    qr_code,
    set_vanity_code,
    vanity_url,
)
from chorus.referrals.services.stats import advocate_stats
from chorus.rewards.models import LedgerEntry
from chorus.rewards.services import balance

from ..access import advocate_required
from ..dashboard import advocate_rewards, ledger_history
from ..forms import VanityForm, add_service_errors
from ..sharing import share_targets


def _share_url(link) -> str:
    return vanity_url(link) or link_url(link)


def _link_context(program, link, form=None) -> dict:
    return {
        "program": program, "link": link, "link_url": link_url(link), "vanity_url": vanity_url(link),
        "vanity_form": form or VanityForm(initial={"vanity_code": link.vanity_code}),
    }


@never_cache
@require_safe
@advocate_required
def dashboard(request, program, advocate):
    link = ensure_link(advocate)
    share_url = _share_url(link)
    context = {
        **_link_context(program, link),
        "advocate": advocate,
        "share_url": share_url,
        "share_targets": share_targets(program, share_url),
        "stats": advocate_stats(advocate),
        "points_balance": balance(advocate, LedgerEntry.Unit.POINTS),
        "credit_balance": balance(advocate, LedgerEntry.Unit.CREDIT),
        "rewards": advocate_rewards(advocate),
        "ledger": ledger_history(advocate),
    }
    return render(request, "hub/dashboard.html", context)


@require_POST
@advocate_required
def vanity(request, program, advocate):
    """Set or clear the vanity code; with HTMX only the link card is redrawn."""
    link = ensure_link(advocate)
    form = VanityForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            set_vanity_code(link, form.cleaned_data["vanity_code"])
            saved = True
        except ChorusError as error:
            add_service_errors(form, error)
            link.refresh_from_db()
    if not request.htmx:
        if saved:
            return redirect("hub:dashboard", slug=program.slug)
        return render(request, "hub/vanity_page.html", _link_context(program, link, form), status=422)
    context = {**_link_context(program, link, None if saved else form), "saved": saved}
    return render(request, "hub/_link_card.html", context)


def _qr(advocate, kind: str) -> HttpResponse:
    image, content_type = qr_code(_share_url(ensure_link(advocate)), kind)
    response = HttpResponse(image, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_safe
@advocate_required
def qr_svg(request, program, advocate):
    return _qr(advocate, "svg")


@require_safe
@advocate_required
def qr_png(request, program, advocate):
    response = _qr(advocate, "png")
    if "download" in request.GET:
        response["Content-Disposition"] = f'attachment; filename="{program.slug}-qr.png"'
    return response
