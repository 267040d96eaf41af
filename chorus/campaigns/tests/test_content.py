"""The content vault (E4): items, their destinations and images, and share clicks that count
for both the advocate and the item — through the lean WSGI path and through Django."""

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chorus.campaigns import content
from chorus.campaigns.models import ContentItem
from chorus.core.errors import InvalidInput
from chorus.core.signing import parse_click_id
from chorus.referrals.models import Click, Referral
from chorus.referrals.services import clicks
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.referrals.services.links import link_url, set_vanity_code
from chorus.referrals.tests.test_fastpath import call
from chorus.testing.factories import make_advocate, make_program
from config.wsgi import application

from .conftest import content_image_upload as image_upload

pytestmark = pytest.mark.django_db
GUIDE = "https://shop.example.com/guides/dashboards"


@pytest.fixture
def guide(program, owner):
    return content.create_content(program, user=owner, kind="article", title="Dashboards guide",
                                  titles={"de": "Dashboard-Leitfaden"}, destination_url=GUIDE,
                                  share_text="How we read our numbers")


def _token(location: str) -> str:
    return parse_qs(urlsplit(location).query)["chorus_click"][0]


# --- items ---------------------------------------------------------------------------------

def test_destination_must_be_one_of_the_programs_allowed_destinations(program):
    with pytest.raises(InvalidInput) as refused:
        content.create_content(program, kind="article", title="Elsewhere", destination_url="https://evil.example.net/x")
    assert refused.value.field_errors == {"destination_url": [
        "This address is not one of the program's allowed destinations (see the program settings)."]}
    with pytest.raises(InvalidInput) as missing:
        content.create_content(program, kind="video", title="No address")
    assert list(missing.value.field_errors) == ["destination_url"]
    with pytest.raises(InvalidInput) as scheme:
        content.create_content(program, kind="link", title="Script", destination_url="javascript:alert(1)")
    assert list(scheme.value.field_errors) == ["destination_url"]
    assert not ContentItem.objects.exists()


def test_texts_per_language(guide):
    assert (guide.localized_title("de"), guide.localized_title("ja")) == ("Dashboard-Leitfaden", "Dashboards guide")
    with pytest.raises(InvalidInput) as refused:
        content.update_content(guide, titles={"xx": "?"})
    assert list(refused.value.field_errors) == ["titles"]


def test_image_is_reencoded_without_what_came_after_it(program):
    upload = image_upload(trailer=b"<?php echo 'payload'; ?>")
    item = content.create_content(program, kind="image", title="Team photo", image=upload)
    stored = default_storage.open(item.image.name).read()
    assert item.image.name.startswith(f"content/{program.pk}/") and item.image.name.endswith(".jpg")
    assert b"payload" not in stored
    assert Image.open(io.BytesIO(stored)).size == (64, 48)
    transparent = content.create_content(program, kind="image", title="Logo", image=image_upload("logo.png", "PNG", mode="RGBA"))
    assert transparent.image.name.endswith(".png")


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("notes.png", b"not an image at all", content_type="image/png"), "This file is not an image we can read."),
    (image_upload("old.bmp", "BMP"), "Upload a JPEG, PNG, WebP or GIF image of at most 5 MB."),
])
def test_uploads_of_the_wrong_type_are_refused(program, upload, message):
    with pytest.raises(InvalidInput) as refused:
        content.create_content(program, kind="image", title="Bad", image=upload)
    assert refused.value.field_errors == {"image": [message]}
    assert not ContentItem.objects.exists()


def test_oversized_upload_is_refused(program, monkeypatch):
    monkeypatch.setattr(content, "IMAGE_MAX_BYTES", 100)
    with pytest.raises(InvalidInput) as refused:
        content.create_content(program, kind="image", title="Big", image=image_upload(size=(300, 300)))
    assert refused.value.field_errors == {"image": ["This file is larger than 5 MB."]}
    assert not ContentItem.objects.exists()


# --- share clicks ------------------------------------------------------------------------------

