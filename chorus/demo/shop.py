"""The demo merchant's back end: what a real store's server does with Chorus.

A real merchant reads the click id the snippet kept in its first-party cookie (or the
hidden field the snippet added to the form) and posts the conversion to the Chorus API.
The demo shop lives in the same process, so it calls `record_conversion` directly, with
the same trust ("server") and the same fields the API would carry.
"""

import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import unquote

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chorus.core.emails import normalize_email
from chorus.core.errors import NotFound
from chorus.core.signing import parse_click_id
from chorus.programs.models import Program
from chorus.referrals.models import Conversion
from chorus.referrals.services.conversions import (
    ConversionInput,
    ConversionResult,
    record_conversion,
)
from chorus.rewards.models import Reward, RewardRule, Side

from .seed import DEMO_SLUG, TEAM_SLUG

SHOP_PROGRAMS = (DEMO_SLUG, TEAM_SLUG)


@dataclass(frozen=True)
class Plan:
    slug: str
    name: str
    price: int  # cents per month
    blurb: str


PLANS = {
    plan.slug: plan
    for plan in (
        Plan("starter", gettext_lazy("Starter"), 2900, gettext_lazy("3 dashboards, 1 data source, email support")),
        Plan("team", gettext_lazy("Team"), 9900, gettext_lazy("Unlimited dashboards, 10 data sources, shared alerts")),
        Plan("business", gettext_lazy("Business"), 29900, gettext_lazy("SSO, audit log, a named success manager")),
    )
}


@dataclass(frozen=True)
class FriendDiscount:
    code: str
    amount: int
    status: str

    @property
    def usable(self) -> bool:
        return self.status == Reward.Status.ISSUED


@dataclass(frozen=True)
class Order:
    order_id: str
    plan: Plan
    price: int
    discount: int
    charged: int
    conversion: Conversion


def clean_tracking_value(value: str) -> str:
    """A cookie the snippet wrote (URI-encoded), or a form field: trimmed and bounded."""
    return unquote(value or "").strip()[:100]


def shop_program(click_id: str = "", slug: str = "") -> Program:
    """The demo program a visitor belongs to: the one their click id names, else the customer program."""
    parsed = parse_click_id(click_id) if click_id else None
    programs = Program.objects.filter(slug__in=SHOP_PROGRAMS, is_active=True)
    program = None
    if parsed is not None:
        program = programs.filter(pk=parsed.program_id).first()
    program = program or programs.filter(slug=slug or DEMO_SLUG).first() or programs.filter(slug=DEMO_SLUG).first()
    if program is None:
        raise NotFound(_("The demo has not been set up. Run “chorus demo” (or “manage.py seed_demo”)."))
    return program


def customer_id_for(email: str) -> str:
    """The shop's own customer id: stable per mailbox, like a merchant's user id."""
    return "shop_" + hashlib.sha256(normalize_email(email).encode()).hexdigest()[:16]


def friend_discount(result: ConversionResult) -> FriendDiscount | None:
    for reward in result.rewards:
        if reward.side == Side.FRIEND and reward.kind == RewardRule.Kind.COUPON and reward.code:
            return FriendDiscount(code=reward.code, amount=reward.amount, status=reward.status)
    return None


def sign_up(program: Program, *, email: str, name: str, click_id: str = "", referral_code: str = "",
            promo_code: str = "") -> tuple[ConversionResult, FriendDiscount | None]:
    """A new account at the shop: the signup conversion, and the friend's welcome discount if any."""
    result = record_conversion(program, ConversionInput(
        type=Conversion.Type.SIGNUP, customer_external_id=customer_id_for(email), email=email, name=name,
        click_id=click_id, referral_code=referral_code, promo_code=promo_code,
        metadata={"source": "chorus demo shop"},
    ))
    return result, friend_discount(result)


def place_order(program: Program, *, customer_id: str, plan: Plan, discount: FriendDiscount | None,
                click_id: str = "") -> Order:
    """A purchase of one month of `plan`; the welcome discount applies to the first order."""
    first_order = not Conversion.objects.filter(program=program, customer__external_id=customer_id,
                                                type=Conversion.Type.PURCHASE).exists()
    reduction = min(discount.amount, plan.price) if (discount and discount.usable and first_order) else 0
    order_id = f"demo-{secrets.token_hex(5)}"
    result = record_conversion(program, ConversionInput(
        type=Conversion.Type.PURCHASE, customer_external_id=customer_id, click_id=click_id,
        amount=plan.price - reduction, currency=program.currency, order_id=order_id,
        metadata={"plan": plan.slug, "discount_code": discount.code if reduction else ""},
    ))
    return Order(order_id=order_id, plan=plan, price=plan.price, discount=reduction,
                 charged=plan.price - reduction, conversion=result.conversion)


def refund(program: Program, *, order_id: str) -> ConversionResult:
    """The merchant refunds an order: Chorus denies held rewards and claws back issued ones."""
    return record_conversion(program, ConversionInput(type=Conversion.Type.REFUND, order_id=order_id))
