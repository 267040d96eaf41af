"""Rewards: computed from rules when a conversion arrives, held, approved, issued, reversed.

Exactly-once comes from constraints: one reward per (rule, conversion), one ledger entry
per (reward, reason). Every state change is a conditional UPDATE from the state it
expects, so a task delivered twice, or two workers racing, change nothing the second time.
"""

import logging
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.analytics import rollups
from chorus.core import bulk
from chorus.core.codes import coupon_code
from chorus.core.errors import Conflict
from chorus.core.models import audit
from chorus.integrations.webhooks_out import EventType, emit_many, payloads

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

def _amount_for(rule: RewardRule, conversion) -> int:
    if rule.kind == RewardRule.Kind.PERCENT:
        return conversion.amount * rule.percent_basis_points // 10_000
    return rule.amount


def _month_of(moment: datetime) -> tuple[datetime, datetime]:
    month_start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return month_start, (month_start + timedelta(days=32)).replace(day=1)


class RewardBook:
    """The rewards of one batch of conversions: the program's rules and the live rewards that
    count against their limits, read once per batch; rewards and ledger entries created in
    memory (so a later conversion of the batch counts the earlier ones) and written in bulk.

    Exactly-once stays with the constraints: one reward per (rule, conversion), one ledger
    entry per (reward, reason). A refused bulk insert raises IntegrityError to the caller."""

    def __init__(self, program, now: datetime):
        self.program, self.now = program, now
        # the queryset's rows in RewardRule's default order (side, event, pk), from SQL written once
        self.rules = bulk.select(RewardRule, "t.program_id = %s AND t.is_active", [program.pk],
                                 order_by="t.side, t.event, t.id")
        self.per_friend: dict[tuple[int, int], int] = {}  # (rule, id(customer)) -> live rewards
        self.per_month: dict[tuple[int, int], list[datetime]] = {}  # (rule, advocate) -> conversion times
        self.new_rewards: list[Reward] = []
        self.new_entries: list[LedgerEntry] = []

    @property
    def locks_advocates(self) -> bool:
        """load() locks the advocates the batch may reward (a rule has a monthly cap)."""
        return any(rule.monthly_cap is not None and rule.side == Side.ADVOCATE for rule in self.rules)

    def load(self, *, customers: dict[int, object], advocate_ids: set[int], times: list[datetime]) -> None:
        """Read the live rewards the limits count, and lock the advocates of capped rules (pk order)."""
        from chorus.advocates.models import Advocate
        from chorus.referrals.models import Conversion

        rewards, conversions = bulk.table(Reward), bulk.table(Conversion)
        live, live_params = bulk.in_list(LIVE)
        friend_rules = [rule.pk for rule in self.rules
                        if rule.max_purchases is not None and rule.event == RewardRule.Event.PURCHASE]
        if friend_rules and customers:
            rules, rules_params = bulk.in_list(friend_rules)
            owners, owners_params = bulk.in_list(customers)
            for rule_id, customer_id in bulk.rows(
                    f"SELECT r.rule_id, c.customer_id FROM {rewards} r INNER JOIN {conversions} c ON c.id = r.conversion_id "
                    f"WHERE r.rule_id IN {rules} AND r.status IN {live} AND c.customer_id IN {owners}",
                    [*rules_params, *live_params, *owners_params]):
                key = (rule_id, id(customers[customer_id]))
                self.per_friend[key] = self.per_friend.get(key, 0) + 1
        capped = [rule.pk for rule in self.rules if rule.monthly_cap is not None and rule.side == Side.ADVOCATE]
        if capped and advocate_ids and times:
            list(Advocate.objects.select_for_update().filter(pk__in=advocate_ids).order_by("pk").values_list("pk"))
            since, until = _month_of(min(times))[0], _month_of(max(times))[1]
            occurred_at = Conversion._meta.get_field("occurred_at")
            rules, rules_params = bulk.in_list(capped)
            advocates, advocates_params = bulk.in_list(advocate_ids)
            for rule_id, advocate_id, moment in bulk.rows(
                    f"SELECT r.rule_id, r.advocate_id, c.occurred_at FROM {rewards} r "
                    f"INNER JOIN {conversions} c ON c.id = r.conversion_id WHERE r.rule_id IN {rules} "
                    f"AND r.status IN {live} AND r.advocate_id IN {advocates} AND c.occurred_at >= %s "
                    "AND c.occurred_at < %s",
                    [*rules_params, *live_params, *advocates_params,
                     *(occurred_at.get_db_prep_value(value, connection) for value in (since, until))],
                    fields=(None, None, occurred_at)):
                self.per_month.setdefault((rule_id, advocate_id), []).append(moment)

    def _within_limits(self, rule: RewardRule, conversion, referral) -> bool:
        if conversion.type == "purchase" and conversion.amount < rule.min_purchase_amount:
            return False
        if rule.max_purchases is not None and rule.event == RewardRule.Event.PURCHASE:
            if self.per_friend.get((rule.pk, id(conversion.customer)), 0) >= rule.max_purchases:
                return False
        if rule.monthly_cap is not None and rule.side == Side.ADVOCATE:
            month_start, next_month = _month_of(conversion.occurred_at)
            this_month = [moment for moment in self.per_month.get((rule.pk, referral.advocate_id), [])
                          if month_start <= moment < next_month]
            if len(this_month) >= rule.monthly_cap:
                return False
        return True

    def _count(self, rule: RewardRule, conversion, advocate_id, delta: int) -> None:
        key = (rule.pk, id(conversion.customer))
        self.per_friend[key] = self.per_friend.get(key, 0) + delta
        if advocate_id is not None:
            moments = self.per_month.setdefault((rule.pk, advocate_id), [])
            if delta > 0:
                moments.append(conversion.occurred_at)
            elif conversion.occurred_at in moments:
                moments.remove(conversion.occurred_at)

    def create(self, conversion, referral, events: list[str], existing: list[Reward] = ()) -> list[Reward]:
        """The rewards a conversion earns under the active rules for its events; approved and
        issued at once when clean and not held (with their ledger entries)."""
        program = self.program
        held = conversion.type == "purchase" and program.hold_days > 0
        rewarded = {reward.rule_id for reward in existing}
        created = []
        for rule in self.rules:
            if rule.event not in events or rule.pk in rewarded:
                continue
            amount = _amount_for(rule, conversion)
            if amount <= 0 or not self._within_limits(rule, conversion, referral):
                continue
            reward = bulk.new(
                Reward, program=program, rule=rule, conversion=conversion, referral=referral, side=rule.side,
                advocate=referral.advocate if rule.side == Side.ADVOCATE else None,
                customer=conversion.customer if rule.side == Side.FRIEND else None,
                kind=rule.kind, amount=amount, currency=program.currency if rule.kind != RewardRule.Kind.POINTS else "",
                code=coupon_code() if rule.kind == RewardRule.Kind.COUPON else "",
                hold_until=conversion.occurred_at + timedelta(days=program.hold_days) if held else None,
                status_reason="" if referral.rewardable else "awaiting_review",
            )
            if referral.rewardable and (reward.hold_until is None or reward.hold_until <= self.now):
                self._issue(reward)
            self._count(rule, conversion, reward.advocate_id, +1)
            self.new_rewards.append(reward)
            created.append(reward)
        return created

    def _issue(self, reward: Reward) -> None:
        """What _approve_and_issue does to a reward the batch has not written yet."""
        reward.status, reward.status_reason = Reward.Status.ISSUED, ""
        reward.approved_at = reward.issued_at = reward.updated_at = self.now
        if reward.kind != RewardRule.Kind.COUPON:
            unit = LedgerEntry.Unit.POINTS if reward.kind == RewardRule.Kind.POINTS else LedgerEntry.Unit.CREDIT
            self.new_entries.append(bulk.new(
                LedgerEntry, program=reward.program, unit=unit, amount=reward.amount, reason=LedgerEntry.Reason.REWARD,
                advocate=reward.advocate, customer=reward.customer, reward=reward,
                currency=reward.currency if unit == LedgerEntry.Unit.CREDIT else "", note=reward.rule.name[:300],
            ))

    def forget(self, reward: Reward, conversion) -> None:
        """A reward of `conversion` stopped being live (a refund): it no longer counts."""
        self._count(reward.rule, conversion, reward.advocate_id, -1)

    def flush(self) -> None:
        """Write the batch's new rewards and ledger entries; schedule held ones after commit."""
        if self.new_rewards:
            bulk.insert(self.new_rewards)
            award_badges_after_commit(reward.advocate_id for reward in self.new_rewards)  # referral badges, points
        if self.new_entries:
            bulk.insert(self.new_entries)
        issued = [reward for reward in self.new_rewards if reward.status == Reward.Status.ISSUED]
        _rewards_issued(issued)
        emit_reward_events(self.program, issued, [EventType.REWARD_APPROVED, EventType.REWARD_ISSUED])
        for reward in self.new_rewards:
            if reward.status == Reward.Status.PENDING and reward.hold_until is not None:
                transaction.on_commit(lambda reward=reward: _schedule_release(reward))
        self.new_rewards, self.new_entries = [], []


