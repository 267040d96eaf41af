"""Rewards: computed from rules when a conversion arrives, held, approved, issued, reversed.

Exactly-once comes from constraints: one reward per (rule, conversion), one ledger entry
per (reward, reason). Every state change is a conditional UPDATE from the state it
expects, so a task delivered twice, or two workers racing, change nothing the second time.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.codes import coupon_code
from chorus.core.errors import Conflict
from chorus.core.models import audit

from .models import LedgerEntry, Reward, RewardRule, Side

logger = logging.getLogger("chorus.rewards")
LIVE = [Reward.Status.PENDING, Reward.Status.APPROVED, Reward.Status.ISSUED]


# --- ledger ----------------------------------------------------------------------------

def post_entry(*, program, unit: str, amount: int, reason: str, advocate=None, customer=None, reward=None,
               currency: str = "", source=None, note: str = "", created_by=None) -> LedgerEntry:
    """Append one ledger entry. Raises IntegrityError if this (reward|source, reason) was posted."""
    return LedgerEntry.objects.create(
        program=program, advocate=advocate, customer=customer, unit=unit, amount=amount,
        currency=currency if unit == LedgerEntry.Unit.CREDIT else "", reason=reason, reward=reward,
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "", note=note[:300], created_by=created_by,
    )


def balance(advocate, unit: str = LedgerEntry.Unit.POINTS) -> int:
    return LedgerEntry.objects.filter(advocate=advocate).balance(unit)


# --- computing rewards -----------------------------------------------------------------

def _events_for(conversion) -> list[str]:
    if conversion.type == "signup":
        return [RewardRule.Event.SIGNUP]
    if conversion.type != "purchase":
        return []
    earlier = conversion.customer.conversions.filter(type="purchase").exclude(pk=conversion.pk).filter(
        Q(occurred_at__lt=conversion.occurred_at) | Q(occurred_at=conversion.occurred_at, pk__lt=conversion.pk)
    )
    return [RewardRule.Event.PURCHASE] if earlier.exists() else [RewardRule.Event.PURCHASE, RewardRule.Event.FIRST_PURCHASE]


def _amount_for(rule: RewardRule, conversion) -> int:
    if rule.kind == RewardRule.Kind.PERCENT:
        return conversion.amount * rule.percent_basis_points // 10_000
    return rule.amount


def _within_limits(rule: RewardRule, conversion, referral) -> bool:
    if conversion.type == "purchase" and conversion.amount < rule.min_purchase_amount:
        return False
    live = Reward.objects.filter(rule=rule, status__in=LIVE)
    if rule.max_purchases is not None and rule.event == RewardRule.Event.PURCHASE:
        if live.filter(conversion__customer=conversion.customer).count() >= rule.max_purchases:
            return False
    if rule.monthly_cap is not None and rule.side == Side.ADVOCATE:
        month_start = conversion.occurred_at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        next_month = (month_start + timedelta(days=32)).replace(day=1)
        this_month = live.filter(advocate=referral.advocate, conversion__occurred_at__gte=month_start,
                                 conversion__occurred_at__lt=next_month)
        if this_month.count() >= rule.monthly_cap:
            return False
    return True


def create_rewards(conversion, referral) -> list[Reward]:
    """The rewards a conversion earns under the program's active rules (call inside a transaction)."""
    from chorus.advocates.models import Advocate

    rules = list(RewardRule.objects.filter(program_id=conversion.program_id, is_active=True, event__in=_events_for(conversion)))
    if not rules:
        return []
    if any(rule.monthly_cap is not None for rule in rules):  # serialise this advocate's capped rewards
        Advocate.objects.select_for_update().filter(pk=referral.advocate_id).first()
    program = conversion.program
    held = conversion.type == "purchase" and program.hold_days > 0
    created = []
    for rule in rules:
        amount = _amount_for(rule, conversion)
        if amount <= 0 or not _within_limits(rule, conversion, referral):
            continue
        reward = Reward(
            program=program, rule=rule, conversion=conversion, referral=referral, side=rule.side,
            advocate=referral.advocate if rule.side == Side.ADVOCATE else None,
            customer=conversion.customer if rule.side == Side.FRIEND else None,
            kind=rule.kind, amount=amount, currency=program.currency if rule.kind != RewardRule.Kind.POINTS else "",
            code=coupon_code() if rule.kind == RewardRule.Kind.COUPON else "",
            hold_until=conversion.occurred_at + timedelta(days=program.hold_days) if held else None,
            status_reason="" if referral.rewardable else "awaiting_review",
        )
        try:
            with transaction.atomic():
                reward.save()
        except IntegrityError:
            continue  # this rule already rewarded this conversion
        created.append(reward)
    now = timezone.now()
    for reward in created:
        if referral.rewardable and (reward.hold_until is None or reward.hold_until <= now):
            _approve_and_issue(reward, now)
        elif reward.hold_until is not None:
            transaction.on_commit(lambda reward=reward: _schedule_release(reward))
    return created


def _schedule_release(reward: Reward) -> None:
    from django_tasks import default_task_backend

    from .tasks import release_reward_task

    if default_task_backend.supports_defer:
        release_reward_task.using(run_after=reward.hold_until).enqueue(reward.pk)


