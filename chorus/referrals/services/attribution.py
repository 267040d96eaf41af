"""Which advocate a conversion belongs to, and why.

Order: click id → promo code → referral code → the friend's earlier attribution →
refer-by-name/email (a claim the friend made on the friend page). The attribution window
bounds clicks and claims; the program's model (first or last touch) picks among the
clicks the same visitor made within the window.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction

from chorus.core.signing import parse_click_id

from ..models import Click, FriendClaim, Referral, ReferralLink
from .links import find_link_by_promo_code, find_link_by_referral_code

CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Touch:
    link: ReferralLink
    reason: str
    clicked_at: datetime | None = None
    token: str = ""
    visitor: str = ""


def _window(program) -> timedelta:
    return timedelta(days=program.attribution_window_days)


def _touch_from_click(program, token: str, occurred_at: datetime) -> Touch | None:
    click_id = parse_click_id(token)
    if click_id is None or click_id.program_id != program.pk:
        return None
    clicked_at = datetime.fromtimestamp(click_id.clicked_at, UTC)
    if not (occurred_at - _window(program) <= clicked_at <= occurred_at + CLOCK_SKEW):
        return None
    link = ReferralLink.objects.select_related("advocate").filter(pk=click_id.link_id, program=program).first()
    if link is None:
        return None
    row = Click.objects.filter(token=token).values("visitor_hash").first()
    visitor = row["visitor_hash"] if row else ""
    touch = Touch(link=link, reason=Referral.Reason.CLICK, clicked_at=clicked_at, token=token, visitor=visitor)
    return _apply_model(program, touch, occurred_at) if visitor else touch


def _apply_model(program, touch: Touch, occurred_at: datetime) -> Touch:
    """Among this visitor's clicks in the window, the first or the last one decides."""
    clicks = Click.objects.filter(
        program=program, visitor_hash=touch.visitor, is_bot=False,
        created_at__gte=occurred_at - _window(program), created_at__lte=occurred_at + CLOCK_SKEW,
    )
    first_touch = program.attribution_model == program.AttributionModel.FIRST_TOUCH
    chosen = clicks.order_by("created_at", "pk").first() if first_touch else clicks.order_by("-created_at", "-pk").first()
    if chosen is None or chosen.token == touch.token:
        return touch
    link = ReferralLink.objects.select_related("advocate").get(pk=chosen.link_id)
    return Touch(link=link, reason=Referral.Reason.CLICK, clicked_at=chosen.created_at, token=chosen.token, visitor=touch.visitor)


def _touch_from_claim(program, customer, occurred_at: datetime) -> Touch | None:
    if not customer.email_normalized:
        return None
    claim = (
        FriendClaim.objects.filter(
            program=program, friend_email_normalized=customer.email_normalized,
            created_at__gte=occurred_at - _window(program),
        ).select_related("advocate").order_by("-created_at").first()
    )
    if claim is None:
        return None
    link = ReferralLink.objects.select_related("advocate").filter(advocate=claim.advocate).first()
    return Touch(link=link, reason=Referral.Reason.NAME_EMAIL) if link else None


def find_touch(program, *, customer, occurred_at: datetime, click_id: str = "", promo_code: str = "",
               referral_code: str = "") -> Touch | None:
    """The explicit touch a conversion carries (click, promo code, referral code), if any."""
    if click_id:
        touch = _touch_from_click(program, click_id, occurred_at)
        if touch:
            return touch
    if promo_code:
        link = find_link_by_promo_code(program, promo_code)
        if link:
            return Touch(link=link, reason=Referral.Reason.PROMO_CODE)
    if referral_code:
        link = find_link_by_referral_code(program, referral_code)
        if link:
            return Touch(link=link, reason=Referral.Reason.REFERRAL_CODE)
    return None


def _flag_for(program, customer, touch: Touch, occurred_at: datetime) -> str:
    advocate = touch.link.advocate
    same_email = customer.email_normalized and customer.email_normalized == advocate.email_normalized
    same_id = customer.external_id and customer.external_id == advocate.external_id
    same_browser = touch.visitor and touch.visitor in (advocate.known_visitors or [])
    if same_email or same_id or same_browser:
        return Referral.Flag.SELF_REFERRAL
    touched_at = touch.clicked_at or occurred_at
    earlier_purchase = customer.conversions.filter(type="purchase", occurred_at__lt=touched_at - CLOCK_SKEW).exists()
    known_before_click = touch.clicked_at is not None and customer.first_seen_at < touch.clicked_at - CLOCK_SKEW
    if earlier_purchase or known_before_click:
        return Referral.Flag.EXISTING_CUSTOMER
    return ""


def attribute(program, *, customer, occurred_at: datetime, click_id: str = "", promo_code: str = "",
              referral_code: str = "") -> Referral | None:
    """The referral this conversion counts for, creating (and flagging) it when new."""
    touch = find_touch(program, customer=customer, occurred_at=occurred_at, click_id=click_id,
                       promo_code=promo_code, referral_code=referral_code)
    primary = Referral.objects.filter(customer=customer, is_primary=True).select_related("advocate").first()
    if touch is None:
        if primary:
            return primary
        touch = _touch_from_claim(program, customer, occurred_at)
        if touch is None:
            return None
    existing = Referral.objects.filter(customer=customer, advocate=touch.link.advocate).first()
    if existing:
        return existing
    flag = Referral.Flag.DUPLICATE_FRIEND if primary else _flag_for(program, customer, touch, occurred_at)
    try:
        with transaction.atomic():
            return Referral.objects.create(
                program=program, advocate=touch.link.advocate, customer=customer, link=touch.link,
                click_token=touch.token, clicked_at=touch.clicked_at, reason=touch.reason,
                attribution_model=program.attribution_model if touch.reason == Referral.Reason.CLICK else "",
                is_primary=primary is None, flag=flag,
                review=Referral.Review.FLAGGED if flag else Referral.Review.CLEAN,
            )
    except IntegrityError:  # a concurrent conversion of the same friend attributed first
        return attribute(program, customer=customer, occurred_at=occurred_at, click_id=click_id,
                         promo_code=promo_code, referral_code=referral_code)


def record_friend_claim(program, *, friend_email: str, advocate_hint: str) -> FriendClaim | None:
    """The friend names who referred them: an advocate's email, or their exact name if unique."""
    from chorus.advocates.models import Advocate
    from chorus.core.emails import normalize_email

    hint = (advocate_hint or "").strip()
    advocates = Advocate.objects.filter(program=program, status=Advocate.Status.ACTIVE)
    match = advocates.filter(email_normalized=normalize_email(hint)).first() if "@" in hint else None
    if match is None and hint:
        by_name = list(advocates.filter(name__iexact=hint)[:2])
        match = by_name[0] if len(by_name) == 1 else None
    if match is None:
        return None
    return FriendClaim.objects.create(
        program=program, advocate=match, friend_email=friend_email,
        friend_email_normalized=normalize_email(friend_email),
    )
