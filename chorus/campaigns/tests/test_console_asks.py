"""Console pages for asks: the list, the builder and its preview, moderation, feedback."""

import pytest

from chorus.campaigns.models import Ask, Completion
from chorus.campaigns.services.completions import submit_completion
from chorus.core.models import AuditEvent
from chorus.rewards import points
from chorus.rewards.models import LedgerEntry
from chorus.testing import factories

from .conftest import image_upload

pytestmark = pytest.mark.django_db

FORM = {
    "type": "survey", "status": "published", "title": "Tell us about you", "body": "<p>Two minutes<script>x</script></p>",
    "title_de": "Erzählen Sie uns von sich", "body_de": "<p>Zwei Minuten</p>", "title_ar": "", "body_ar": "",
    "title_ja": "", "body_ja": "", "title_pl": "", "body_pl": "",
    "points": "120", "starts_at": "", "ends_at": "2031-01-31T18:00", "audience": "all", "segment_min_level": "",
    "segment_email_domains": "", "segment_accounts": "", "named_emails": "", "max_completions": "",
    "max_per_advocate": "1", "moderation": "auto", "trigger_event": "", "trigger_properties": "",
    "trigger_window_days": "",
    "config": '{"questions": [{"key": "role", "kind": "single", "label": {"en": "Your role?", "de": "Ihre Rolle?"},'
              ' "choices": ["Marketing", "Sales"]}]}',
}


@pytest.fixture
def console(client, owner):
    client.force_login(owner)
    return client


def base(program):
    return f"/console/programs/{program.slug}"


def test_builder_creates_an_ask_with_texts_per_language(console, bare_program, owner):
    assert console.get(f"{base(bare_program)}/asks/new/").status_code == 200
    response = console.post(f"{base(bare_program)}/asks/new/", FORM)
    assert response.status_code == 302 and response["Location"] == f"{base(bare_program)}/asks/"
    ask = Ask.objects.get()
    assert (ask.type, ask.points, ask.body, ask.moderation) == ("survey", 120, "<p>Two minutes</p>", "auto")
    assert ask.titles == {"en": "Tell us about you", "de": "Erzählen Sie uns von sich"}
    assert ask.config["questions"][0]["choices"] == [{"value": "Marketing", "label": "Marketing"},
                                                      {"value": "Sales", "label": "Sales"}]
    assert AuditEvent.objects.filter(action="ask.created", actor=owner).count() == 1
    listing = console.get(f"{base(bare_program)}/asks/").content.decode()
    assert "Tell us about you" in listing and "Answer a survey" in listing


