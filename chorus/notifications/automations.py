"""Automations (E7): when something happens to a person, send them the chosen template.

Triggers are called explicitly by the part where the thing happens (no signals):
- "promoter": the NPS part, when an answer makes a customer a promoter;
- "milestone": `campaigns.services.events.record_event`, for each new event;
- "reward_earned": the rewards path, once after commit for the rewards it issued;
- "ask_expiring": the scheduled sweep `send_expiring_ask_reminders` (maintenance command).

Each firing is stored once per (automation, occurrence) by a unique key, so a retried
event, a re-run sweep or a duplicate call sends nothing twice."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from chorus.core.errors import InvalidInput

from .marketing import pick_language, send_marketing_email
from .models import Automation, AutomationRun, EmailTemplate

logger = logging.getLogger("chorus.notifications")


def _hub_url(program, name: str = "hub:dashboard", **kwargs) -> str:
    return settings.CHORUS_BASE_URL + reverse(name, kwargs={"slug": program.slug, **kwargs})


def _person(advocate, customer):
    person = advocate or customer
    if person is None or not getattr(person, "email", ""):
        return None
    return person


def _default_occurrence(trigger: str, advocate, customer) -> str:
    person = f"advocate:{advocate.pk}" if advocate is not None else f"customer:{customer.pk}"
    return f"{trigger}:{person}"


def fire(program, trigger: str, *, customer=None, advocate=None, occurrence: str = "", context: dict | None = None,
         event_name: str = "") -> list:
    """Send the templates of the program's active automations for `trigger` to the person.

    `occurrence` names what happened (e.g. "event:42", "reward:7"); each automation fires
    once per occurrence (default: once per person for the trigger). Returns the emails
    queued (suppressed or capped ones are left out)."""
    if trigger not in Automation.Trigger.values:
        raise ValueError(f"unknown automation trigger {trigger!r}")
    person = _person(advocate, customer)
    if person is None:
        return []
    automations = Automation.objects.filter(program=program, trigger=trigger, is_active=True).select_related("template")
    if trigger == Automation.Trigger.MILESTONE:
        automations = automations.filter(Q(event_name="") | Q(event_name=event_name))
    occurrence = (occurrence or _default_occurrence(trigger, advocate, customer))[:200]
    values = {"link": _hub_url(program) if advocate is not None else _hub_url(program, "hub:landing"),
              **(context or {})}
    sent = []
    for automation in automations.order_by("pk"):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    run = AutomationRun.objects.create(automation=automation, occurrence=occurrence)
            except IntegrityError:
                continue  # already fired for this occurrence
            email = send_marketing_email(program, to_email=person.email, name=getattr(person, "name", ""),
                                         template_key=automation.template.key, template=automation.template,
                                         context=values, advocate=advocate, customer=customer,
                                         tracking_key=f"automation:{automation.pk}")
            if email is not None:
                run.email = email
                run.save(update_fields=["email"])
                sent.append(email)
    return sent


# --- reward earned (called once after commit by the rewards path) ----------------------

def rewards_issued_after_commit(program_id: int, reward_ids: list[int]) -> None:
    """For the rewards path: after commit, email the "reward earned" automation's template."""
    reward_ids = sorted(set(reward_ids))
    if reward_ids:
        transaction.on_commit(lambda: _enqueue_rewards(program_id, reward_ids))


def _enqueue_rewards(program_id: int, reward_ids: list[int]) -> None:
    if not Automation.objects.filter(program_id=program_id, trigger=Automation.Trigger.REWARD_EARNED,
                                     is_active=True).exists():
        return  # the common case: no automation, no task
    from .tasks import rewards_earned_task

    rewards_earned_task.enqueue(reward_ids)


