import json

import pytest

from chorus.core.errors import InvalidInput, NotFound
from chorus.core.models import AuditEvent
from chorus.privacy.registry import registrations
from chorus.privacy.services import export_person, export_person_everywhere
from chorus.testing import factories


def ids(rows):
    return [row["id"] for row in rows]


def test_export_has_every_registered_section_with_only_the_persons_rows(story):
    document = export_person(story.program, " JANE@example.com ", via="console", actor=None)
    sections = document["sections"]
    assert document["schema_version"] == 1 and document["generated_at"]
    assert document["program"] == {"id": story.program.pk, "slug": "acme", "name": "Acme Customers"}
    assert document["person"] == {"email": "jane@example.com", "advocate_ids": [story.jane.pk],
                                  "customer_ids": [story.jane_customer.pk]}
    assert list(sections) == [r.section for r in registrations() if r.exported]
    assert "api_replies" not in sections  # copies of API answers: erased, not exported
    jane = sections["advocates"][0]
    assert (len(sections["advocates"]), jane["email"], jane["name"], jane["external_id"]) == (
        1, "jane@example.com", "Jane Doe", "cus_jane")
    assert [(c["email"], c["name"]) for c in sections["customers"]] == [("Jane@example.com", "Jane Doe")]
    assert [(t["purpose"], "token_hash" in t) for t in sections["login_tokens"]] == [("login", False)]
    assert [link["code"] for link in sections["referral_links"]] == [story.jane.link.code]
    assert [c["referrer"] for c in sections["clicks"]] == ["https://social.example.net/jane-doe/posts/1"]
    assert [(c["friend_email"], c["advocate_id"]) for c in sections["friend_claims"]] == [("jane@example.com", story.omar.pk)]
    assert [(r["advocate_id"], r["customer_id"]) for r in sections["referrals"]] == [(story.jane.pk, story.friend.pk)]
    assert [(c["type"], c["customer_id"], c["metadata"]) for c in sections["conversions"]] == [
        ("signup", story.jane_customer.pk, {"crm_note": "Jane Doe is a VIP"})]
    assert sorted((r["kind"], r["amount"]) for r in sections["rewards"]) == [("percent", 1200), ("points", 500)]
    assert sorted((e["unit"], e["amount"]) for e in sections["ledger"]) == [
        ("credit", 1200), ("points", -300), ("points", 500), ("points", 1000)]
    assert [r["shipping"]["address"] for r in sections["redemptions"]] == ["1 Main Street"]
    assert [w["quote"] for w in sections["wall"]] == ["Chorus made referring fun"]
    review, survey = sections["completions"]
    assert review["evidence"]["url"] == f"http://127.0.0.1:8000/console/programs/acme/completions/{story.review.pk}/evidence/"
    assert (survey["data"], survey["rejection_reason"]) == ({"score": 9, "text": "Jane here, love it"}, "Jane Doe answered twice")
    assert [e["properties"] for e in sections["advocate_events"]] == [{"milestone": "first-100-orders", "city": "Berlin"}]
    assert sorted(e["action"] for e in sections["audit_events"]) == [
        "completion.rejected", "redemption.requested", "wall.featured"]
    text = json.dumps(document)
    for other in ("omar@example.com", "Omar", "friend@example.org", "Fiona", "Omar's comment", "omar.example.net"):
        assert other not in text, other


def test_export_is_audited_without_the_address(story, owner):
    export_person(story.program, "jane@example.com", via="console", actor=owner)
    event = AuditEvent.objects.get(action="personal_data.exported")
    assert (event.actor, event.target_type, event.target_id, event.workspace) == (
        owner, "advocates.advocate", str(story.jane.pk), story.program.workspace)
    assert event.data["via"] == "console" and len(event.data["email_hash"]) == 64
    assert "jane" not in json.dumps(event.data).lower()


def test_a_friend_is_found_by_their_customer_address(story):
    document = export_person(story.program, "friend@example.org", via="api")
    sections = document["sections"]
    assert (sections["advocates"], [c["name"] for c in sections["customers"]]) == ([], ["Fiona Friend"])
    assert sorted((c["type"], c["amount"], c["order_id"]) for c in sections["conversions"]) == [
        ("purchase", 12_000, "o-1"), ("signup", 0, "")]
    assert [r["advocate_id"] for r in sections["referrals"]] == [story.jane.pk]
    assert "Jane" not in json.dumps(sections)


def test_unknown_and_invalid_addresses_are_refused(story):
    with pytest.raises(NotFound) as unknown:
        export_person(story.program, "nobody@example.com", via="api")
    assert unknown.value.message == "Chorus holds no personal data for this email address in Acme Customers."
    with pytest.raises(InvalidInput) as invalid:
        export_person(story.program, "not an address", via="api")
    assert invalid.value.message == "Enter a valid email address."
    assert not AuditEvent.objects.filter(action="personal_data.exported").exists()


def test_workspace_export_covers_every_program_that_knows_the_person(story, workspace):
    second = factories.make_program(workspace, name="Partners", slug="partners")
    factories.make_advocate(second, email="jane@example.com", name="Jane D.")
    factories.make_program(workspace, name="Employees", slug="employees")
    document = export_person_everywhere(workspace, "jane@example.com", via="console")
    assert [p["program"]["slug"] for p in document["programs"]] == ["acme", "partners"]
    assert document["programs"][1]["sections"]["advocates"][0]["name"] == "Jane D."
    assert AuditEvent.objects.filter(action="personal_data.exported").count() == 2
