"""Which advocate a conversion belongs to, and why.

Order: click id → promo code → referral code → the friend's earlier attribution →
refer-by-name/email (a claim the friend made on the friend page). The attribution window
bounds clicks and claims; the program's model (first or last touch) picks among the
clicks the same visitor made within the window.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chorus.core import bulk

from ..models import FriendClaim, Referral, ReferralLink

CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Touch:
    link: ReferralLink
    reason: str
    clicked_at: datetime | None = None
    token: str = ""
    visitor: str = ""


def window(program) -> timedelta:
    return timedelta(days=program.attribution_window_days)


def _touch_from_click(batch, token: str, occurred_at: datetime) -> Touch | None:
    click_id = batch.parse_click(token)
    if click_id is None:
        return None
    clicked_at = datetime.fromtimestamp(click_id.clicked_at, UTC)
    if not (occurred_at - window(batch.program) <= clicked_at <= occurred_at + CLOCK_SKEW):
        return None
    link = batch.links_by_id.get(click_id.link_id)
    if link is None:
        return None
    visitor = batch.click_visitors.get(token, "")
    touch = Touch(link=link, reason=Referral.Reason.CLICK, clicked_at=clicked_at, token=token, visitor=visitor)
    return _apply_model(batch, touch, occurred_at) if visitor else touch


def _apply_model(batch, touch: Touch, occurred_at: datetime) -> Touch:
    """Among this visitor's clicks in the window, the first or the last one decides."""
    program = batch.program
    since, until = occurred_at - window(program), occurred_at + CLOCK_SKEW
    clicks = [click for click in batch.visitor_clicks.get(touch.visitor, []) if since <= click[0] <= until]
    if not clicks:
        return touch
    first_touch = program.attribution_model == program.AttributionModel.FIRST_TOUCH
    created_at, _pk, token, link_id = clicks[0] if first_touch else clicks[-1]
    if token == touch.token:
        return touch
    return Touch(link=batch.links_by_id[link_id], reason=Referral.Reason.CLICK, clicked_at=created_at, token=token,
                 visitor=touch.visitor)


def _touch_from_claim(batch, customer, occurred_at: datetime) -> Touch | None:
    if not customer.email_normalized:
        return None
    claim = batch.latest_claim(customer.email_normalized)
    if claim is None or claim.created_at < occurred_at - window(batch.program):
        return None
    link = batch.links_by_advocate.get(claim.advocate_id)
    return Touch(link=link, reason=Referral.Reason.NAME_EMAIL) if link else None


def find_touch(batch, *, occurred_at: datetime, click_id: str = "", promo_code: str = "",
               referral_code: str = "") -> Touch | None:
    """The explicit touch a conversion carries (click, promo code, referral code), if any."""
    if click_id:
        touch = _touch_from_click(batch, click_id, occurred_at)
        if touch:
            return touch
    if promo_code:
        link = batch.link_by_promo_code(promo_code)
        if link:
            return Touch(link=link, reason=Referral.Reason.PROMO_CODE)
    if referral_code:
        link = batch.link_by_referral_code(referral_code)
        if link:
            return Touch(link=link, reason=Referral.Reason.REFERRAL_CODE)
    return None


def _flag_for(batch, customer, touch: Touch, occurred_at: datetime) -> str:
    advocate = touch.link.advocate
    same_email = customer.email_normalized and customer.email_normalized == advocate.email_normalized
    same_id = customer.external_id and customer.external_id == advocate.external_id
    same_browser = touch.visitor and touch.visitor in (advocate.known_visitors or [])
    if same_email or same_id or same_browser:
        return Referral.Flag.SELF_REFERRAL
    touched_at = touch.clicked_at or occurred_at
    earlier_purchase = batch.earlier_purchase(customer, touched_at - CLOCK_SKEW)
    known_before_click = touch.clicked_at is not None and customer.first_seen_at < touch.clicked_at - CLOCK_SKEW
    if earlier_purchase or known_before_click:
        return Referral.Flag.EXISTING_CUSTOMER
    return ""


def attribute(batch, *, customer, occurred_at: datetime, click_id: str = "", promo_code: str = "",
              referral_code: str = "") -> Referral | None:
    """The referral this conversion counts for, creating (and flagging) it in the batch when new.

    `batch` is the ConversionBatch the conversion belongs to: it has read the links, clicks,
    claims and referrals this needs, and holds the referrals earlier events of the batch made."""
    program = batch.program
    touch = find_touch(batch, occurred_at=occurred_at, click_id=click_id, promo_code=promo_code,
                       referral_code=referral_code)
    primary = batch.primary_referral(customer)
    if touch is None:
        if primary:
            return primary
        touch = _touch_from_claim(batch, customer, occurred_at)
        if touch is None:
            return None
    existing = batch.referral_for(customer, touch.link.advocate_id)
    if existing:
        return existing
    flag = Referral.Flag.DUPLICATE_FRIEND if primary else _flag_for(batch, customer, touch, occurred_at)
    return batch.add_referral(bulk.new(
        Referral, program=program, advocate=touch.link.advocate, customer=customer, link=touch.link,
        click_token=touch.token, clicked_at=touch.clicked_at, reason=touch.reason,
        attribution_model=program.attribution_model if touch.reason == Referral.Reason.CLICK else "",
        is_primary=primary is None, flag=flag,
        review=Referral.Review.FLAGGED if flag else Referral.Review.CLEAN,
    ))


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
