"""Customer pages: list with search and health filter, detail with factors and events, health
weights, and the CSV import flow (upload → mapping → progress → error report)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chorus.advocates.customers import upsert_customer
from chorus.advocates.health import recompute_program_health
from chorus.advocates.models import Customer, HealthSettings, ImportJob
from chorus.advocates.usage import record_usage_event
from chorus.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def customers(program):
    ann, _ = upsert_customer(program, external_id="c1", email="ann@example.com", name="Ann Lee", plan="Pro",
                             revenue=50000, signed_up_at=timezone.now() - timedelta(days=400),
                             attributes={"followers": 5400}, account_name="Initech")
    bob, _ = upsert_customer(program, external_id="c2", email="bob@example.com", name="Bob Roe")
    for day in range(12):
        record_usage_event(ann, "report.created", {"pages": day}, occurred_at=timezone.now() - timedelta(days=day))
    recompute_program_health(program.pk)
    return Customer.objects.get(pk=ann.pk), Customer.objects.get(pk=bob.pk)


def test_list_search_and_health_filter(owner_client, program, customers):
    url = reverse("console:customers", args=[program.slug])
    page = owner_client.get(url)
    assert [c.name for c in page.context["page"].object_list] == ["Ann Lee", "Bob Roe"]  # healthiest first
    assert [c.name for c in owner_client.get(url, {"q": "initech"}).context["page"].object_list] == ["Ann Lee"]
    healthy = owner_client.get(url, {"health": "healthy"}, HTTP_HX_REQUEST="true")
    assert [t.name for t in healthy.templates][0] == "console/customers/_results.html"
    assert [c.name for c in healthy.context["page"].object_list] == ["Ann Lee"]
    assert [c.name for c in owner_client.get(url, {"health": "at_risk"}).context["page"].object_list] == ["Bob Roe"]


def test_detail_explains_the_score(owner_client, program, customers):
    ann, _bob = customers
    response = owner_client.get(reverse("console:customer", args=[program.slug, ann.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    factors = {f["name"]: (f["value"], f["score"]) for f in response.context["factors"]}
    assert factors["activity_30d"] == (12, 84) and factors["plan"] == ("Pro", 50) and factors["tenure"] == (400, 100)
    assert "Usage in the last 30 days" in body and "followers" in body and "report.created" in body
    assert f">{ann.health_score}<" in body


def test_health_weights_are_saved_and_scores_recomputed(owner_client, program, customers,
                                                        django_capture_on_commit_callbacks):
    url = reverse("console:customer_health", args=[program.slug])
    assert owner_client.get(url).status_code == 200
    data = {"weight_activity_30d": 0, "weight_activity_90d": 0, "weight_recency": 0, "weight_revenue": 0,
            "weight_plan": 100, "weight_tenure": 0, "plan_0": 90}
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url, data)
    assert response.status_code == 302
    health = HealthSettings.objects.get(program=program)
    assert (health.weights["plan"], health.plan_scores) == (100, {"pro": 90})
    assert dict(Customer.objects.values_list("external_id", "health_score")) == {"c1": 90, "c2": 0}
    bad = owner_client.post(url, {**data, "weight_plan": 0})
    assert bad.status_code == 422 and "Give at least one factor a weight above 0." in bad.content.decode()


def test_import_flow(owner_client, program, django_capture_on_commit_callbacks):
    imports_url = reverse("console:customer_imports", args=[program.slug])
    assert "is checked before anything is written" in owner_client.get(imports_url).content.decode()
    csv_text = "id,email,plan,Followers\nc1,ann@example.com,Pro,5400\nc2,broken,Free,10\n"
    response = owner_client.post(imports_url, {"file": SimpleUploadedFile("people.csv", csv_text.encode())})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("console:customer_import",
                                                                            args=[program.slug, job.pk])
    mapping_page = owner_client.get(response["Location"])
    assert mapping_page.context["form"]["column_3"].initial == "attribute"
    data = {"delimiter": ",", "column_0": "external_id", "column_1": "email", "column_2": "plan",
            "column_3": "attribute", "key_3": "followers"}
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post(response["Location"], data).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created, job.failed) == ("done", 1, 1)
    progress = owner_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in progress and "1 created, 0 updated, 0 unchanged, 1 rows skipped." in progress
    report = owner_client.get(reverse("console:customer_import_errors", args=[program.slug, job.pk]))
    assert report["Content-Disposition"] == f'attachment; filename="import-{job.pk}-errors.csv"'
    assert b"".join(report.streaming_content).decode("utf-8-sig").splitlines() == [
        "row,column,message", "3,email,Enter a valid email address."]


def test_running_import_page_polls(owner_client, program, owner):
    job = ImportJob.objects.create(program=program, created_by=owner, original_name="x.csv", headers=["id"],
                                   mapping=["external_id"], status="running", total_rows=4000, processed=1000)
    page = owner_client.get(reverse("console:customer_import", args=[program.slug, job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'aria-valuenow="25"' in page and "1,000 of 4,000 rows processed" in page


def test_malformed_upload_shows_the_message_and_stores_nothing(owner_client, program):
    response = owner_client.post(reverse("console:customer_imports", args=[program.slug]),
                                 {"file": SimpleUploadedFile("x.csv", "id\nc1,caf\u00e9\n".encode("latin-1"))})
    assert response.status_code == 422
    assert "The file is not UTF-8 text" in response.content.decode() and not ImportJob.objects.exists()


def test_mapping_without_id_or_email_is_refused(owner_client, program):
    owner_client.post(reverse("console:customer_imports", args=[program.slug]),
                      {"file": SimpleUploadedFile("x.csv", b"name,plan\nAnn,Pro\n")})
    job = ImportJob.objects.get()
    response = owner_client.post(reverse("console:customer_import", args=[program.slug, job.pk]),
                                 {"delimiter": ",", "column_0": "name", "column_1": "plan"})
    assert response.status_code == 422
    assert "Map one column to Customer id or Email" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "mapping" and not Customer.objects.exists()


def test_teammate_reads_but_cannot_import(client, teammate, program):
    client.force_login(teammate)
    url = reverse("console:customer_imports", args=[program.slug])
    assert client.get(url).status_code == 200
    assert client.post(url, {"file": SimpleUploadedFile("x.csv", b"id\nc1\n")}).status_code == 404
    assert not ImportJob.objects.exists()


def test_outsider_gets_404(client, outsider, program, customers, owner):
    ann, _bob = customers
    job = ImportJob.objects.create(program=program, created_by=owner, original_name="x.csv", headers=["id"],
                                   mapping=["external_id"], status="done")
    client.force_login(outsider)
    for url in (reverse("console:customers", args=[program.slug]),
                reverse("console:customer", args=[program.slug, ann.pk]),
                reverse("console:customer_health", args=[program.slug]),
                reverse("console:customer_imports", args=[program.slug]),
                reverse("console:customer_import", args=[program.slug, job.pk])):
        assert client.get(url).status_code == 404, url
    other = factories.make_program(factories.make_workspace(outsider, name="Theirs"), slug="theirs")
    assert client.get(reverse("console:customer", args=[other.slug, ann.pk])).status_code == 404


def test_customer_pages_render_right_to_left_in_arabic(owner_client, program, customers, owner):
    ann, _bob = customers
    job = ImportJob.objects.create(program=program, created_by=owner, original_name="x.csv", headers=["id"],
                                   mapping=["external_id"])
    for url in (reverse("console:customers", args=[program.slug]),
                reverse("console:customer", args=[program.slug, ann.pk]),
                reverse("console:customer_health", args=[program.slug]),
                reverse("console:customer_imports", args=[program.slug]),
                reverse("console:customer_import", args=[program.slug, job.pk])):
        response = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
        assert (response.status_code, '<html lang="ar" dir="rtl">' in response.content.decode()) == (200, True), url
