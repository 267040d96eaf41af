"""The demo merchant: a small SaaS store that includes the Chorus snippet.

Its pages play the merchant's site: a landing page with a sign-up form, a buy page and an
order page with a refund button. Its server side records conversions as a real merchant
back end would, with the click id the snippet kept in the `chorus_click` cookie.
"""

from dataclasses import asdict

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from chorus.core.errors import ChorusError, NotFound

from . import shop
from .forms import BuyForm, SignupForm

SESSION_KEY = "demo_shop"


def money(cents: int, currency: str = "USD") -> str:
    amount = f"{cents / 100:,.2f}"
    return f"${amount}" if currency == "USD" else f"{amount} {currency}"


def _state(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _save_state(request, **changes) -> None:
    request.session[SESSION_KEY] = {**_state(request), **changes}


def _tracking(request) -> dict:
    """The click id and typed referral code: this page's URL, else the snippet's cookies."""
    return {
        "chorus_click": shop.clean_tracking_value(request.GET.get("chorus_click") or request.COOKIES.get("chorus_click", "")),
        "chorus_ref": shop.clean_tracking_value(request.GET.get("ref") or request.COOKIES.get("chorus_ref", "")),
    }


def _unavailable(request, error: ChorusError):
    return render(request, "demo/unavailable.html", {"message": error.message}, status=error.status_code)


def _plans(program) -> list[dict]:
    return [{"plan": plan, "price": money(plan.price, program.currency)} for plan in shop.PLANS.values()]


def _discount_context(state: dict) -> dict:
    discount = state.get("discount")
    if not discount:
        return {"discount": None}
    return {"discount": {**discount, "value": money(discount["amount"])}}


@require_GET
def landing(request):
    tracking = _tracking(request)
    try:
        program = shop.shop_program(tracking["chorus_click"], _state(request).get("program", ""))
    except NotFound as error:
        return _unavailable(request, error)
    form = SignupForm(initial=tracking)
    return render(request, "demo/shop.html", {"program": program, "form": form, "plans": _plans(program),
                                              "customer": _state(request).get("customer")})


@require_POST
def signup(request):
    form = SignupForm(request.POST)
    valid = form.is_valid()
    tracking = form.cleaned_data if valid else {}
    click_id = tracking.get("chorus_click") or shop.clean_tracking_value(request.COOKIES.get("chorus_click", ""))
    try:
        program = shop.shop_program(click_id)
    except NotFound as error:
        return _unavailable(request, error)
    if valid:
        try:
            result, discount = shop.sign_up(
                program, email=form.cleaned_data["email"], name=form.cleaned_data["name"], click_id=click_id,
                referral_code=tracking["chorus_ref"] or shop.clean_tracking_value(request.COOKIES.get("chorus_ref", "")),
                promo_code=form.cleaned_data["promo_code"],
            )
        except ChorusError as error:
            form.add_error(None, error.message)
        else:
            customer = result.conversion.customer
            _save_state(request, program=program.slug, click_id=click_id, last_order=None,
                        customer={"id": customer.external_id, "email": customer.email, "name": customer.name},
                        discount=asdict(discount) if discount else None)
            return redirect("demo:welcome")
    return render(request, "demo/shop.html", {"program": program, "form": form, "plans": _plans(program)}, status=422)


def _signed_up(view):
    """Pages for a customer who signed up in this browser; others go back to the landing page."""
    def wrapper(request, *args, **kwargs):
        state = _state(request)
        if not state.get("customer"):
            return redirect("demo:landing")
        try:
            program = shop.shop_program(slug=state.get("program", ""))
        except NotFound as error:
            return _unavailable(request, error)
        return view(request, program, state, *args, **kwargs)
    wrapper.__name__ = view.__name__
    return wrapper


@require_GET
@_signed_up
def welcome(request, program, state):
    context = {"program": program, "customer": state["customer"], **_discount_context(state)}
    return render(request, "demo/welcome.html", context)


@_signed_up
def buy(request, program, state):
    form = BuyForm(request.POST or None, initial={"plan": request.GET.get("plan", "team")})
    if request.method == "POST" and form.is_valid():
        discount = shop.FriendDiscount(**state["discount"]) if state.get("discount") else None
        try:
            order = shop.place_order(program, customer_id=state["customer"]["id"], click_id=state.get("click_id", ""),
                                     plan=shop.PLANS[form.cleaned_data["plan"]], discount=discount)
        except ChorusError as error:
            form.add_error(None, error.message)
        else:
            _save_state(request, last_order={
                "order_id": order.order_id, "plan": order.plan.slug, "price": order.price,
                "discount": order.discount, "charged": order.charged, "refunded": False,
            })
            return redirect("demo:order")
    selected = form["plan"].value() or "team"
    context = {"program": program, "customer": state["customer"], "form": form, "plans": _plans(program),
               "selected": selected, **_discount_context(state)}
    return render(request, "demo/buy.html", context, status=422 if form.errors else 200)


@require_GET
@_signed_up
def order(request, program, state):
    last = state.get("last_order")
    if not last:
        return redirect("demo:buy")
    context = {
        "program": program, "customer": state["customer"], "order": last, "plan": shop.PLANS[last["plan"]],
        "price": money(last["price"], program.currency), "charged": money(last["charged"], program.currency),
        "reduction": money(last["discount"], program.currency), **_discount_context(state),
    }
    return render(request, "demo/order.html", context)


@require_POST
@_signed_up
def refund(request, program, state):
    last = state.get("last_order")
    if not last:
        return redirect("demo:buy")
    try:
        shop.refund(program, order_id=last["order_id"])
    except ChorusError as error:
        return _unavailable(request, error)
    _save_state(request, last_order={**last, "refunded": True})
    return redirect("demo:order")


@require_POST
def sign_out(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("demo:landing")
