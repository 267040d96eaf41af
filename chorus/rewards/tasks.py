from django_tasks import task

from . import services


@task()
def release_reward_task(reward_id: int) -> bool:
    """Runs when a reward's hold ends; does nothing if the reward moved on meanwhile."""
    return services.release_reward(reward_id)


@task()
def release_due_rewards_task() -> int:
    return services.release_due_rewards()
