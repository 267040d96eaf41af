import re
from urllib.parse import parse_qs, urlsplit

import pytest

from chorus.referrals.models import Click, FriendClaim
from chorus.referrals.services.links import set_vanity_code
from chorus.testing import factories


@pytest.fixture
def landing_program(workspace):
    return factories.make_program(
        workspace, name="Acme Friends", slug="friends", landing_title="Share Acme, get rewarded",
        landing_body="Tell your friends about Acme.", advocate_offer="500 points for every new customer",
    )


def test_landing_page_says_what_to_do_and_what_you_get(visitor, landing_program):
    response = visitor.get("/p/friends/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Share Acme, get rewarded</h1>" in html
    assert "Tell your friends about Acme." in html
    assert "500 points for every new customer" in html
    assert "20% off your first order" in html
    assert 'href="/p/friends/join/"' in html
    assert 'href="/hub/friends/login/"' in html
    assert 'action="/p/friends/claim/"' in html


def test_landing_page_has_no_third_party_resources(visitor, landing_program):
    html = visitor.get("/p/friends/").content.decode()

    for attribute in ("src=", "href="):
        for chunk in html.split(attribute)[1:]:
            url = chunk[1:].split(chunk[0])[0]
            assert not url.startswith(("http://", "https://", "//")) or url.startswith("https://shop.example.com"), url


def test_inactive_or_unknown_program_pages_are_404(visitor, program):
    program.is_active = False
    program.save(update_fields=["is_active"])

    assert visitor.get(f"/p/{program.slug}/").status_code == 404
    assert visitor.get("/p/nope/").status_code == 404


def test_friend_page_shows_who_invited_them_and_the_offer(visitor, program, advocate):
    response = visitor.get(f"/p/{program.slug}/invite/{advocate.link.code}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Jane invited you — 20% off your first order" in html
    assert "Jane uses Acme Customers and thought you would like it too." in html
    assert advocate.link.promo_code in html
    assert f'href="/p/{program.slug}/invite/{advocate.link.code}/go/"' in html
    assert "Doe" not in html  # only the first name is shown to strangers
    assert Click.objects.count() == 0  # looking is not clicking


def test_friend_page_without_an_offer(visitor, program, advocate):
    program.friend_offer = ""
    program.save(update_fields=["friend_offer"])

    html = visitor.get(f"/p/{program.slug}/invite/{advocate.link.code}/").content.decode()

    assert "Jane invited you to Acme Customers" in html


def test_friend_page_by_vanity_code_and_continue_records_the_click(visitor, program, advocate):
    set_vanity_code(advocate.link, "jane")
    assert visitor.get(f"/p/{program.slug}/invite/jane/").status_code == 200

    response = visitor.get(f"/p/{program.slug}/invite/jane/go/?url=https://evil.example.org/")

    assert response.status_code == 302
    click = Click.objects.get()
    assert response["Location"] == f"https://shop.example.com/?chorus_click={click.token}"
    assert click.link == advocate.link


def test_continue_goes_to_the_destination_when_the_program_shows_the_friend_page_first(visitor, program, advocate):
    program.show_friend_page = True
    program.save(update_fields=["show_friend_page"])

    response = visitor.get(f"/p/{program.slug}/invite/{advocate.link.code}/go/")

    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["chorus_click"] == [Click.objects.get().token]


def test_friend_page_of_another_programs_code_is_404(visitor, workspace, advocate):
    other = factories.make_program(workspace, slug="partners")

    assert visitor.get(f"/p/{other.slug}/invite/{advocate.link.code}/").status_code == 404


def test_friend_page_of_a_disabled_link_is_410(visitor, program, advocate):
    advocate.link.is_active = False
    advocate.link.save(update_fields=["is_active"])

    response = visitor.get(f"/p/{program.slug}/invite/{advocate.link.code}/")

    assert response.status_code == 410
    assert response.templates[0].name == "hub/link_gone.html"


def test_claim_form_records_who_referred_the_friend(visitor, program, advocate):
    response = visitor.post(f"/p/{program.slug}/claim/", {"friend_email": "Friend@Example.org", "advocate": "JANE@example.com"})

    assert response.status_code == 200
    assert "Thank you!" in response.content.decode()
    claim = FriendClaim.objects.get()
    assert (claim.program, claim.advocate, claim.friend_email_normalized) == (program, advocate, "friend@example.org")


def test_claim_by_exact_name_over_htmx_returns_the_partial(visitor, program, advocate):
    response = visitor.post(f"/p/{program.slug}/claim/", {"friend_email": "friend@example.org", "advocate": "jane doe"},
                            HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "hub/_claim_form.html"
    assert FriendClaim.objects.get().advocate == advocate


def _without_csrf_tokens(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def test_claim_answers_the_same_when_nobody_matches(visitor, program, advocate):
    data = {"friend_email": "friend@example.org"}
    matched = visitor.post(f"/p/{program.slug}/claim/", {**data, "advocate": "jane@example.com"}).content.decode()
    unmatched = visitor.post(f"/p/{program.slug}/claim/", {**data, "advocate": "nobody@example.com"}).content.decode()

    assert _without_csrf_tokens(matched) == _without_csrf_tokens(unmatched)
    assert FriendClaim.objects.count() == 1


def test_claim_with_a_bad_email_shows_the_error_and_records_nothing(visitor, program, advocate):
    response = visitor.post(f"/p/{program.slug}/claim/", {"friend_email": "not-an-email", "advocate": "jane@example.com"})

    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()
    assert FriendClaim.objects.count() == 0


def test_claims_are_rate_limited_per_ip(visitor, program, advocate):
    data = {"friend_email": "friend@example.org", "advocate": "jane@example.com"}
    answers = [visitor.post(f"/p/{program.slug}/claim/", data).status_code for _ in range(11)]

    assert answers == [200] * 10 + [429]
    assert FriendClaim.objects.count() == 10