def test_builder_shows_service_errors_and_saves_nothing(console, bare_program):
    response = console.post(f"{base(bare_program)}/asks/new/", {**FORM, "config": '{"questions": []}',
                                                               "named_emails": "ghost@example.com"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Not advocates of this program: ghost@example.com" in html
    response = console.post(f"{base(bare_program)}/asks/new/", {**FORM, "config": '{"questions": []}'})
    assert response.status_code == 422 and "A survey needs at least one question." in response.content.decode()
    response = console.post(f"{base(bare_program)}/asks/new/", {**FORM, "config": "{nope"})
    assert response.status_code == 422 and "Not valid JSON" in response.content.decode()
    assert not Ask.objects.exists()


def test_preview_shows_the_ask_as_the_advocate_sees_it_without_saving(console, bare_program):
    response = console.post(f"{base(bare_program)}/asks/new/", {**FORM, "preview": "1", "preview_language": "de"},
                            HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="ask-preview"')
    assert "Erzählen Sie uns von sich" in html and "Ihre Rolle?" in html and "<p>Zwei Minuten</p>" in html
    assert "Begrenzte Zeit" in html or "Limited time" in html
    plain = console.post(f"{base(bare_program)}/asks/new/", {**FORM, "preview": "1"}).content.decode()
    assert "Your role?" in plain and 'name="title"' in plain
    assert not Ask.objects.exists()


def test_edit_and_delete(console, bare_program, make_ask, member):
    ask = make_ask("beta", title="Join the beta", points=200)
    page = console.get(f"{base(bare_program)}/asks/{ask.pk}/").content.decode()
    assert 'value="Join the beta"' in page
    response = console.post(f"{base(bare_program)}/asks/{ask.pk}/",
                            {**FORM, "type": "beta", "title": "Join the v2 beta", "config": "", "points": "250"})
    assert response.status_code == 302
    ask.refresh_from_db()
    assert (ask.title, ask.points, ask.titles["en"]) == ("Join the v2 beta", 250, "Join the v2 beta")
    submit_completion(ask, member, {"motivation": "yes"})
    console.post(f"{base(bare_program)}/asks/{ask.pk}/delete/")
    ask.refresh_from_db()
    assert ask.status == "archived"


def test_teammates_look_outsiders_see_nothing(client, teammate, outsider, bare_program, make_ask):
    ask = make_ask()
    client.force_login(teammate)
    assert client.get(f"{base(bare_program)}/asks/").status_code == 200
    assert client.post(f"{base(bare_program)}/asks/{ask.pk}/", FORM).status_code == 404
    client.force_login(outsider)
    assert client.get(f"{base(bare_program)}/asks/").status_code == 404
    assert client.get(f"{base(bare_program)}/moderation/").status_code == 404


def test_moderation_approve_in_place_credits_once(console, bare_program, make_ask, member):
    ask = make_ask("review", moderation="review", points=400, title="Review us")
    completion = submit_completion(ask, member, {"disclosure_acknowledged": "on"}, upload=image_upload()).completion
    queue = console.get(f"{base(bare_program)}/moderation/").content.decode()
    assert "1 waiting for review" in queue and "Review us" in queue
    evidence_url = f"{base(bare_program)}/completions/{completion.pk}/evidence/"
    assert evidence_url in queue
    image = console.get(evidence_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    decide = f"{base(bare_program)}/moderation/{completion.pk}/"
    first = console.post(decide, {"decision": "approve", "reason": ""}, HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and "Approved" in first.content.decode()
    console.post(decide, {"decision": "approve", "reason": ""}, HTTP_HX_REQUEST="true")
    assert points.balance(member) == 400 and LedgerEntry.objects.filter(advocate=member).count() == 1
    late = console.post(decide, {"decision": "reject", "reason": "no"}, HTTP_HX_REQUEST="true")
    assert "This completion was already approved." in late.content.decode()


def test_moderation_reject_needs_a_reason_the_advocate_sees(console, bare_program, make_ask, member, client):
    ask = make_ask("social_share", moderation="review")
    completion = submit_completion(ask, member, {"url": "https://x.com/max/status/9"}).completion
    decide = f"{base(bare_program)}/moderation/{completion.pk}/"
    response = console.post(decide, {"decision": "reject", "reason": ""}, follow=True)
    assert "Give the advocate a reason (at most 500 characters)." in response.content.decode()
    response = console.post(decide, {"decision": "reject", "reason": "Your post is private."})
    assert response.status_code == 302
    completion.refresh_from_db()
    assert (completion.status, completion.rejection_reason) == ("rejected", "Your post is private.")
    assert points.balance(member) == 0


def test_evidence_is_scoped_to_the_program(client, outsider, bare_program, make_ask, member):
    completion = submit_completion(make_ask("ugc"), member, {"text": ""}, upload=image_upload()).completion
    client.force_login(outsider)
    assert client.get(f"{base(bare_program)}/completions/{completion.pk}/evidence/").status_code == 404


def test_feedback_page_lists_answers_with_the_average(console, bare_program, make_ask, member):
    ask = make_ask("feedback", title="How is it going?", max_per_advocate=None, points=10)
    submit_completion(ask, member, {"score": "9", "text": "Love the swag"})
    submit_completion(ask, member, {"score": "6", "text": "Emails are too frequent"})
    other = factories.make_advocate(bare_program, email="olga@example.com")
    submit_completion(ask, other, {"text": "No score from me"})
    html = console.get(f"{base(bare_program)}/feedback/").content.decode()
    assert "3 answers" in html and "Average score: 7.5 / 10" in html
    assert html.index("No score from me") < html.index("Emails are too frequent") < html.index("Love the swag")
    assert Completion.objects.filter(ask=ask).count() == 3
