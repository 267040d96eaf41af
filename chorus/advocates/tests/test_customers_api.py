"""Customers API: upsert one, bulk upsert (per-item results, limits, idempotency), list, read;
and product-usage events through POST /events."""

import pytest
from django.utils import timezone

from chorus.advocates.customers import upsert_customer
from chorus.advocates.models import Account, Customer, UsageEvent
from chorus.campaigns.models import AdvocateEvent
from chorus.testing import factories
from chorus.testing.api_client import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key)


def test_upsert_by_external_id_then_email(program):
    customer, created = upsert_customer(program, external_id="c1", email="Ann@Example.com", name="Ann",
                                        attributes={"followers": 10})
    assert created and (customer.email_normalized, customer.attributes) == ("ann@example.com", {"followers": 10})
    same, created = upsert_customer(program, external_id="c1", plan="Pro", attributes={"posts_per_month": 4})
    assert (same.pk, created, same.plan, same.name) == (customer.pk, False, "Pro", "Ann")
    assert same.attributes == {"followers": 10, "posts_per_month": 4}
    by_email, created = upsert_customer(program, email="ann@example.com", language="de-DE")
    assert (by_email.pk, created, by_email.language) == (customer.pk, False, "de")
    # an email-only customer is adopted by the first row that gives it an id
    loose, _ = upsert_customer(program, email="bob@example.com")
    adopted, created = upsert_customer(program, external_id="c2", email="bob@example.com")
    assert (adopted.pk, created, adopted.external_id) == (loose.pk, False, "c2")
    assert Customer.objects.count() == 2


def test_unchanged_upsert_does_not_touch_updated_at(program):
    customer, _ = upsert_customer(program, external_id="c1", email="a@example.com", revenue=500)
    stamp = Customer.objects.get(pk=customer.pk).updated_at
    again, created = upsert_customer(program, external_id="c1", email="a@example.com", revenue=500)
    assert not created and Customer.objects.get(pk=customer.pk).updated_at == stamp


def test_single_upsert_endpoint(api, program):
    body = {"external_id": "cus_1", "email": "jane@example.org", "name": "Jane", "plan": "Pro", "revenue": 129900,
            "signed_up_at": "2025-03-01T00:00:00Z", "account_name": "Initech", "account_domain": "https://www.initech.com/",
            "attributes": {"followers": 5400, "industry": "fintech"}}
    first = api.post("/customers", body)
    assert first.status_code == 201
    data = first.json()
    assert (data["outcome"], data["revenue"], data["currency"], data["account"]["domain"], data["attributes"]) == \
        ("created", 129900, "USD", "initech.com", {"followers": 5400, "industry": "fintech"})
    again = api.post("/customers", body)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    changed = api.post("/customers", {"external_id": "cus_1", "plan": "Enterprise"})
    assert (changed.status_code, changed.json()["outcome"], changed.json()["name"]) == (200, "updated", "Jane")
    assert Account.objects.filter(program=program).count() == 1
    got = api.get(f"/customers/{data['id']}").json()
    assert (got["plan"], got["health_score"]) == ("Enterprise", None)
    assert api.get("/customers?email=JANE@example.org").json()["items"][0]["id"] == data["id"]


def test_single_upsert_refuses_bad_fields_and_writes_nothing(api):
    response = api.post("/customers", {"name": "Nobody"})
    assert response.status_code == 422
    assert response.json()["field_errors"] == {"email": ["Give a customer id or an email address."]}
    bad = api.post("/customers", {"email": "not-an-email", "language": "Deutsch!", "revenue": 12.5,
                                  "attributes": {"Bad Key": 1}})
    assert bad.status_code == 422
    assert set(bad.json()["field_errors"]) == {"revenue"}  # schema errors first
    bad = api.post("/customers", {"email": "not-an-email", "language": "Deutsch!", "attributes": {"Bad Key": 1}})
    assert set(bad.json()["field_errors"]) == {"email", "language", "attributes"}
    assert not Customer.objects.exists()


