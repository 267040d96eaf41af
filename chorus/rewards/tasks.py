from django_tasks import task

from . import services


@task()
def release_reward_task(reward_id: int) -> bool:
    """Runs when a reward's hold ends; does nothing if the reward moved on meanwhile."""
    return services.release_reward(reward_id)


@task()
def release_due_rewards_task() -> int:
    return services.release_due_rewards()


@task()
def award_badges_task(advocate_ids: list[int]) -> int:
    """Badges and level-ups for advocates whose points just changed; safe to run twice."""
    from django.db import transaction

    from chorus.advocates.models import Advocate

    from .badges import award_earned_badges

    awarded = 0
    for advocate in Advocate.objects.select_related("program").filter(pk__in=advocate_ids).order_by("pk"):
        with transaction.atomic():
            awarded += len(award_earned_badges(advocate))
    return awarded