# --- moving rewards --------------------------------------------------------------------

def _approve_and_issue(reward: Reward, now: datetime) -> bool:
    if not Reward.objects.filter(pk=reward.pk, status=Reward.Status.PENDING).update(
        status=Reward.Status.APPROVED, approved_at=now, status_reason="", updated_at=now
    ):
        return False
    if reward.kind != RewardRule.Kind.COUPON:
        unit = LedgerEntry.Unit.POINTS if reward.kind == RewardRule.Kind.POINTS else LedgerEntry.Unit.CREDIT
        post_entry(program=reward.program, unit=unit, amount=reward.amount, reason=LedgerEntry.Reason.REWARD,
                   advocate=reward.advocate, customer=reward.customer, reward=reward, currency=reward.currency,
                   note=reward.rule.name)
    Reward.objects.filter(pk=reward.pk, status=Reward.Status.APPROVED).update(
        status=Reward.Status.ISSUED, issued_at=now, updated_at=now
    )
    # what the two conditional UPDATEs wrote (the row is ours until commit): no re-read needed
    reward.status, reward.status_reason = Reward.Status.ISSUED, ""
    reward.approved_at = reward.issued_at = reward.updated_at = now
    return True


@transaction.atomic
def release_reward(reward_id: int, now: datetime | None = None) -> bool:
    """Approve and issue a pending reward whose hold is over and whose referral is clean."""
    now = now or timezone.now()
    reward = Reward.objects.select_for_update().select_related("referral", "rule", "program").filter(pk=reward_id).first()
    if reward is None or reward.status != Reward.Status.PENDING or not reward.referral.rewardable:
        return False
    if reward.hold_until is not None and reward.hold_until > now:
        return False
    return _approve_and_issue(reward, now)


def release_due_rewards(now: datetime | None = None) -> int:
    """The sweep behind the hold: every pending reward whose hold is over. Safe to run any time."""
    now = now or timezone.now()
    due = Reward.objects.filter(
        status=Reward.Status.PENDING, hold_until__lte=now,
        referral__review__in=["clean", "approved"],
    ).values_list("pk", flat=True)
    return sum(1 for reward_id in list(due) if release_reward(reward_id, now))


def reverse_rewards(conversion, reason: str = "refunded", **details) -> list[Reward]:
    """A refund: deny rewards still held, claw back issued ones with a reversing entry.

    `reason` is a Reward.status_reason code; `details` (e.g. order=…) are kept beside it."""
    now = timezone.now()
    changed = []
    for reward in Reward.objects.select_for_update().select_related("program", "rule").filter(conversion=conversion).order_by("pk"):
        if reward.status in (Reward.Status.PENDING, Reward.Status.APPROVED):
            Reward.objects.filter(pk=reward.pk, status=reward.status).update(
                status=Reward.Status.DENIED, status_reason=reason, status_reason_data=details, closed_at=now, updated_at=now)
        elif reward.status == Reward.Status.ISSUED:
            if reward.kind != RewardRule.Kind.COUPON:
                unit = LedgerEntry.Unit.POINTS if reward.kind == RewardRule.Kind.POINTS else LedgerEntry.Unit.CREDIT
                post_entry(program=reward.program, unit=unit, amount=-reward.amount, reason=LedgerEntry.Reason.CLAWBACK,
                           advocate=reward.advocate, customer=reward.customer, reward=reward,
                           currency=reward.currency)
            Reward.objects.filter(pk=reward.pk, status=Reward.Status.ISSUED).update(
                status=Reward.Status.CLAWED_BACK, status_reason=reason, status_reason_data=details, closed_at=now, updated_at=now)
        else:
            continue
        reward.refresh_from_db()
        changed.append(reward)
    return changed


@transaction.atomic
def review_referral(referral_id: int, *, approve: bool, user, note: str = "", workspace=None):
    """A marketer's decision on a flagged referral; audited. Denial denies its rewards."""
    from chorus.referrals.models import Referral

    referral = Referral.objects.select_for_update().get(pk=referral_id)
    if referral.review != Referral.Review.FLAGGED:
        raise Conflict(_("This referral was already reviewed."))
    referral.review = Referral.Review.APPROVED if approve else Referral.Review.DENIED
    referral.review_note = note
    referral.reviewed_by = user if getattr(user, "is_authenticated", False) else None
    referral.reviewed_at = timezone.now()
    referral.save(update_fields=["review", "review_note", "reviewed_by", "reviewed_at"])
    audit(action="referral.approved" if approve else "referral.denied", target=referral, actor=user,
          workspace=workspace, note=note, flag=referral.flag)
    now = timezone.now()
    pending = Reward.objects.filter(referral=referral, status=Reward.Status.PENDING)
    if not approve:
        pending.update(status=Reward.Status.DENIED, status_reason="review_denied", closed_at=now, updated_at=now)
        return referral
    for reward in pending.select_related("program", "rule"):
        if reward.hold_until is None or reward.hold_until <= now:
            _approve_and_issue(reward, now)
    return referral
