"""Background tasks of the advocates app: customer imports and health scores."""

from django_tasks import task


@task()
def run_import_task(job_id: int) -> str:
    """Check and import one uploaded CSV; does nothing if the job is not queued any more."""
    from .imports import run_import

    return run_import(job_id)


@task()
def recompute_health_task(program_id: int) -> int:
    """Recompute the health scores of one program's customers and accounts; safe to run twice."""
    from .health import recompute_program_health

    return recompute_program_health(program_id)
