"""Email links: one-click unsubscribe (RFC 8058), the public preference centre behind the
unsubscribe token, and tracked clicks."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from chorus.core.emails import normalize_email
from chorus.notifications import consent, links
from chorus.notifications.models import ALL_CATEGORIES, Category, Consent

from ..access import advocate_required
from .common import public_rate_limit


def _invalid(request):
    return render(request, "hub/email_link_invalid.html", {}, status=404)


@csrf_exempt  # mail providers POST "List-Unsubscribe=One-Click" without a CSRF token; the signed token authorises
@require_http_methods(["GET", "HEAD", "POST"])
@public_rate_limit("unsubscribe")
def unsubscribe(request, token: str):
    """GET shows a button (link scanners must not unsubscribe anyone); POST unsubscribes."""
    found = links.program_and_address(token)
    if found is None:
        return _invalid(request)
    program, address = found
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        consent.unsubscribe_all(program, address, source=Consent.Source.ONE_CLICK if one_click
                                else Consent.Source.UNSUBSCRIBE_PAGE)
        return render(request, "hub/unsubscribed.html", {"program": program, "token": token, "address": address})
    return render(request, "hub/unsubscribe.html", {"program": program, "token": token, "address": address,
                                                    "subscribed": consent.current_preferences(program, address)[ALL_CATEGORIES]})


@require_http_methods(["GET", "HEAD", "POST"])
@public_rate_limit("email-preferences")
def public_preferences(request, token: str):
    """Per-category choices for anyone holding an email of the program (advocate or not)."""
    found = links.program_and_address(token)
    if found is None:
        return _invalid(request)
    program, address = found
    saved = False
    if request.method == "POST":
        wanted = {category: request.POST.get(category) == "on" for category in Category.values}
        wanted[ALL_CATEGORIES] = True  # saving choices is a fresh, explicit consent
        consent.set_preferences(program, address, wanted, source=Consent.Source.PREFERENCE_CENTRE)
        saved = True
    return render(request, "hub/email_preferences_public.html", {
        "program": program, "token": token, "address": address, "saved": saved,
        "choices": _choices(consent.current_preferences(program, address))})


def _choices(preferences: dict) -> list[tuple[str, str, bool]]:
    return [(category, label, preferences[category]) for category, label in Category.choices]


@require_http_methods(["GET", "HEAD"])
def click(request, token: str):
    url = links.follow_click(token)
    if url is None:
        return _invalid(request)
    return HttpResponseRedirect(url)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@advocate_required
def hub_preferences(request, program, advocate):
    """The advocate's preference centre: which categories of program email they want."""
    address = normalize_email(advocate.email)
    if request.method == "POST":
        wanted = {category: request.POST.get(category) == "on" for category in Category.values}
        wanted[ALL_CATEGORIES] = True  # saving choices is a fresh, explicit consent
        consent.set_preferences(program, address, wanted, source=Consent.Source.HUB)
        messages.success(request, _("Your email choices are saved."))
        return redirect("hub:email_preferences", slug=program.slug)
    preferences = consent.current_preferences(program, address)
    return render(request, "hub/email_preferences.html", {
        "program": program, "advocate": advocate, "choices": _choices(preferences),
        "unsubscribed": not preferences[ALL_CATEGORIES]})
