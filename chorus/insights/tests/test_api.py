"""The NPS API: record an answer (idempotent, validated), read the summary."""

from datetime import timedelta

from django.utils import timezone

from chorus.insights.models import NpsResponse


def _post(client, api_key, body, **headers):
    return client.post("/api/v1/nps-responses", body, content_type="application/json",
                       headers={"Authorization": f"Bearer {api_key}", **headers})


def test_record_by_customer_external_id_and_retry_returns_the_same(client, api_key, customer):
    body = {"customer_external_id": "cus_ana", "score": 9, "comment": "Great", "external_id": "tf-1",
            "responded_at": "2026-03-01T10:00:00Z"}

    first = _post(client, api_key, body)
    again = _post(client, api_key, body)

    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json() == again.json()
    data = first.json()
    assert (data["score"], data["category"], data["comment"], data["source"], data["customer_id"]) == (
        9, "promoter", "Great", "api", customer.pk)
    assert data["responded_at"].startswith("2026-03-01T10:00:00")
    assert NpsResponse.objects.count() == 1


def test_without_external_id_the_same_person_time_and_score_is_one_answer(client, api_key, advocate):
    body = {"advocate_id": advocate.pk, "score": 4, "responded_at": "2026-03-01T10:00:00Z"}

    assert _post(client, api_key, body).status_code == 201
    assert _post(client, api_key, body).status_code == 200
    assert NpsResponse.objects.get().advocate == advocate


def test_a_different_answer_under_the_same_external_id_is_a_conflict(client, api_key, customer):
    assert _post(client, api_key, {"email": "ANA@example.com", "score": 9, "external_id": "x"}).status_code == 201

    conflict = _post(client, api_key, {"email": "ana@example.com", "score": 3, "external_id": "x"})

    assert conflict.status_code == 409
    assert NpsResponse.objects.get().score == 9


def test_bad_input_is_422_and_changes_nothing(client, api_key, customer):
    out_of_range = _post(client, api_key, {"customer_external_id": "cus_ana", "score": 11})
    assert out_of_range.status_code == 422
    assert out_of_range.json()["field_errors"] == {"score": ["Choose a number from 0 to 10."]}

    assert _post(client, api_key, {"customer_external_id": "cus_ana", "score": -1}).status_code == 422
    assert _post(client, api_key, {"customer_external_id": "cus_ana", "score": "ten"}).status_code == 422
    nobody = _post(client, api_key, {"customer_external_id": "cus_nobody", "score": 5})
    assert nobody.status_code == 422
    assert "customer_external_id" in nobody.json()["field_errors"]
    assert _post(client, api_key, {"score": 5}).status_code == 422
    future = (timezone.now() + timedelta(days=2)).isoformat()
    assert _post(client, api_key, {"customer_external_id": "cus_ana", "score": 5, "responded_at": future}).status_code == 422
    assert _post(client, api_key, {"customer_external_id": "cus_ana", "score": 5, "colour": "red"}).status_code == 422
    assert NpsResponse.objects.count() == 0


def test_the_summary(client, api_key, customer, advocate):
    for who, value in (({"customer_external_id": "cus_ana"}, 10), ({"advocate_id": advocate.pk}, 3)):
        assert _post(client, api_key, {**who, "score": value}).status_code == 201

    summary = client.get("/api/v1/nps?days=30&period=month", headers={"Authorization": f"Bearer {api_key}"})

    assert summary.status_code == 200
    data = summary.json()
    assert (data["nps"], data["total"], data["promoters"], data["passives"], data["detractors"]) == (0.0, 2, 1, 0, 1)
    assert data["distribution"] == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]
    assert sum(period["total"] for period in data["periods"]) == 2
    bad = client.get("/api/v1/nps?period=year", headers={"Authorization": f"Bearer {api_key}"})
    assert bad.status_code == 422
