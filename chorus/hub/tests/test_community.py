"""Hub pages of the content vault and of events & clubs: sharing, codes, QR, RSVP, members."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from chorus.advocates.services import issue_login_token
from chorus.campaigns import content, events
from chorus.campaigns.models import Invitation
from chorus.campaigns.tests.conftest import image_upload
from chorus.core.signing import parse_click_id
from chorus.testing import factories

GUIDE = "https://shop.example.com/guides/dashboards"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hub(visitor, program, advocate):
    visitor.post(f"/hub/{program.slug}/login/{issue_login_token(advocate)}/")
    return visitor


@pytest.fixture
def guide(program):
    return content.create_content(program, kind="article", title="Dashboards guide", destination_url=GUIDE,
                                  share_text="How we read our numbers", titles={"ar": "دليل اللوحات"})


@pytest.fixture
def dinner(program):
    return events.create_event(program, title="Customer dinner", starts_at=timezone.now() + timedelta(days=7),
                               location="Berlin", capacity=1, points=250)


def test_vault_lists_items_with_the_advocates_own_share_links(hub, program, advocate, guide):
    hidden = content.create_content(program, kind="link", title="Retired", destination_url=GUIDE, is_active=False)
    html = hub.get(f"/hub/{program.slug}/content/").content.decode()
    share = f"http://127.0.0.1:8000/r/{advocate.link.code}?c={guide.pk}"
    assert "Dashboards guide" in html and hidden.title not in html
    assert f'value="{share}"' in html
    hrefs = {key: unescape(url) for key, url in re.findall(r'share-(\w+)" href="([^"]+)"', html)}
    assert parse_qs(urlsplit(hrefs["x"]).query) == {"text": ["How we read our numbers"], "url": [share]}
    assert parse_qs(urlsplit(hrefs["linkedin"]).query) == {"url": [share]}
    assert parse_qs(urlsplit(hrefs["facebook"]).query) == {"u": [share]}
    assert parse_qs(urlsplit(hrefs["email"]).query)["body"] == [f"How we read our numbers {share}"]
    # the shared link works and is counted on the page
    assert hub.get(share.removeprefix("http://127.0.0.1:8000"), REMOTE_ADDR="198.51.100.4")["Location"].startswith(GUIDE)
    assert "1 click through your link" in hub.get(f"/hub/{program.slug}/content/").content.decode()


def test_vault_needs_login(visitor, program):
    assert visitor.get(f"/hub/{program.slug}/content/")["Location"] == f"/hub/{program.slug}/login/"


def test_vault_in_arabic_is_right_to_left(hub, program, advocate, guide):
    advocate.language = "ar"
    advocate.save()
    html = hub.get(f"/hub/{program.slug}/content/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "دليل اللوحات" in html


def test_image_item_public_page_and_image(visitor, program, advocate):
    item = content.create_content(program, kind="image", title="Team photo", image=image_upload())
    location = visitor.get(f"/r/{advocate.link.code}", {"c": item.pk})["Location"]
    token = parse_qs(urlsplit(location).query)["chorus_click"][0]
    page = visitor.get(f"/p/{program.slug}/content/{item.pk}/", {"chorus_click": token})
    html = page.content.decode()
    assert page.status_code == 200 and "Team photo" in html
    assert f'href="https://shop.example.com/?chorus_click={token}"' in html
    assert f'og:image" content="http://testserver/p/{program.slug}/content/{item.pk}/image"' in html
    forged = visitor.get(f"/p/{program.slug}/content/{item.pk}/", {"chorus_click": "forged"}).content.decode()
    assert 'href="https://shop.example.com/"' in forged
    image = visitor.get(f"/p/{program.slug}/content/{item.pk}/image")
    assert (image.status_code, image["Content-Type"]) == (200, "image/jpeg")
    assert b"".join(image.streaming_content)[:2] == b"\xff\xd8"
    assert parse_click_id(token).program_id == program.pk


def test_events_page_shows_code_qr_and_rsvp(hub, program, advocate, dinner):
    invitation = events.invite(dinner, [advocate]).invited[0]
    html = hub.get(f"/hub/{program.slug}/events/").content.decode()
    assert "Customer dinner" in html and invitation.code in html
    assert f'src="/hub/{program.slug}/events/{dinner.pk}/qr.svg"' in html
    qr = hub.get(f"/hub/{program.slug}/events/{dinner.pk}/qr.svg")
    assert (qr.status_code, qr["Content-Type"]) == (200, "image/svg+xml")
    response = hub.post(f"/hub/{program.slug}/events/{dinner.pk}/rsvp/", {"attending": "yes"})
    assert response["Location"] == f"/hub/{program.slug}/events/"
    invitation.refresh_from_db()
    assert invitation.rsvp == "yes"
    assert "See you at “Customer dinner”." in hub.get(response["Location"]).content.decode()


def test_rsvp_to_a_full_event_says_so_in_place(hub, program, advocate, dinner):
    someone = factories.make_advocate(program)
    events.invite(dinner, [advocate, someone])
    events.rsvp(someone, True, event=dinner)
    response = hub.post(f"/hub/{program.slug}/events/{dinner.pk}/rsvp/", {"attending": "yes"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<section class="card event-card"')
    assert "Sorry, this event is full: all 1 seats are taken." in html
    assert Invitation.objects.get(advocate=advocate).rsvp == "none"


def test_uninvited_advocate_gets_404s(hub, program, dinner):
    assert hub.post(f"/hub/{program.slug}/events/{dinner.pk}/rsvp/", {"attending": "yes"}).status_code == 404
    assert hub.get(f"/hub/{program.slug}/events/{dinner.pk}/qr.svg").status_code == 404
    assert hub.get(f"/hub/{program.slug}/events/{dinner.pk}/members/").status_code == 404
    assert not Invitation.objects.exists()


def test_club_members_page_is_for_members(hub, program, advocate):
    club = events.create_event(program, kind="club", title="Power users")
    friend = factories.make_advocate(program, name="Kenji Sato")
    events.invite(club, [advocate, friend])
    events.rsvp(friend, True, event=club)
    assert hub.get(f"/hub/{program.slug}/events/{club.pk}/members/").status_code == 404
    hub.post(f"/hub/{program.slug}/events/{club.pk}/rsvp/", {"attending": "yes"})
    html = hub.get(f"/hub/{program.slug}/events/{club.pk}/members/").content.decode()
    assert "2 members" in html and "Kenji Sato" in html and "Jane Doe" in html
