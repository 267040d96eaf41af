from django_tasks import task

from . import surveys


@task()
def email_survey_task(survey_id: int) -> int:
    """Queue the NPS survey email of each recipient not emailed yet; safe to run twice."""
    return surveys.email_pending_sends(survey_id)
