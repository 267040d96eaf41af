from django_tasks import task


@task()
def deliver_task(delivery_id: int) -> str | None:
    """Send one webhook delivery if it is due; a duplicate or late task finds it claimed and stops."""
    from .delivery import deliver

    return deliver(delivery_id)


@task()
def replay_task(delivery_id: int) -> str | None:
    """A marketer's replay: the attempt is logged as manual."""
    from .delivery import deliver
    from .models import Attempt

    return deliver(delivery_id, trigger=Attempt.Trigger.MANUAL)


@task()
def fan_out_task(delivery_ids: list[int]) -> int:
    """Enqueue one delivery task each for a large set of new deliveries."""
    from .delivery import enqueue_each

    enqueue_each(delivery_ids)
    return len(delivery_ids)
