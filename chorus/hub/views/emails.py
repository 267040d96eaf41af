"""Email links: one-click unsubscribe (RFC 8058), the public preference centre behind the
unsubscribe token, and tracked clicks."""

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from chorus.notifications import consent, links
from chorus.notifications.models import ALL_CATEGORIES, Category, Consent


def _invalid(request):
    return render(request, "hub/email_link_invalid.html", {}, status=404)


@csrf_exempt  # mail providers POST "List-Unsubscribe=One-Click" without a CSRF token; the signed token authorises
@require_http_methods(["GET", "HEAD", "POST"])
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