def _rewards_issued(rewards) -> None:
    """The "reward earned" email automation, once after commit (E7)."""
    from chorus.notifications.automations import rewards_issued_after_commit

    issued = [reward for reward in rewards if reward.advocate_id is not None]
    if issued:
        rewards_issued_after_commit(issued[0].program_id, [reward.pk for reward in issued])


def award_badges_after_commit(advocate_ids) -> None:
    """Points arrived for these advocates: award badges and level-ups once the points are committed."""
    advocate_ids = sorted({advocate_id for advocate_id in advocate_ids if advocate_id is not None})
    if advocate_ids:
        transaction.on_commit(lambda: _enqueue_badges(advocate_ids))


def _enqueue_badges(advocate_ids: list[int]) -> None:
    from .tasks import award_badges_task

    award_badges_task.enqueue(advocate_ids)


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
        award_badges_after_commit([reward.advocate_id])
    Reward.objects.filter(pk=reward.pk, status=Reward.Status.APPROVED).update(
        status=Reward.Status.ISSUED, issued_at=now, updated_at=now
    )
    # what the two conditional UPDATEs wrote (the row is ours until commit): no re-read needed
    reward.status, reward.status_reason = Reward.Status.ISSUED, ""
    reward.approved_at = reward.issued_at = reward.updated_at = now
    _rewards_issued([reward])
    emit_reward_events(reward.program_id, [reward], [EventType.REWARD_APPROVED, EventType.REWARD_ISSUED])
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
    emit_reward_events(conversion.program_id, [reward for reward in changed if reward.status == Reward.Status.CLAWED_BACK],
                       [EventType.REWARD_CLAWED_BACK])
    return changed


def emit_reward_events(program, rewards: list[Reward], event_types: list[str]) -> None:
    for event_type in event_types:
        emit_many(program, event_type, rewards, lambda reward: (f"reward:{reward.pk}", {"reward": payloads.reward(reward)}))


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
        rollups.referral_denied(referral)  # its conversions leave the dashboard's numbers
        pending.update(status=Reward.Status.DENIED, status_reason="review_denied", closed_at=now, updated_at=now)
        return referral
    for reward in pending.select_related("program", "rule"):
        if reward.hold_until is None or reward.hold_until <= now:
            _approve_and_issue(reward, now)
    return referral
