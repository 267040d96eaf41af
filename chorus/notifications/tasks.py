from django_tasks import task

from . import delivery


@task()
def deliver_emails_task(email_ids: list[int]) -> int:
    """Send these queued emails over one SMTP connection; safe to run twice."""
    return delivery.deliver(email_ids)


@task()
def rewards_earned_task(reward_ids: list[int]) -> int:
    """The "reward earned" automation for rewards just issued; fires once per reward."""
    from .automations import fire_rewards_earned

    return fire_rewards_earned(reward_ids)


@task()
def send_expiring_ask_reminders_task() -> int:
    """The "ask about to expire" automations; run it from the maintenance sweep or a scheduler."""
    from .automations import send_expiring_ask_reminders

    return send_expiring_ask_reminders()


@task()
def start_campaign_task(campaign_id: int) -> int:
    from .campaigns import start_campaign

    return start_campaign(campaign_id)


@task()
def decide_campaign_task(campaign_id: int, on_demand: bool = False) -> bool:
    """After the A/B waiting period (or when the marketer asks): pick the winner and send
    it to the rest, once."""
    from chorus.core.errors import Conflict

    from .campaigns import decide_campaign

    try:
        return decide_campaign(campaign_id, on_demand=on_demand) is not None
    except Conflict:  # decided meanwhile, or test emails still going out: the page says so
        return False
