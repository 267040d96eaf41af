"""The advocate's asks pages: list, detail with the type's form, completing with and without HTMX."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chorus.advocates.services import issue_login_token
from chorus.campaigns.models import Completion
from chorus.campaigns.services import evidence
from chorus.campaigns.services.completions import reject_completion, submit_completion
from chorus.rewards import points

from .conftest import image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(client, bare_program, member):
    client.post(f"/hub/{bare_program.slug}/login/{issue_login_token(member)}/")
    return client


def url(program, ask=None, suffix=""):
    base = f"/hub/{program.slug}/asks/"
    return f"{base}{ask.pk}/{suffix}" if ask else base


def test_list_shows_urgent_asks_first_with_time_left(hub, bare_program, make_ask, member, owner):
    make_ask(title="Follow us", points=50)
    make_ask(title="Share the launch", points=10, ends_at=timezone.now() + timedelta(days=2, hours=1))
    make_ask("news", title="We launched", points=0)
    rejected = make_ask("blog_comment", title="Comment", moderation="review", points=20)
    completion = submit_completion(rejected, member, {"url": "https://blog.example.com/p#c1"}).completion
    reject_completion(completion.pk, reason="We could not find your comment.", user=owner)
    html = hub.get(url(bare_program), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    titles = re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', html)
    assert titles == ["Share the launch", "Follow us", "Comment", "We launched"]  # Comment may be tried again
    assert "Limited time" in html and "Ends in 2\xa0days" in html
    assert "Why: We could not find your comment." in html
    assert f'href="/hub/{bare_program.slug}/asks/"' in html  # the hub nav


def test_review_with_screenshot_without_javascript(hub, bare_program, make_ask, member):
    ask = make_ask("review", title="Review us on G2", moderation="review", points=400,
                   config={"site_name": "G2", "site_url": "https://www.g2.com/products/acme/reviews"})
    page = hub.get(url(bare_program, ask)).content.decode()
    assert 'enctype="multipart/form-data"' in page and "I received points for this review" in page
    assert 'href="https://www.g2.com/products/acme/reviews"' in page
    response = hub.post(url(bare_program, ask, "complete/"),
                        {"disclosure_acknowledged": "on", "evidence": image_upload()})
    assert response.status_code == 302 and response["Location"] == url(bare_program, ask)
    page = hub.get(response["Location"]).content.decode()
    assert "Thank you! We will check it and let you know." in page and "Waiting for review" in page
    completion = Completion.objects.get()
    assert (completion.status, completion.evidence_content_type) == ("pending", "image/png")


def test_survey_with_htmx_redraws_the_action_box(hub, bare_program, make_ask, member):
    ask = make_ask("survey", points=75, config={"questions": [
        {"key": "nps", "kind": "scale", "label": "Recommend us?"},
        {"key": "plan", "kind": "single", "label": {"en": "Plan?", "de": "Tarif?"}, "choices": ["Starter", "Pro"]}]})
    bad = hub.post(url(bare_program, ask, "complete/"), {"nps": "12"}, HTTP_HX_REQUEST="true")
    html = bad.content.decode()
    assert bad.status_code == 200 and html.startswith("\n<section class=\"card ask-action\"")
    assert "Choose a number from 0 to 10." in html and "Choose an answer." in html
    good = hub.post(url(bare_program, ask, "complete/"), {"nps": "9", "plan": "Pro"}, HTTP_HX_REQUEST="true")
    assert "Done! 75 points are yours." in good.content.decode()
    assert points.balance(member) == 75


def test_form_errors_without_javascript_answer_4xx(hub, bare_program, make_ask):
    ask = make_ask("social_follow")
    response = hub.post(url(bare_program, ask, "complete/"), {"url": "not a link"})
    assert response.status_code == 422
    assert "Give the full address of the post, starting with https://." in response.content.decode()
    assert not Completion.objects.exists()


def test_completing_twice_expired_and_not_for_me(hub, bare_program, make_ask, member):
    ask = make_ask("forum_answer")
    assert hub.post(url(bare_program, ask, "complete/"), {"url": "https://forum.example.com/t/1"}).status_code == 302
    twice = hub.post(url(bare_program, ask, "complete/"), {"url": "https://forum.example.com/t/2"})
    assert twice.status_code == 409 and "You have already completed this ask." in twice.content.decode()
    now = timezone.now()
    ended = make_ask(starts_at=now - timedelta(days=2), ends_at=now - timedelta(minutes=1))
    response = hub.post(url(bare_program, ended, "complete/"), {"url": "https://x.com/max"})
    assert response.status_code == 410 and "This ask has ended." in response.content.decode()
    assert "This ask has ended." in hub.get(url(bare_program, ended)).content.decode()
    future = make_ask(starts_at=now + timedelta(days=2))
    response = hub.post(url(bare_program, future, "complete/"), {"url": "https://x.com/max"})
    assert response.status_code == 409 and "This ask opens on" in response.content.decode()
    hidden = make_ask(audience="segment", segment_attributes={"language": ["ja"]})
    response = hub.post(url(bare_program, hidden, "complete/"), {"url": "https://x.com/max"})
    assert response.status_code == 403 and "This ask is not open to you." in response.content.decode()
    assert hub.get(url(bare_program, hidden)).status_code == 403
    assert Completion.objects.count() == 1


def test_bad_uploads_answer_413_and_422(hub, bare_program, make_ask, monkeypatch):
    ask = make_ask("ugc")
    monkeypatch.setattr(evidence, "MAX_BYTES", 100)
    big = hub.post(url(bare_program, ask, "complete/"), {"text": "", "evidence": image_upload(size=(300, 300))})
    assert big.status_code == 413 and "The file is too large" in big.content.decode()
    monkeypatch.setattr(evidence, "MAX_BYTES", 5 * 1024 * 1024)
    fake = SimpleUploadedFile("cv.pdf", b"%PDF-1.4 not an image", content_type="application/pdf")
    wrong = hub.post(url(bare_program, ask, "complete/"), {"text": "", "evidence": fake})
    assert wrong.status_code == 422 and "Upload a PNG, JPEG or WebP image." in wrong.content.decode()
    assert not Completion.objects.exists()


def test_quiz_and_post_pages(hub, bare_program, make_ask, member):
    quiz = make_ask("quiz", points=20, config={"question": "Capital of Poland?", "choices": ["Warsaw", "Krakow"],
                                               "answers": ["Warsaw"]})
    response = hub.post(url(bare_program, quiz, "complete/"), {"answer": "Krakow"}, follow=True)
    html = response.content.decode()
    assert "That is not the right answer." in html and "You have done this ask." in html
    video = make_ask("video", points=0, config={"embed_url": "https://www.youtube-nocookie.com/embed/abc"})
    html = hub.get(url(bare_program, video)).content.decode()
    assert 'src="https://www.youtube-nocookie.com/embed/abc"' in html and "<form method" not in html


def test_arabic_page_is_right_to_left(hub, bare_program, make_ask, member):
    member.language = "ar"
    member.save()
    ask = make_ask(title="Follow us", titles={"ar": "تابعنا"})
    html = hub.get(url(bare_program, ask)).content.decode()
    assert 'dir="rtl"' in html and "تابعنا" in html


def test_needs_login(client, bare_program, make_ask):
    ask = make_ask()
    response = client.get(url(bare_program, ask))
    assert response.status_code == 302 and response["Location"] == f"/hub/{bare_program.slug}/login/"
