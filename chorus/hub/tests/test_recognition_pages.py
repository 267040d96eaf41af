import re

import pytest

from chorus.advocates.models import Advocate
from chorus.advocates.services import issue_login_token
from chorus.rewards import badges, points, wall
from chorus.rewards.models import Badge
from chorus.testing import factories


@pytest.fixture
def hub(visitor, program, advocate):
    visitor.post(f"/hub/{program.slug}/login/{issue_login_token(advocate)}/")
    return visitor


def earn(advocate, amount):
    return points.credit(advocate, amount, source=factories.make_advocate(advocate.program, name="Source Row"),
                         note="Wrote a review")[0]


def test_progress_shows_level_points_to_next_badges_and_feed(hub, program, advocate):
    earn(advocate, 1200)
    points.debit(advocate, 300, source=factories.make_advocate(program))
    badges.award_earned_badges(advocate)
    html = hub.get(f"/hub/{program.slug}/progress/").content.decode()
    assert 'data-stat="earned">1,200 points<' in html
    assert 'data-balance="points">900 points<' in html
    assert 'aria-valuenow="46"' in html  # (1200 - 500) / (2000 - 500)
    assert "800 points to go until Champion." in html
    earned = re.findall(r'class="badge-tile earned" data-badge="([\w-]+)"', html)
    locked = re.findall(r'class="badge-tile locked" data-badge="([\w-]+)"', html)
    assert sorted(earned) == ["early-adopter", "thousand-points"]
    assert locked == ["first-referral", "five-reviews", "four-week-streak"]
    assert "You reached Insider" in html
    assert "You earned the badge “1,000 points”" in html
    assert "+1,200 points · Points for an activity" in html and "(Wrote a review)" in html
    assert '<a href="/hub/acme/progress/" aria-current="page">My progress</a>' in html


def test_progress_at_the_top_level(hub, program, advocate):
    earn(advocate, 6000)
    html = hub.get(f"/hub/{program.slug}/progress/").content.decode()
    assert "You reached the top level. Thank you!" in html


def test_hub_pages_need_a_login(visitor, program):
    for page in ("progress", "leaderboard", "profile"):
        response = visitor.get(f"/hub/{program.slug}/{page}/")
        assert (response.status_code, response["Location"]) == (302, f"/hub/{program.slug}/login/")


