"""Completing each ask type, the verdict, limits, windows and audiences (service level)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from chorus.campaigns.models import Completion
from chorus.campaigns.services import evidence
from chorus.campaigns.services.completions import (
    approve_completion,
    reject_completion,
    submit_completion,
)
from chorus.core.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound, PayloadTooLarge
from chorus.rewards import points
from chorus.rewards.models import LedgerEntry
from chorus.testing import factories

from .conftest import image_upload

pytestmark = pytest.mark.django_db

SURVEY = {"questions": [
    {"key": "plan", "kind": "single", "label": {"en": "Which plan?", "de": "Welcher Tarif?"},
     "choices": ["Starter", "Pro"]},
    {"key": "uses", "kind": "multiple", "label": "What for?", "choices": ["reports", "alerts", "exports"]},
    {"key": "nps", "kind": "scale", "label": "How likely are you to recommend us?"},
    {"key": "wish", "kind": "text", "label": "One wish", "required": False},
]}


def ledger(advocate) -> list[tuple[int, str]]:
    return list(LedgerEntry.objects.filter(advocate=advocate).values_list("amount", "source_type"))


def test_survey_answers_are_checked_then_kept_and_points_credited(make_ask, member):
    ask = make_ask("survey", config=SURVEY, points=150)
    with pytest.raises(InvalidInput) as refused:
        submit_completion(ask, member, {"plan": "Enterprise", "uses": ["reports", "teleport"], "nps": "11"})
    assert refused.value.field_errors == {"plan": ["Choose one of the answers."],
                                          "uses": ["Choose among the answers given."],
                                          "nps": ["Choose a number from 0 to 10."]}
    assert not Completion.objects.exists() and ledger(member) == []
    done = submit_completion(ask, member, {"plan": "Pro", "uses": ["exports", "reports"], "nps": "9", "wish": ""})
    completion = done.completion
    assert completion.status == "approved" and completion.decided_at is not None
    assert completion.data == {"answers": {"plan": "Pro", "uses": ["reports", "exports"], "nps": 9}}
    assert ledger(member) == [(150, "campaigns.completion")]


def test_review_needs_disclosure_and_proof_then_waits_for_review(make_ask, member, owner):
    ask = make_ask("review", moderation="review", points=400,
                   config={"site_name": "G2", "site_url": "https://www.g2.com/products/acme"})
    with pytest.raises(InvalidInput) as refused:
        submit_completion(ask, member, {"url": ""})
    assert refused.value.field_errors == {
        "url": ["Give the link to your review or upload a screenshot."],
        "disclosure_acknowledged": ["Confirm that your review says it was incentivised."]}
    done = submit_completion(ask, member, {"disclosure_acknowledged": "on"}, upload=image_upload(exif=True))
    completion = done.completion
    assert (completion.status, completion.evidence_content_type, ledger(member)) == ("pending", "image/png", [])
    assert completion.data["disclosure"] == "I received points for this review, and I say so in the review."
    with completion.evidence.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (40, 30) and not image.getexif() and "exif" not in image.info
    approve_completion(completion.pk, user=owner)
    approve_completion(completion.pk, user=owner)  # a double click changes nothing
    completion.refresh_from_db()
    assert (completion.status, completion.decided_by) == ("approved", owner)
    assert ledger(member) == [(400, "campaigns.completion")]
    with pytest.raises(Conflict) as late:
        reject_completion(completion.pk, reason="Too late", user=owner)
    assert late.value.message == "This completion was already approved."


def test_jpeg_metadata_is_stripped(make_ask, member):
    ask = make_ask("ugc")
    done = submit_completion(ask, member, {"text": ""},
                             upload=image_upload("me.jpg", "JPEG", exif=True, content_type="image/jpeg"))
    with done.completion.evidence.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG" and not image.getexif()
    assert done.completion.evidence.name.endswith(".jpg") and "me" not in done.completion.evidence.name


def test_rejection_keeps_the_reason_and_allows_another_try(make_ask, member, owner):
    ask = make_ask("social_share", moderation="review", config={"allowed_domains": ["linkedin.com"]})
    with pytest.raises(InvalidInput) as refused:
        submit_completion(ask, member, {"url": "https://twitter.com/max/status/1"})
    assert refused.value.field_errors == {"url": ["The link must be on linkedin.com."]}
    first = submit_completion(ask, member, {"url": "https://www.linkedin.com/posts/max-1"}).completion
    with pytest.raises(Conflict) as twice:
        submit_completion(ask, member, {"url": "https://www.linkedin.com/posts/max-2"})
    assert twice.value.message == "You have already completed this ask."
    with pytest.raises(InvalidInput):
        reject_completion(first.pk, reason="  ", user=owner)
    reject_completion(first.pk, reason="The post is not public.", user=owner)
    first.refresh_from_db()
    assert (first.status, first.rejection_reason) == ("rejected", "The post is not public.")
    with pytest.raises(Conflict):
        approve_completion(first.pk, user=owner)
    second = submit_completion(ask, member, {"url": "https://www.linkedin.com/posts/max-2"}).completion
    assert second.status == "pending" and ledger(member) == []


def test_quiz_answer_is_checked_once(make_ask, member, bare_program):
    ask = make_ask("quiz", points=50, moderation="review",
                   config={"question": "What does Acme make?", "answers": ["Analytics", "dashboards"]})
    assert ask.moderation == "auto"
    right = submit_completion(ask, member, {"answer": "  analytics "}).completion
    assert right.status == "approved" and ledger(member) == [(50, "campaigns.completion")]
    with pytest.raises(Conflict):
        submit_completion(ask, member, {"answer": "dashboards"})
    other = factories.make_advocate(bare_program, email="olga@example.com")
    wrong = submit_completion(ask, other, {"answer": "Rockets"}).completion
    assert (wrong.status, wrong.rejection_reason) == ("rejected", "That is not the right answer.")
    with pytest.raises(Conflict) as again:
        submit_completion(ask, other, {"answer": "Analytics"})
    assert again.value.message == "You have already completed this ask."
    assert ledger(other) == []


def test_quiz_without_points_credits_nothing(make_ask, member):
    ask = make_ask("quiz", points=0, config={"question": "2+2?", "choices": ["3", "4"], "answers": ["4"]})
    with pytest.raises(InvalidInput):
        submit_completion(ask, member, {"answer": "5"})
    assert submit_completion(ask, member, {"answer": "4"}).completion.status == "approved"
    assert ledger(member) == []


@pytest.mark.parametrize(("ask_type", "fields", "data"), [
    ("social_follow", {"url": "https://x.com/max"}, {"url": "https://x.com/max"}),
    ("social_mention", {"url": "https://x.com/max/status/2"}, {"url": "https://x.com/max/status/2"}),
    ("blog_comment", {"url": "https://blog.acme.test/p/1#c9"}, {"url": "https://blog.acme.test/p/1#c9"}),
    ("forum_answer", {"url": "https://forum.acme.test/t/7"}, {"url": "https://forum.acme.test/t/7"}),
    ("beta", {"motivation": "I test everything", "platform": "Linux"},
     {"motivation": "I test everything", "platform": "Linux"}),
    ("ugc", {"text": "We cut reporting time in half."}, {"text": "We cut reporting time in half."}),
    ("event_rsvp", {"attending": "yes", "note": "Vegetarian"}, {"attending": True, "note": "Vegetarian"}),
    ("feedback", {"score": "8", "text": "More swag please"}, {"score": 8, "text": "More swag please"}),
])
def test_each_type_keeps_its_evidence(make_ask, member, ask_type, fields, data):
    completion = submit_completion(make_ask(ask_type, points=30), member, fields).completion
    assert (completion.status, completion.data) == ("approved", data)
    assert points.balance(member) == 30


@pytest.mark.parametrize(("ask_type", "fields", "errors"), [
    ("social_follow", {"url": "x.com/max"}, {"url": ["Give the full address of the post, starting with https://."]}),
    ("beta", {}, {"motivation": ["This field is required."]}),
    ("ugc", {"text": ""}, {"text": ["Write something or upload an image."]}),
    ("event_rsvp", {"attending": "maybe"}, {"attending": ["Say whether you will attend."]}),
    ("feedback", {"score": "eleven"}, {"score": ["Choose a number from 0 to 10."], "text": ["This field is required."]}),
])
def test_bad_fields_store_nothing(make_ask, member, ask_type, fields, errors):
    with pytest.raises(InvalidInput) as refused:
        submit_completion(make_ask(ask_type), member, fields)
    assert refused.value.status_code == 422 and refused.value.field_errors == errors
    assert not Completion.objects.exists()


def _dinner(program, capacity=1):
    from chorus.campaigns import events

    return events.create_event(program, title="Dinner", starts_at=timezone.now() + timedelta(days=7),
                               location="Berlin", capacity=capacity)


def test_rsvp_keeps_the_event_id_and_answers_the_invitation(make_ask, member, bare_program):
    from chorus.campaigns import events
    from chorus.campaigns.models import Invitation

    dinner = _dinner(bare_program)
    events.invite(dinner, [member])
    ask = make_ask("event_rsvp", config={"event_id": dinner.pk})
    completion = submit_completion(ask, member, {"attending": "yes", "note": ""}).completion
    assert completion.data == {"attending": True, "note": "", "event_id": dinner.pk}
    assert Invitation.objects.get(event=dinner, advocate=member).rsvp == "yes"


def test_rsvp_ask_is_refused_when_not_invited_or_the_event_is_full(make_ask, member, bare_program):
    from chorus.campaigns import events

    dinner = _dinner(bare_program, capacity=1)
    ask = make_ask("event_rsvp", config={"event_id": dinner.pk})
    with pytest.raises(NotFound) as not_invited:
        submit_completion(ask, member, {"attending": "yes"})
    assert not_invited.value.message == "You are not invited to this event."
    other = factories.make_advocate(bare_program, email="ola@example.com")
    events.invite(dinner, [member, other])
    events.rsvp((other, dinner.pk), True)
    with pytest.raises(Conflict):
        submit_completion(ask, member, {"attending": "yes"})
    assert not Completion.objects.exists()


def test_posts_and_referral_asks_are_not_completed_by_hand(make_ask, member):
    with pytest.raises(Conflict) as post:
        submit_completion(make_ask("news", points=0), member, {})
    assert post.value.message == "This is a post: there is nothing to complete."
    with pytest.raises(Conflict) as referral:
        submit_completion(make_ask("refer_friend"), member, {})
    assert referral.value.code == "completes_by_referral"


def test_time_window(make_ask, member):
    now = timezone.now()
    later = make_ask(starts_at=now + timedelta(days=1))
    with pytest.raises(Conflict) as early:
        submit_completion(later, member, {"url": "https://x.com/max"})
    assert early.value.code == "ask_not_open" and early.value.message.startswith("This ask opens on ")
    ended = make_ask(starts_at=now - timedelta(days=3), ends_at=now - timedelta(seconds=1))
    with pytest.raises(Gone) as gone:
        submit_completion(ended, member, {"url": "https://x.com/max"})
    assert (gone.value.status_code, gone.value.message) == (410, "This ask has ended.")
    assert not Completion.objects.exists()


def test_audiences(make_ask, member, bare_program):
    olga = factories.make_advocate(bare_program, email="olga@acme.example", language="pl")
    named = make_ask(audience="named", named_advocates=[olga.pk])
    by_attributes = make_ask(audience="segment", segment_attributes={"email_domain": ["acme.example"]})
    for ask in (named, by_attributes):
        with pytest.raises(Forbidden) as refused:
            submit_completion(ask, member, {"url": "https://x.com/max"})
        assert (refused.value.status_code, refused.value.message) == (403, "This ask is not open to you.")
        assert submit_completion(ask, olga, {"url": "https://x.com/olga"}).completion.status == "approved"


def test_level_segment(make_ask, program):
    advocate = factories.make_advocate(program, email="lee@example.com")
    champions = make_ask(program=program, audience="segment", segment_min_level=program.levels.get(rank=2))
    with pytest.raises(Forbidden):
        submit_completion(champions, advocate, {"url": "https://x.com/lee"})
    points.credit(advocate, 2000, source=factories.make_advocate(program))
    assert submit_completion(champions, advocate, {"url": "https://x.com/lee"}).completion.status == "approved"


def test_limits_per_advocate_and_overall(make_ask, member, bare_program):
    ask = make_ask(max_per_advocate=2, max_completions=3)
    submit_completion(ask, member, {"url": "https://x.com/1"})
    submit_completion(ask, member, {"url": "https://x.com/2"})
    with pytest.raises(Conflict) as per_advocate:
        submit_completion(ask, member, {"url": "https://x.com/3"})
    assert per_advocate.value.message == "You have completed this ask the most times allowed (2)."
    other = factories.make_advocate(bare_program, email="olga@example.com")
    submit_completion(ask, other, {"url": "https://x.com/4"})
    with pytest.raises(Conflict) as full:
        submit_completion(ask, factories.make_advocate(bare_program, email="ian@example.com"), {"url": "https://x.com/5"})
    assert full.value.message == "This ask is full: it has reached its limit of completions."
    assert Completion.objects.filter(ask=ask).count() == 3


def test_oversized_and_wrong_type_uploads_change_nothing(make_ask, member, settings, monkeypatch):
    ask = make_ask("review", config={})
    monkeypatch.setattr(evidence, "MAX_BYTES", 1000)
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * 2000, content_type="image/png")
    with pytest.raises(PayloadTooLarge) as too_large:
        submit_completion(ask, member, {"disclosure_acknowledged": "on"}, upload=big)
    assert (too_large.value.status_code, too_large.value.message) == (413, "The file is too large: at most 0 MB.")
    monkeypatch.setattr(evidence, "MAX_BYTES", 5 * 1024 * 1024)
    fake = SimpleUploadedFile("shot.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(InvalidInput) as wrong:
        submit_completion(ask, member, {"disclosure_acknowledged": "on"}, upload=fake)
    assert wrong.value.field_errors == {"evidence": ["Upload a PNG, JPEG or WebP image."]}
    gif = image_upload("a.gif", "GIF", content_type="image/gif")
    with pytest.raises(InvalidInput):
        submit_completion(ask, member, {"disclosure_acknowledged": "on"}, upload=gif)
    with pytest.raises(InvalidInput) as no_upload:
        submit_completion(make_ask("beta"), member, {"motivation": "x"}, upload=image_upload())
    assert no_upload.value.message == "This ask takes no upload."
    assert not Completion.objects.exists()


def test_a_failed_completion_leaves_no_file(make_ask, member, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    ask = make_ask("ugc", max_completions=1)
    submit_completion(ask, member, {"text": "first"})
    with pytest.raises(Conflict):
        submit_completion(ask, member, {"text": ""}, upload=image_upload())
    assert not any(path.is_file() for path in tmp_path.rglob("*"))
