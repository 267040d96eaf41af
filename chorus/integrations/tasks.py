"""Tasks of the integrations app (django-tasks finds them by module path)."""

from .webhooks_out.tasks import deliver_task, fan_out_task, replay_task

__all__ = ["deliver_task", "fan_out_task", "replay_task"]
