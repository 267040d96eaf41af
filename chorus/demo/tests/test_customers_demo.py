"""The demo's customers: profiles with social attributes, prospects, usage and health scores;
and the sample CSV imports as the import page promises."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from chorus.advocates.imports import queue_import, start_import
from chorus.advocates.models import Customer, UsageEvent
from chorus.demo.seed import seed_demo

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "customers_sample.csv"


def test_demo_customers_have_profiles_usage_and_health(db):
    demo = seed_demo(base_url="http://127.0.0.1:8123")
    customers = Customer.objects.filter(program=demo.program)
    assert customers.count() >= 200
    assert not customers.filter(health_score__isnull=True).exists()
    assert customers.filter(plan="Enterprise").exists() and customers.filter(attributes__has_key="followers").count() == \
        customers.count()
    star = customers.get(email_normalized=demo.star.email_normalized)
    assert star.account_id == demo.star.account_id and star.plan
    assert UsageEvent.objects.filter(program=demo.program).count() > 500
    scores = set(customers.values_list("health_score", flat=True))
    assert min(scores) < 40 and max(scores) >= 70  # every band has someone to look at


def test_sample_csv_imports_with_one_reported_row(program, owner, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    job = start_import(program, owner, SimpleUploadedFile("customers_sample.csv", SAMPLE.read_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        queue_import(job, job.mapping)
    job.refresh_from_db()
    assert (job.status, job.created, job.failed) == ("done", 20, 1)
    assert Customer.objects.get(external_id="crm_2000").attributes["country"] == "DE"