def fire_rewards_earned(reward_ids: list[int]) -> int:
    from chorus.programs.currencies import minor_unit_exponent
    from chorus.rewards.models import Reward, RewardRule
    from chorus.rewards.points import balance

    fired = 0
    rewards = (Reward.objects.select_related("program", "advocate", "rule")
               .filter(pk__in=reward_ids, status=Reward.Status.ISSUED, advocate__isnull=False).order_by("pk"))
    for reward in rewards:
        language = pick_language("", reward.advocate)
        with translation.override(language):
            if reward.kind == RewardRule.Kind.POINTS:
                what = _("%(points)s points") % {"points": formats.number_format(reward.amount)}
            elif reward.kind == RewardRule.Kind.COUPON:
                what = _("a discount code")
            else:
                exponent = minor_unit_exponent(reward.currency or reward.program.currency)
                amount = formats.number_format(reward.amount / 10 ** exponent, exponent)
                what = f"{amount} {reward.currency or reward.program.currency}"
        context = {"reward": what, "points": balance(reward.advocate), "link": _hub_url(reward.program, "hub:progress")}
        fired += len(fire(reward.program, Automation.Trigger.REWARD_EARNED, advocate=reward.advocate,
                          occurrence=f"reward:{reward.pk}", context=context))
    return fired


# --- ask about to expire (scheduled) ----------------------------------------------------

def send_expiring_ask_reminders(now=None) -> int:
    """Remind advocates of asks they can still do that end within the automation's hours."""
    from chorus.advocates.models import Advocate
    from chorus.campaigns.models import Ask
    from chorus.campaigns.services.asks import asks_for_advocate

    now = now or timezone.now()
    sent = 0
    for automation in (Automation.objects.filter(trigger=Automation.Trigger.ASK_EXPIRING, is_active=True)
                       .select_related("program", "template").order_by("pk")):
        program, horizon = automation.program, now + timedelta(hours=automation.hours_before)
        if not Ask.objects.filter(program=program, status=Ask.Status.PUBLISHED).filter(
                Q(ends_at__gt=now, ends_at__lte=horizon) | Q(openings__closes_at__gt=now,
                                                             openings__closes_at__lte=horizon)).exists():
            continue
        for advocate in Advocate.objects.filter(program=program, status=Advocate.Status.ACTIVE).order_by("pk"):
            for card in asks_for_advocate(advocate, now):
                if not card.can_act or card.my_completions or card.ends_at is None or card.ends_at > horizon:
                    continue
                language = pick_language("", advocate)
                with translation.override(language):
                    deadline = formats.date_format(timezone.localtime(card.ends_at), "DATETIME_FORMAT")
                context = {"ask": card.ask.localized_title(language), "deadline": f"{deadline} UTC",
                           "link": _hub_url(program, "hub:ask_detail", ask_id=card.ask.pk)}
                sent += len(fire(program, Automation.Trigger.ASK_EXPIRING, advocate=advocate,
                                 occurrence=f"ask:{card.ask.pk}:advocate:{advocate.pk}", context=context))
    return sent


# --- configuring ------------------------------------------------------------------------

def save_automation(program, *, trigger: str, template_id, is_active: bool, event_name: str = "",
                    hours_before: int = 48, automation: Automation | None = None) -> Automation:
    errors: dict[str, list[str]] = {}
    if trigger not in Automation.Trigger.values:
        errors["trigger"] = [_("Choose one of the triggers offered.")]
    template = EmailTemplate.objects.filter(program=program, pk=template_id).first() if str(template_id).isdigit() else None
    if template is None:
        errors["template"] = [_("Choose one of this program's templates.")]
    if not isinstance(hours_before, int) or not 1 <= hours_before <= 720:
        errors["hours_before"] = [_("Between 1 and 720 hours.")]
    if len(event_name or "") > 100:
        errors["event_name"] = [_("At most 100 characters.")]
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), field_errors=errors)
    automation = automation or Automation(program=program)
    automation.trigger, automation.template, automation.is_active = trigger, template, bool(is_active)
    automation.event_name = (event_name or "").strip() if trigger == Automation.Trigger.MILESTONE else ""
    automation.hours_before = hours_before
    automation.save()
    return automation
