from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from chorus.core.signing import parse_click_id, visitor_hash
from chorus.referrals.models import Click
from chorus.referrals.services.links import set_vanity_code

from .conftest import BROWSER_UA


def _click_id(location: str) -> str:
    return parse_qs(urlsplit(location).query)["chorus_click"][0]


def test_click_redirects_to_the_destination_with_a_signed_click_id(visitor, program, advocate):
    response = visitor.get(f"/r/{advocate.link.code}", HTTP_REFERER="https://blog.example.net/post")

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://shop.example.com/?chorus_click=")
    token = _click_id(location)
    click_id = parse_click_id(token)
    assert (click_id.link_id, click_id.program_id) == (advocate.link.pk, program.pk)
    click = Click.objects.get()
    assert click.token == token
    assert click.link == advocate.link
    assert click.program == program
    assert click.visitor_hash == visitor_hash("203.0.113.10", BROWSER_UA)
    assert click.referrer == "https://blog.example.net/post"
    assert click.device == "desktop"
    assert (click.is_bot, click.is_unique) == (False, True)
    assert response["Cache-Control"] == "no-store, max-age=0"
    assert "sessionid" not in response.cookies


def test_repeat_click_from_the_same_visitor_is_not_unique(visitor, advocate):
    first = visitor.get(f"/r/{advocate.link.code}")
    second = visitor.get(f"/r/{advocate.link.code}")
    other_visitor = visitor.get(f"/r/{advocate.link.code}", REMOTE_ADDR="198.51.100.7")

    assert [first.status_code, second.status_code, other_visitor.status_code] == [302, 302, 302]
    assert _click_id(first["Location"]) != _click_id(second["Location"])
    assert list(Click.objects.order_by("created_at", "pk").values_list("is_unique", flat=True)) == [True, False, True]


def test_bot_click_is_flagged_and_still_redirected(client, advocate):
    response = client.get(f"/r/{advocate.link.code}", HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)")

    assert response.status_code == 302
    click = Click.objects.get()
    assert (click.is_bot, click.device, click.is_unique) == (True, "bot", False)


@pytest.mark.parametrize("query", [
    "?url=https://evil.example.org/", "?next=https://evil.example.org/", "?redirect=//evil.example.org",
    "?destination=https://evil.example.org&chorus_click=forged", "?to=javascript:alert(1)",
])
def test_no_request_parameter_changes_the_target(visitor, advocate, query):
    response = visitor.get(f"/r/{advocate.link.code}{query}")

    assert response.status_code == 302
    location = response["Location"]
    assert urlsplit(location)[:3] == ("https", "shop.example.com", "/")
    assert list(parse_qs(urlsplit(location).query)) == ["chorus_click"]
    assert _click_id(location) == Click.objects.get().token


def test_link_destination_inside_the_program_is_used(visitor, advocate):
    advocate.link.destination = "https://shop.example.com/pricing?plan=pro"
    advocate.link.save(update_fields=["destination"])

    response = visitor.get(f"/r/{advocate.link.code}")

    assert response["Location"].startswith("https://shop.example.com/pricing?plan=pro&chorus_click=")


def test_code_is_case_insensitive_and_forgives_a_trailing_slash(visitor, advocate):
    assert visitor.get(f"/r/{advocate.link.code.upper()}").status_code == 302
    assert visitor.get(f"/r/{advocate.link.code}/").status_code == 302
    assert Click.objects.count() == 2


def test_vanity_route(visitor, program, advocate):
    set_vanity_code(advocate.link, "Jane-Rocks")

    response = visitor.get(f"/r/{program.slug}/JANE-ROCKS")

    assert response.status_code == 302
    assert response["Location"].startswith("https://shop.example.com/?chorus_click=")
    assert Click.objects.get().link == advocate.link


def test_vanity_of_another_program_is_not_found(visitor, workspace, program, advocate):
    from chorus.testing import factories

    other = factories.make_program(workspace, slug="partners")
    set_vanity_code(advocate.link, "jane")

    response = visitor.get(f"/r/{other.slug}/jane")

    assert response.status_code == 404
    assert Click.objects.count() == 0


def test_unknown_code_gives_the_friendly_404_page(visitor, db):
    response = visitor.get("/r/doesnotexist")

    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "hub/link_missing.html"
    assert "We could not find this link" in response.content.decode()
    assert Click.objects.count() == 0


