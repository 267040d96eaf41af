"""The rewards store: what the advocate can redeem, the redeem flow, "My redemptions"."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chorus.core.errors import ChorusError, Conflict
from chorus.rewards import points, redemptions
from chorus.rewards.levels import standing
from chorus.rewards.models import CatalogItem

from ..access import advocate_required
from ..forms import add_service_errors
from ..rewards_forms import RedeemForm


def _store_item(program, item_id: int) -> CatalogItem:
    item = CatalogItem.objects.select_related("min_level").filter(program=program, pk=item_id, is_active=True).first()
    if item is None:
        raise Http404("No such reward")
    return item


def _entry(advocate, item: CatalogItem):
    return next((entry for entry in redemptions.store(advocate) if entry.item.pk == item.pk), None)


@never_cache
@require_safe
@advocate_required
def store(request, program, advocate):
    context = {"program": program, "advocate": advocate, "entries": redemptions.store(advocate),
               "points_balance": points.balance(advocate), "standing": standing(advocate), "hub_tab": "store"}
    return render(request, "hub/store.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@advocate_required
def redeem(request, program, advocate, item_id):
    item = _store_item(program, item_id)
    form = RedeemForm(item, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                redemption, _created = redemptions.redeem(
                    advocate, item, shipping=form.shipping(), cause=form.cleaned_data.get("cause", ""),
                    request_token=form.cleaned_data["token"])
            except Conflict as error:
                form.add_error(None, error.message)
                status = 409
            except ChorusError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _done_message(redemption))
                return redirect("hub:redemptions", slug=program.slug)
    context = {"program": program, "advocate": advocate, "item": item, "form": form,
               "entry": _entry(advocate, item), "points_balance": points.balance(advocate), "hub_tab": "store"}
    return render(request, "hub/redeem.html", context, status=status)


def _done_message(redemption) -> str:
    title = redemption.item.localized_title()
    if redemption.code:
        return _("You redeemed “%(title)s”. Your code is %(code)s.") % {"title": title, "code": redemption.code}
    return _("You redeemed “%(title)s”. We will let you know when it is on its way.") % {"title": title}


@never_cache
@require_safe
@advocate_required
def my_redemptions(request, program, advocate):
    context = {"program": program, "advocate": advocate,
               "redemptions": redemptions.redemptions_for_advocate(advocate)[:200],
               "points_balance": points.balance(advocate), "hub_tab": "redemptions"}
    return render(request, "hub/redemptions.html", context)


@require_POST
@advocate_required
def cancel(request, program, advocate, redemption_id):
    """Cancel one's own redemption while it is still requested; the points come back."""
    redemption = redemptions.redemptions_for_advocate(advocate).filter(pk=redemption_id, advocate=advocate).first()
    if redemption is None:
        raise Http404("No such redemption")
    try:
        redemptions.cancel(redemption.pk, advocate=advocate)
    except ChorusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, ngettext("Cancelled. %(count)s point is back in your balance.",
                                           "Cancelled. %(count)s points are back in your balance.",
                                           redemption.cost_points) % {"count": redemption.cost_points})
    return redirect("hub:redemptions", slug=program.slug)
