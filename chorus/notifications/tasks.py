from django_tasks import task

from . import delivery


@task()
def deliver_emails_task(email_ids: list[int]) -> int:
    """Send these queued emails over one SMTP connection; safe to run twice."""
    return delivery.deliver(email_ids)