def test_bulk_upsert_reports_each_row(api, program):
    items = [{"external_id": f"c{i}", "email": f"c{i}@example.com", "attributes": {"followers": i}} for i in range(5)]
    items.insert(2, {"email": "broken"})
    items.append({"external_id": "c1", "plan": "Pro"})  # the same customer again, later in the batch
    response = api.post("/customers/bulk", {"customers": items}, idempotency_key="bulk-1")
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["failed"]) == (5, 1, 0, 1)
    assert [(r["index"], r["ok"], r["status"], r["outcome"]) for r in body["results"]][1:4] == \
        [(1, True, 201, "created"), (2, False, 422, None), (3, True, 201, "created")]
    assert body["results"][2]["error"]["field_errors"] == {"email": ["Enter a valid email address."]}
    assert Customer.objects.get(external_id="c1").plan == "Pro"
    replay = api.post("/customers/bulk", {"customers": items}, idempotency_key="bulk-1")
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == body
    rerun = api.post("/customers/bulk", {"customers": items}).json()
    assert (rerun["created"], rerun["updated"], rerun["unchanged"], rerun["failed"]) == (0, 0, 6, 1)
    assert Customer.objects.count() == 5


def test_bulk_limits(api):
    too_many = api.post("/customers/bulk", {"customers": [{"email": f"x{i}@example.com"} for i in range(1001)]})
    assert too_many.status_code == 422
    assert too_many.json()["field_errors"] == {"customers": ["Send between 1 and 1000 customers per request (got 1001)."]}
    assert api.post("/customers/bulk", {"customers": []}).status_code == 422
    assert api.post("/customers/bulk", {"customers": {"email": "a@example.com"}}).status_code == 422
    assert not Customer.objects.exists()


def test_other_programs_customers_are_404(api, workspace):
    other = factories.make_program(workspace, name="Other", slug="other")
    customer, _ = upsert_customer(other, email="x@example.com")
    assert api.get(f"/customers/{customer.pk}").status_code == 404
    assert api.get("/customers").json()["items"] == []


def test_usage_event_for_a_customer(api, program):
    event = {"name": "report.created", "customer_external_id": "cus_9", "email": "nine@example.com",
             "time": "2026-01-05T10:00:00Z", "properties": {"pages": 3}, "id": "u1"}
    first = api.post("/events", event)
    assert first.status_code == 201
    body = first.json()
    customer = Customer.objects.get(external_id="cus_9")
    assert (body["kind"], body["customer_id"], body["advocate_id"], body["time"]) == \
        ("customer", customer.pk, None, "2026-01-05T10:00:00Z")
    assert (customer.email, customer.last_event_at.isoformat()) == ("nine@example.com", "2026-01-05T10:00:00+00:00")
    again = api.post("/events", event)
    assert again.status_code == 200 and again.json()["id"] == body["id"] and not again.json()["created"]
    by_email = api.post("/events", {"name": "login", "email": "NINE@example.com"})
    assert by_email.status_code == 201 and by_email.json()["customer_id"] == customer.pk
    assert UsageEvent.objects.filter(customer=customer).count() == 2
    assert Customer.objects.get(pk=customer.pk).last_event_at > timezone.now() - timezone.timedelta(minutes=1)


def test_usage_event_for_an_advocate_also_counts_for_their_customer_record(api, program, advocate):
    upsert_customer(program, external_id="cus_jane", email="jane@example.com")
    response = api.post("/events", {"name": "milestone.reached", "email": "jane@example.com", "id": "m1"})
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["advocate_id"]) == ("advocate", advocate.pk)
    assert AdvocateEvent.objects.count() == 1 and UsageEvent.objects.get().customer_id == body["customer_id"]


def test_bad_usage_events_change_nothing(api, program):
    future = api.post("/events", {"name": "x", "customer_external_id": "c", "time": "2999-01-01T00:00:00Z"})
    assert future.status_code == 422 and future.json()["field_errors"] == {
        "time": ["The event cannot have happened in the future."]}
    unknown = api.post("/events", {"name": "login", "email": "ghost@example.com"})
    assert unknown.status_code == 404
    bad_name = api.post("/events", {"name": "has spaces", "customer_external_id": "c"})
    assert bad_name.status_code == 422
    assert (Customer.objects.count(), UsageEvent.objects.count()) == (0, 0)