def test_pages_render_right_to_left_in_arabic(hub, program, advocate):
    Advocate.objects.filter(pk=advocate.pk).update(language="ar")
    earn(advocate, 600)
    badges.award_earned_badges(advocate)
    for page in ("progress", "leaderboard", "profile"):
        html = hub.get(f"/hub/{program.slug}/{page}/").content.decode()
        assert '<html lang="ar" dir="rtl">' in html, page
    progress = hub.get(f"/hub/{program.slug}/progress/").content.decode()
    assert "من الداخل" in progress  # Insider, from the level's own names
    assert "من الأوائل" in progress  # the early-adopter badge
    public = hub.get(f"/p/{program.slug}/wall/", HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="ar" dir="rtl">' in public.content.decode()


def test_leaderboard_tabs_work_with_and_without_htmx(hub, program, advocate):
    other = factories.make_advocate(program, email="bo@example.com", name="Bo Berg")
    earn(other, 300)
    earn(advocate, 200)
    html = hub.get(f"/hub/{program.slug}/leaderboard/").content.decode()
    assert "<html" in html and 'data-period="month"' in html
    rows = re.findall(r"<td class=\"number\">(\d+)</td>\s*<td>([^<]+)<", html)
    assert rows == [("1", "Bo B."), ("2", "Jane D. ")]
    assert "Your rank: 2 with 200 points." in html
    partial = hub.get(f"/hub/{program.slug}/leaderboard/?period=all", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and 'data-period="all"' in partial.content.decode()
    assert partial["Vary"].count("HX-Request") == 1
    assert 'data-period="month"' in hub.get(f"/hub/{program.slug}/leaderboard/?period=bogus").content.decode()


def test_leaderboard_respects_the_opt_out(hub, program, advocate):
    earn(advocate, 200)
    Advocate.objects.filter(pk=advocate.pk).update(show_on_leaderboard=False)
    html = hub.get(f"/hub/{program.slug}/leaderboard/?period=all").content.decode()
    assert "Jane D." not in html
    assert "You chose not to appear on the leaderboard." in html


def test_profile_saves_name_language_and_preferences(hub, program, advocate):
    response = hub.post(f"/hub/{program.slug}/profile/", {
        "name": "Jane Q. Doe", "language": "de", "show_on_leaderboard": "", "feature_on_wall": "on",
        "email_on_level_up": "on"})
    assert (response.status_code, response["Location"]) == (302, f"/hub/{program.slug}/profile/")
    advocate.refresh_from_db()
    assert (advocate.name, advocate.language, advocate.show_on_leaderboard, advocate.feature_on_wall,
            advocate.email_on_approval, advocate.email_on_level_up) == ("Jane Q. Doe", "de", False, True, False, True)
    page = hub.get(f"/hub/{program.slug}/profile/").content.decode()
    assert '<html lang="de" dir="ltr">' in page


def test_profile_with_bad_input_shows_errors_and_changes_nothing(hub, program, advocate):
    response = hub.post(f"/hub/{program.slug}/profile/", {"name": "  ", "language": "xx", "feature_on_wall": "on"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "This field is required." in html
    assert "Select a valid choice. xx is not one of the available choices." in html
    advocate.refresh_from_db()
    assert (advocate.name, advocate.language, advocate.feature_on_wall) == ("Jane Doe", "", False)


def test_wall_shows_only_featured_advocates_who_opted_in(visitor, program, advocate, owner):
    shy = factories.make_advocate(program, email="shy@example.com", name="Sam Shy")
    proud = factories.make_advocate(program, email="pat@example.com", name="Pat Proud")
    factories.make_advocate(program, email="opted@example.com", name="Olga Optin", )
    Advocate.objects.filter(email__in=["pat@example.com", "opted@example.com"]).update(feature_on_wall=True)
    proud.refresh_from_db()
    shy.refresh_from_db()
    wall.feature_advocate(proud, quote="Best tool we bought this year.", user=owner)
    wall.feature_advocate(shy, quote="Hidden until consent", user=owner)
    earn(proud, 2500)
    badges.award_earned_badges(proud)
    html = visitor.get(f"/p/{program.slug}/wall/").content.decode()
    assert re.findall(r"<h2>([^<]+)</h2>", html) == ["Pat Proud"]
    assert "Best tool we bought this year." in html
    assert "Champion" in html and "🏆" in html
    assert "Sam Shy" not in html and "Hidden until consent" not in html and "Olga" not in html
    assert "Join the program" in html


def test_badge_names_follow_the_language(hub, program, advocate):
    Badge.objects.filter(program=program, slug="early-adopter").update(names={"en": "Pioneer", "ja": "先駆者"})
    Advocate.objects.filter(pk=advocate.pk).update(language="ja")
    html = hub.get(f"/hub/{program.slug}/progress/").content.decode()
    assert "先駆者" in html and "Pioneer" not in html


def test_the_hub_menu_is_for_the_logged_in_advocate_not_for_a_friend(visitor, program, advocate):
    friend_page = visitor.get(f"/p/{program.slug}/invite/{advocate.link.code}/")
    assert friend_page.status_code == 200 and "Jane" in friend_page.content.decode()
    assert 'class="hub-nav"' not in friend_page.content.decode()
    assert 'class="hub-nav"' not in visitor.get(f"/p/{program.slug}/wall/").content.decode()
    visitor.post(f"/hub/{program.slug}/login/{issue_login_token(advocate)}/")
    assert 'class="hub-nav"' in visitor.get(f"/hub/{program.slug}/").content.decode()
    assert 'class="hub-nav"' in visitor.get(f"/p/{program.slug}/wall/").content.decode()


def test_history_names_the_ask_in_the_advocates_language(hub, program, advocate):
    from chorus.campaigns.services.asks import save_ask
    from chorus.campaigns.services.completions import submit_completion

    ask = save_ask(program, {"type": "social_follow", "title": "Follow us", "titles": {"de": "Folgen Sie uns"},
                             "points": 150, "moderation": "auto", "config": {}})
    submit_completion(ask, advocate, {"url": "https://x.com/jane/status/1"})
    Advocate.objects.filter(pk=advocate.pk).update(language="de")
    html = hub.get(f"/hub/{program.slug}/progress/").content.decode()
    assert html.count("Folgen Sie uns") == 2  # the activity feed and the points history
    assert "Follow us" not in html
