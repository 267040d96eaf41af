"""The click: `/r/<code>` and `/r/<program-slug>/<vanity>`.

Lightweight on purpose: no session, no form; the only parameter read is `c`, the id of a
content-vault item of the link's own program (a share of that item). The target comes only
from the link, its program and that item, so no parameter can redirect elsewhere.
"""

import logging

from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe

from chorus.core.ratelimit import client_ip_from_environ
from chorus.programs.models import Program
from chorus.referrals.models import ReferralLink
from chorus.referrals.services.clicks import ClickOutcome, append_click_id, handle_click

logger = logging.getLogger("chorus.hub")
_NO_STORE = "no-store, max-age=0"


def click_client(request) -> dict:
    """What handle_click records about the browser: the socket's IP, User-Agent, Referer."""
    meta = request.META
    return {
        "ip": client_ip_from_environ(meta),
        "user_agent": meta.get("HTTP_USER_AGENT", "")[:512],
        "referrer": meta.get("HTTP_REFERER", "")[:500],
    }


def _uncached(response):
    response["Cache-Control"] = _NO_STORE
    response["X-Robots-Tag"] = "noindex"
    return response


def _page(request, template: str, context: dict, status: int):
    return _uncached(render(request, template, context, status=status))


def _try_again_page(request):
    response = _page(request, "hub/try_again.html", {}, status=503)
    response["Retry-After"] = "30"
    return response


def _gone_page(request, target):
    program = Program.objects.filter(pk=target.program_id, is_active=True).only("name", "slug").first()
    return _page(request, "hub/link_gone.html", {"program": program}, status=410)


def _friend_page(request, outcome: ClickOutcome):
    link = ReferralLink.objects.select_related("advocate", "program").filter(pk=outcome.target.link_id).first()
    if link is None:
        return _page(request, "hub/link_missing.html", {}, status=404)
    context = {
        "program": link.program, "advocate": link.advocate, "link": link,
        "continue_url": append_click_id(outcome.destination, outcome.token),
    }
    return _page(request, "hub/friend.html", context, status=200)


def click_response(request, outcome: ClickOutcome, *, friend_page_seen: bool = False):
    """The answer to a handled click: the redirect, the friend page, or a friendly error page."""
    if outcome.status == 200 and friend_page_seen:
        return _uncached(HttpResponseRedirect(append_click_id(outcome.destination, outcome.token)))
    if outcome.status == 302:
        return _uncached(HttpResponseRedirect(outcome.location))
    try:
        if outcome.status == 200:
            return _friend_page(request, outcome)
        if outcome.status == 410:
            return _gone_page(request, outcome.target)
    except DatabaseError:
        logger.exception("could not render the page for link %s", outcome.target.link_id)
        return _try_again_page(request)
    if outcome.status == 404:
        return _page(request, "hub/link_missing.html", {}, status=404)
    return _try_again_page(request)


@require_safe
def click(request, code: str):
    return click_response(request, handle_click(code, record=request.method == "GET", content=request.GET.get("c", ""),
                                                **click_client(request)))


@require_safe
def vanity_click(request, slug: str, vanity: str):
    return click_response(request, handle_click(f"{slug}/{vanity}", record=request.method == "GET",
                                                content=request.GET.get("c", ""), **click_client(request)))
