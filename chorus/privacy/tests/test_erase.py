import json

import pytest
from django.core.files.storage import default_storage
from django.test import RequestFactory

from chorus.advocates.models import Advocate, Customer, LoginToken
from chorus.advocates.services import request_login_link
from chorus.campaigns.models import AdvocateEvent, Completion
from chorus.core.errors import NotFound
from chorus.core.models import AuditEvent, IdempotencyRecord
from chorus.hub.access import hub_advocate
from chorus.privacy import registry
from chorus.privacy.models import Erasure
from chorus.privacy.registry import email_hash
from chorus.privacy.services import erase_person, erase_person_everywhere, export_person
from chorus.referrals.models import Click, Conversion, FriendClaim, Referral, ReferralLink
from chorus.referrals.services.clicks import handle_click
from chorus.rewards.models import Redemption, Reward, WallEntry
from chorus.testing import factories

from .conftest import funnel_numbers, ledger_sums


def erase(story, django_capture_on_commit_callbacks, email="jane@example.com", **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return erase_person(story.program, email, via=kwargs.pop("via", "console"), **kwargs)


def test_erasure_removes_personal_fields_everywhere_and_keeps_the_numbers(story, owner, django_capture_on_commit_callbacks):
    funnel_before, ledger_before = funnel_numbers(story.program), ledger_sums(story.program)
    rewards_before = sorted(Reward.objects.values_list("pk", "amount", "status"))
    conversions_before = sorted(Conversion.objects.values_list("pk", "type", "amount", "currency", "order_id"))
    evidence_name = story.review.evidence.name
    assert default_storage.exists(evidence_name)
    old_promo = story.jane.link.promo_code

    result = erase(story, django_capture_on_commit_callbacks, actor=owner)

    assert result.already_erased is False
    assert (funnel_numbers(story.program), ledger_sums(story.program)) == (funnel_before, ledger_before)
    assert sorted(Reward.objects.values_list("pk", "amount", "status")) == rewards_before
    assert sorted(Conversion.objects.values_list("pk", "type", "amount", "currency", "order_id")) == conversions_before
    jane = Advocate.objects.get(pk=story.jane.pk)
    assert jane.email.startswith("erased-") and jane.email.endswith("@invalid") and jane.email == jane.email_normalized
    assert (jane.name, jane.external_id, jane.language, jane.known_visitors, jane.status) == ("", "", "", [], "disabled")
    assert (jane.show_on_leaderboard, jane.feature_on_wall, jane.email_on_approval, jane.email_on_level_up) == (
        False, False, False, False)
    customer = Customer.objects.get(pk=story.jane_customer.pk)
    assert (customer.email, customer.email_normalized, customer.name, customer.external_id) == ("", "", "", "")
    assert not LoginToken.objects.filter(advocate=jane).exists()
    link = ReferralLink.objects.get(advocate=jane)
    assert (link.is_active, link.vanity_code, link.promo_code.startswith("ERASED-"), link.promo_code != old_promo) == (
        False, "", True, True)
    assert list(Click.objects.filter(link=link).values_list("referrer", flat=True)) == [""]
    assert Click.objects.filter(link__advocate=story.omar).values_list("referrer", flat=True).get() == "https://omar.example.net/"
    assert not FriendClaim.objects.exists()
    assert Conversion.objects.get(customer=customer).metadata == {}
    assert Conversion.objects.get(order_id="o-1").metadata == {"buyer": "friend@example.org"}  # the friend's, not Jane's
    assert Redemption.objects.get(advocate=jane).shipping == {}
    assert not WallEntry.objects.exists()
    review, survey = Completion.objects.filter(advocate=jane).order_by("pk")
    assert (review.evidence.name, review.evidence_content_type, review.data, review.status, review.points) == (
        "", "", {"disclosure_acknowledged": True}, "pending", 400)
    assert (survey.data, survey.rejection_reason, survey.status) == ({"score": 9}, "", "rejected")
    assert Completion.objects.get(advocate=story.omar).data == {"score": 7, "text": "Omar's comment"}
    assert not default_storage.exists(evidence_name)
    assert AdvocateEvent.objects.get(advocate=jane).properties == {}
    rejected = AuditEvent.objects.get(action="completion.rejected")
    assert rejected.note == ""
    replay = IdempotencyRecord.objects.get(key=story.idempotency_key)
    assert (replay.response_body, replay.response_status) == ({"erased": True}, 200)
    assert "jane" not in json.dumps(list(AuditEvent.objects.values("note", "data")), default=str).lower()


def test_an_erased_person_cannot_log_in_or_be_credited_for_clicks(story, django_capture_on_commit_callbacks, settings):
    assert handle_click(story.jane.link.code, ip="198.51.100.1", user_agent="Firefox/120", referrer="").status == 302
    erase(story, django_capture_on_commit_callbacks)
    assert handle_click(story.jane.link.code, ip="198.51.100.1", user_agent="Firefox/120", referrer="").status == 410
    assert request_login_link(story.program, "jane@example.com") is False
    request = RequestFactory().get("/")
    request.session = {f"chorus.hub.{story.program.pk}": story.jane.pk}
    assert hub_advocate(request, story.program) is None


def test_erasing_twice_is_harmless_and_says_so(story, owner, django_capture_on_commit_callbacks):
    first = erase(story, django_capture_on_commit_callbacks, actor=owner)
    snapshot = sorted(Advocate.objects.values_list("pk", "email", "name", "status"))
    again = erase(story, django_capture_on_commit_callbacks, email="Jane@Example.com", actor=owner)
    assert (again.already_erased, again.erasure) == (True, first.erasure)
    assert sorted(Advocate.objects.values_list("pk", "email", "name", "status")) == snapshot
    assert Erasure.objects.count() == 1 and AuditEvent.objects.filter(action="personal_data.erased").count() == 1
    with pytest.raises(NotFound) as gone:
        export_person(story.program, "jane@example.com", via="api")
    assert gone.value.message.startswith("This person was erased from Acme Customers on ")


def test_erasure_is_audited_by_hash_with_who_and_via(story, owner, django_capture_on_commit_callbacks):
    result = erase(story, django_capture_on_commit_callbacks, actor=owner)
    erasure = result.erasure
    assert (erasure.email_hash, erasure.advocate_ids, erasure.customer_ids, erasure.via, erasure.erased_by) == (
        email_hash("jane@example.com"), [story.jane.pk], [story.jane_customer.pk], "console", owner)
    assert erasure.sections["advocates"] == 1 and erasure.sections["ledger"] == 0 and erasure.sections["wall"] == 1
    event = AuditEvent.objects.get(action="personal_data.erased")
    assert (event.actor, event.target_type, event.target_id, event.data["via"], event.data["email_hash"]) == (
        owner, "privacy.erasure", str(erasure.pk), "console", erasure.email_hash)


def test_erased_hooks_get_the_hash_never_the_address(story, django_capture_on_commit_callbacks, monkeypatch):
    received = []
    monkeypatch.setattr(registry, "_erased_hooks", [received.append])
    erase(story, django_capture_on_commit_callbacks)
    assert [(p.program, p.email_hash, p.advocate_ids) for p in received] == [
        (story.program, email_hash("jane@example.com"), (story.jane.pk,))]


def test_a_failing_step_rolls_everything_back(story, django_capture_on_commit_callbacks, monkeypatch):
    def broken(person):
        raise RuntimeError("suppression list unavailable")

    monkeypatch.setattr(registry, "_erased_hooks", [broken])
    evidence_name = story.review.evidence.name
    with pytest.raises(RuntimeError):
        erase(story, django_capture_on_commit_callbacks)
    jane = Advocate.objects.get(pk=story.jane.pk)
    assert (jane.email, jane.status, Erasure.objects.count()) == ("jane@example.com", "active", 0)
    assert default_storage.exists(evidence_name) and WallEntry.objects.exists()


def test_unknown_person_is_a_404_that_changes_nothing(story):
    with pytest.raises(NotFound) as unknown:
        erase_person(story.program, "nobody@example.com", via="api")
    assert unknown.value.message == "Chorus holds no personal data for this email address in Acme Customers."
    assert Erasure.objects.count() == 0


def test_erasing_the_friend_keeps_the_advocates_rewards(story, django_capture_on_commit_callbacks):
    ledger_before, funnel_before = ledger_sums(story.program), funnel_numbers(story.program)
    erase(story, django_capture_on_commit_callbacks, email="friend@example.org")
    friend = Customer.objects.get(pk=story.friend.pk)
    assert (friend.email, friend.name, friend.external_id) == ("", "", "")
    assert Conversion.objects.get(order_id="o-1").metadata == {}
    assert Referral.objects.get(customer=friend).advocate == story.jane
    assert (ledger_sums(story.program), funnel_numbers(story.program)) == (ledger_before, funnel_before)
    assert Advocate.objects.get(pk=story.jane.pk).status == "active"


def test_workspace_erasure_covers_every_program(story, workspace, django_capture_on_commit_callbacks):
    second = factories.make_program(workspace, name="Partners", slug="partners")
    partner = factories.make_advocate(second, email="jane@example.com", name="Jane D.")
    with django_capture_on_commit_callbacks(execute=True):
        results = erase_person_everywhere(workspace, "jane@example.com", via="console")
    assert [(r.erasure.program, r.already_erased) for r in results] == [(story.program, False), (second, False)]
    assert Advocate.objects.filter(pk__in=[story.jane.pk, partner.pk], status="disabled", name="").count() == 2