def test_unknown_code_page_follows_the_browser_language(visitor, db):
    response = visitor.get("/r/doesnotexist", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 404
    assert response.templates[0].name == "hub/link_missing.html"
    assert response["Content-Language"] == "de"
    html = response.content.decode()
    assert '<html lang="de" dir="ltr">' in html
    with translation.override("de"):  # German once the catalog has it, English until then
        assert gettext("We could not find this link") in html


@pytest.mark.parametrize("change", ["link_off", "expired", "advocate_disabled", "program_off"])
def test_disabled_or_expired_link_gives_the_410_page(visitor, program, advocate, change):
    link = advocate.link
    if change == "link_off":
        link.is_active = False
        link.save(update_fields=["is_active"])
    elif change == "expired":
        link.expires_at = timezone.now() - timezone.timedelta(minutes=1)
        link.save(update_fields=["expires_at"])
    elif change == "advocate_disabled":
        advocate.status = "disabled"
        advocate.save(update_fields=["status"])
    else:
        program.is_active = False
        program.save(update_fields=["is_active"])

    response = visitor.get(f"/r/{link.code}")

    assert response.status_code == 410
    assert response.templates[0].name == "hub/link_gone.html"
    assert "This link is no longer active" in response.content.decode()
    assert Click.objects.count() == 0


def test_arabic_410_page_is_right_to_left(visitor, advocate):
    advocate.link.is_active = False
    advocate.link.save(update_fields=["is_active"])

    response = visitor.get(f"/r/{advocate.link.code}", HTTP_ACCEPT_LANGUAGE="ar")

    assert response.status_code == 410
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    with translation.override("ar"):
        assert gettext("This link is no longer active") in html


def test_database_trouble_gives_the_try_again_page(visitor, advocate, monkeypatch):
    from django.db import OperationalError

    from chorus.referrals.services import clicks

    def database_down(code):
        raise OperationalError("database is down")

    monkeypatch.setattr(clicks, "_load_target", database_down)

    response = visitor.get(f"/r/{advocate.link.code}")

    assert response.status_code == 503
    assert response.templates[0].name == "hub/try_again.html"
    assert response["Retry-After"] == "30"


def test_tracking_trouble_never_breaks_the_redirect(visitor, advocate, monkeypatch):
    from chorus.referrals.services import clicks

    def cannot_record(*args, **kwargs):
        raise RuntimeError("click store unavailable")

    monkeypatch.setattr(clicks.recorder, "record", cannot_record)

    response = visitor.get(f"/r/{advocate.link.code}")

    assert response.status_code == 302
    assert parse_click_id(_click_id(response["Location"])).link_id == advocate.link.pk
    assert Click.objects.count() == 0


def test_program_with_friend_page_first_shows_it_with_a_continue_link(visitor, program, advocate):
    program.show_friend_page = True
    program.save(update_fields=["show_friend_page"])

    response = visitor.get(f"/r/{advocate.link.code}?url=https://evil.example.org/")

    assert response.status_code == 200
    assert response.templates[0].name == "hub/friend.html"
    click = Click.objects.get()
    html = response.content.decode()
    assert "Jane invited you — 20% off your first order" in html
    assert f'href="https://shop.example.com/?chorus_click={click.token}"' in html
    assert "evil.example.org" not in html
    # switching language re-renders the friend page, not the click (which would count again)
    assert f'name="next" value="/p/{program.slug}/invite/{advocate.link.code}/"' in html
    assert "sessionid" not in response.cookies


def test_head_request_answers_without_counting_a_click(visitor, advocate):
    response = visitor.head(f"/r/{advocate.link.code}")
    assert response.status_code == 302 and "chorus_click=" in response["Location"]
    assert Click.objects.count() == 0


def test_behind_a_trusted_proxy_the_forwarded_address_identifies_the_visitor(visitor, advocate, settings):
    settings.CHORUS_TRUSTED_PROXIES = 1
    visitor.get(f"/r/{advocate.link.code}", HTTP_X_FORWARDED_FOR="203.0.113.50", HTTP_USER_AGENT=BROWSER_UA)
    assert Click.objects.get().visitor_hash == visitor_hash("203.0.113.50", BROWSER_UA)
