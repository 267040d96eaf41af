"""Console: content vault editor and numbers, events & clubs editor, invitations, check-in by code."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chorus.campaigns import content, events
from chorus.campaigns.models import ContentItem, Event, Invitation
from chorus.campaigns.tests.conftest import image_upload
from chorus.core.models import AuditEvent
from chorus.rewards import points
from chorus.testing import factories


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dinner(program):
    return events.create_event(program, title="Customer dinner", starts_at=timezone.now() + timedelta(days=3),
                               points=300, capacity=20)


def content_data(**changes):
    data = {"kind": "article", "title": "Dashboards guide", "destination_url": "https://shop.example.com/guide",
            "description": "", "share_text": "Worth a read", "order": "0", "is_active": "on",
            "title_de": "Dashboard-Leitfaden", "title_ar": ""}
    data.update(changes)
    return data


def test_add_content_item_with_translations_and_see_its_numbers(owner_client, owner, program, advocate, client):
    response = owner_client.post(reverse("console:content", args=[program.slug]), content_data())
    assert response.status_code == 302
    item = ContentItem.objects.get()
    assert (item.title, item.titles, item.share_text) == ("Dashboards guide", {"de": "Dashboard-Leitfaden"}, "Worth a read")
    assert AuditEvent.objects.get(action="content.created").actor == owner
    client.get(f"/r/{advocate.link.code}", {"c": item.pk}, HTTP_USER_AGENT="Mozilla/5.0 Firefox/120")
    page = owner_client.get(reverse("console:content", args=[program.slug])).content.decode()
    assert "Dashboards guide" in page and 'data-stat="clicks">1<' in page


def test_content_destination_outside_the_program_is_refused(owner_client, program):
    response = owner_client.post(reverse("console:content", args=[program.slug]),
                                 content_data(destination_url="https://elsewhere.example.net/"))
    assert response.status_code == 422
    assert "not one of the program&#x27;s allowed destinations" in response.content.decode()
    assert not ContentItem.objects.exists()


def test_image_upload_through_the_form(owner_client, program):
    response = owner_client.post(reverse("console:content", args=[program.slug]),
                                 content_data(kind="image", destination_url="", image=image_upload()))
    assert response.status_code == 302
    assert ContentItem.objects.get().image.name.endswith(".jpg")
    bad = owner_client.post(reverse("console:content", args=[program.slug]),
                            content_data(kind="image", destination_url="", title="Bad",
                                         image=image_upload("x.bmp", "BMP")))
    assert bad.status_code == 422 and ContentItem.objects.count() == 1


def test_edit_and_delete_content(owner_client, program):
    item = content.create_content(program, kind="link", title="Old", destination_url="https://shop.example.com/a")
    url = reverse("console:content_edit", args=[program.slug, item.pk])
    assert owner_client.get(url).status_code == 200
    assert owner_client.post(url, content_data(kind="link", title="New", is_active="")).status_code == 302
    item.refresh_from_db()
    assert (item.title, item.is_active) == ("New", False)
    owner_client.post(reverse("console:content_delete", args=[program.slug, item.pk]))
    assert not ContentItem.objects.exists()


def test_teammate_may_look_but_not_change(client, teammate, program, dinner):
    client.force_login(teammate)
    assert client.get(reverse("console:content", args=[program.slug])).status_code == 200
    assert client.post(reverse("console:content", args=[program.slug]), content_data()).status_code == 404
    assert client.post(reverse("console:event_invite", args=[program.slug, dinner.pk]), {"segment": "all"}).status_code == 404
    assert not ContentItem.objects.exists() and not Invitation.objects.exists()


def test_outsider_sees_nothing(client, outsider, program, dinner):
    client.force_login(outsider)
    assert client.get(reverse("console:events", args=[program.slug])).status_code == 404
    assert client.get(reverse("console:event", args=[program.slug, dinner.pk])).status_code == 404


def test_create_event_then_invite_by_email_and_segment(owner_client, program, advocate):
    german = factories.make_advocate(program, language="de")
    response = owner_client.post(reverse("console:events", args=[program.slug]), {
        "kind": "event", "title": "Roadmap preview", "starts_at": "2030-05-01T18:00", "ends_at": "2030-05-01T21:00",
        "location": "Online", "online_url": "https://meet.example.com/x", "capacity": "", "points": "200",
        "is_active": "on", "title_ja": "ロードマップ"})
    event = Event.objects.get(title="Roadmap preview")
    assert response["Location"] == reverse("console:event", args=[program.slug, event.pk])
    assert (event.titles, event.points, event.capacity, event.starts_at.hour) == ({"ja": "ロードマップ"}, 200, None, 18)
    invite_url = reverse("console:event_invite", args=[program.slug, event.pk])
    refused = owner_client.post(invite_url, {"advocates": "JANE@example.com\nnobody@example.com", "segment": ""})
    assert refused.status_code == 422 and "nobody@example.com" in refused.content.decode()
    assert not Invitation.objects.exists()
    owner_client.post(invite_url, {"advocates": "JANE@example.com", "segment": "language:de"})
    assert set(Invitation.objects.values_list("advocate_id", flat=True)) == {advocate.pk, german.pk}
    page = owner_client.get(reverse("console:event", args=[program.slug, event.pk])).content.decode()
    assert Invitation.objects.get(advocate=advocate).code in page and "2 invited" in page


def test_check_in_by_code_in_place_and_twice(owner_client, program, advocate, dinner):
    invitation = events.invite(dinner, [advocate]).invited[0]
    url = reverse("console:event_check_in", args=[program.slug, dinner.pk])
    assert owner_client.get(url).status_code == 200
    first = owner_client.post(url, {"code": invitation.code.lower()}, HTTP_HX_REQUEST="true")
    html = first.content.decode()
    assert html.startswith('<section class="panel" id="check-in">')
    assert "Jane Doe checked in: 300 points credited." in html
    second = owner_client.post(url, {"code": invitation.code})
    assert second.status_code == 409 and "Jane Doe is already checked in" in second.content.decode()
    unknown = owner_client.post(url, {"code": "ABCD-EFGH"})
    assert unknown.status_code == 404 and "No invitation has the code “ABCD-EFGH”" in unknown.content.decode()
    assert points.balance(advocate) == 300


def test_check_in_from_the_attendee_list_without_javascript(owner_client, program, advocate, dinner):
    invitation = events.invite(dinner, [advocate]).invited[0]
    response = owner_client.post(reverse("console:event_check_in", args=[program.slug, dinner.pk]),
                                 {"code": invitation.code, "back": "attendees"})
    assert response["Location"] == reverse("console:event", args=[program.slug, dinner.pk]) + "#attendees"
    page = owner_client.get(response["Location"]).content.decode()
    assert "Jane Doe checked in: 300 points credited." in page and "1 checked in" in page


def test_wrong_event_code_at_check_in(owner_client, program, advocate, dinner):
    other = events.create_event(program, title="Meetup", starts_at=timezone.now() + timedelta(days=9))
    code = events.invite(other, [advocate]).invited[0].code
    response = owner_client.post(reverse("console:event_check_in", args=[program.slug, dinner.pk]), {"code": code})
    assert response.status_code == 409 and "This code is for “Meetup”, not this event." in response.content.decode()
    assert not Invitation.objects.filter(checked_in_at__isnull=False).exists()


def test_edit_event_and_refuse_an_end_before_the_start(owner_client, program, dinner):
    url = reverse("console:event", args=[program.slug, dinner.pk])
    data = {"kind": "event", "title": "Customer dinner", "starts_at": "2030-05-01T18:00", "ends_at": "2030-05-01T17:00",
            "location": "Hamburg", "online_url": "", "capacity": "", "points": "300", "is_active": "on"}
    refused = owner_client.post(url, data)
    assert refused.status_code == 422 and "The end must not be before the start." in refused.content.decode()
    dinner.refresh_from_db()
    assert dinner.location == ""
    assert owner_client.post(url, {**data, "ends_at": "2030-05-01T22:00"}).status_code == 302
    dinner.refresh_from_db()
    assert (dinner.location, dinner.capacity, dinner.ends_at.hour) == ("Hamburg", None, 22)


def test_events_list_shows_counts(owner_client, program, advocate, dinner):
    events.invite(dinner, [advocate])
    events.rsvp(advocate, True, event=dinner)
    html = owner_client.get(reverse("console:events", args=[program.slug])).content.decode()
    assert "Customer dinner" in html and '<td class="number">1</td>' in html


def test_check_in_from_the_attendee_row_in_place(owner_client, program, advocate, dinner):
    invitation = events.invite(dinner, [advocate]).invited[0]
    url = reverse("console:event_check_in", args=[program.slug, dinner.pk])
    first = owner_client.post(url, {"code": invitation.code, "back": "attendees"}, HTTP_HX_REQUEST="true")
    html = first.content.decode()
    assert first.status_code == 200 and html.startswith(f'<tr id="invitation-{invitation.pk}">')
    assert "Jane Doe checked in: 300 points credited." in html
    again = owner_client.post(url, {"code": invitation.code, "back": "attendees"}, HTTP_HX_REQUEST="true").content.decode()
    assert again.startswith(f'<tr id="invitation-{invitation.pk}">') and "Jane Doe is already checked in" in again
    assert points.balance(advocate) == 300