def test_share_click_through_the_lean_path_counts_for_advocate_and_item(advocate, program, guide):
    response = call(application, f"/r/{advocate.link.code}", query=f"c={guide.pk}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(GUIDE + "?chorus_click=")
    click = Click.objects.get()
    assert (click.link.advocate, click.content, click.token) == (advocate, guide, _token(location))
    assert parse_click_id(click.token).link_id == advocate.link.pk


def test_share_click_through_django_and_vanity_path(visitor, advocate, program, guide):
    set_vanity_code(advocate.link, "jane")
    response = visitor.get(f"/r/{program.slug}/jane", {"c": guide.pk})
    assert response.status_code == 302 and response["Location"].startswith(GUIDE + "?chorus_click=")
    plain = visitor.get(f"/r/{advocate.link.code}")
    assert plain["Location"].startswith("https://shop.example.com/?chorus_click=")
    assert list(Click.objects.order_by("pk").values_list("content_id", flat=True)) == [guide.pk, None]


def test_friend_page_continues_to_the_item(visitor, advocate, program, guide):
    program.show_friend_page = True
    program.save()
    response = visitor.get(f"/r/{advocate.link.code}", {"c": guide.pk})
    assert response.status_code == 200
    assert response.context["continue_url"].startswith(GUIDE + "?chorus_click=")
    assert Click.objects.get().content == guide


def test_another_programs_item_or_a_junk_id_is_ignored(visitor, advocate, workspace):
    foreign = content.create_content(make_program(workspace, slug="other"), kind="link", title="Theirs",
                                     destination_url="https://shop.example.com/theirs")
    for value in (str(foreign.pk), "abc", "9" * 30):
        response = visitor.get(f"/r/{advocate.link.code}", {"c": value})
        assert response["Location"].startswith("https://shop.example.com/?chorus_click=")
    assert set(Click.objects.values_list("content_id", flat=True)) == {None}


def test_inactive_item_still_counts_but_sends_to_the_link_destination(visitor, advocate, guide):
    content.update_content(guide, is_active=False)
    response = visitor.get(f"/r/{advocate.link.code}", {"c": guide.pk})
    assert response["Location"].startswith("https://shop.example.com/?chorus_click=")
    assert Click.objects.get().content == guide


def test_image_item_lands_on_its_public_page(visitor, advocate, program):
    item = content.create_content(program, kind="image", title="Team photo", image=image_upload())
    response = visitor.get(f"/r/{advocate.link.code}", {"c": item.pk})
    base = content.settings.CHORUS_BASE_URL
    assert response["Location"].startswith(f"{base}/p/{program.slug}/content/{item.pk}/?chorus_click=")


def test_no_query_without_a_content_parameter_and_one_cached_lookup_with_one(advocate, guide, django_assert_num_queries):
    code = advocate.link.code
    clicks.handle_click(code, ip="203.0.113.1", user_agent="Firefox", referrer="", record=False)  # link cached
    with django_assert_num_queries(0):
        clicks.handle_click(code, ip="203.0.113.1", user_agent="Firefox", referrer="", record=False)
    with django_assert_num_queries(1):
        clicks.handle_click(code, ip="203.0.113.1", user_agent="Firefox", referrer="", record=False, content=str(guide.pk))
    with django_assert_num_queries(0):
        outcome = clicks.handle_click(code, ip="203.0.113.1", user_agent="Firefox", referrer="", record=False,
                                      content=str(guide.pk))
    assert outcome.location.startswith(GUIDE)


def test_conversions_from_item_clicks_count_for_the_item(visitor, advocate, program, guide):
    other = make_advocate(program)
    first = visitor.get(f"/r/{advocate.link.code}", {"c": guide.pk})
    second = visitor.get(f"{link_url(other.link).removeprefix(content.settings.CHORUS_BASE_URL)}",
                         {"c": guide.pk}, REMOTE_ADDR="198.51.100.20")
    visitor.get(f"/r/{advocate.link.code}", REMOTE_ADDR="198.51.100.30")  # a plain click of someone else
    record_conversion(program, ConversionInput(type="signup", customer_external_id="f1", click_id=_token(first["Location"])))
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="f1", amount=4900, currency="USD",
                                               order_id="o-1"))
    record_conversion(program, ConversionInput(type="signup", customer_external_id="f2", click_id=_token(second["Location"])))
    assert Referral.objects.get(customer__external_id="f1").advocate == advocate  # attribution unchanged
    numbers = content.content_numbers(program)
    assert numbers == {guide.pk: content.ContentNumbers(clicks=2, unique_clicks=2, signups=2, purchases=1)}
    assert content.content_numbers(program, advocate=advocate)[guide.pk] == content.ContentNumbers(1, 1, 1, 1)


def test_buffered_writer_keeps_the_item_of_each_click(advocate, guide, settings, monkeypatch):
    settings.CHORUS_CLICK_FLUSH_SECONDS = 3600
    monkeypatch.setattr(clicks.recorder, "_start_flusher", lambda: None)
    call(application, f"/r/{advocate.link.code}", query=f"utm_source=x&c={guide.pk}")
    call(application, f"/r/{advocate.link.code}", REMOTE_ADDR="198.51.100.7")
    assert (clicks.recorder.pending(), Click.objects.count()) == (2, 0)
    assert clicks.flush_clicks() == 2
    assert list(Click.objects.order_by("created_at", "pk").values_list("content_id", "is_unique")) == [
        (guide.pk, True), (None, True)]
