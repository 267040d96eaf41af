import re

import pytest

from chorus.advocates.models import Advocate
from chorus.core.models import AuditEvent
from chorus.rewards import badges, points
from chorus.rewards.models import Badge, Level, WallEntry
from chorus.testing import factories

pytestmark = pytest.mark.django_db

LANGS = ["en", "ar", "de", "ja", "pl"]


def level_rows(program):
    return list(program.levels.order_by("rank").values_list("rank", "min_points_earned", "name"))


def levels_post(rows, extra_blank=True):
    """The editor's POST: rows of (level_id or "", points, {lang: name}, colour, delete)."""
    forms = [*rows, ("", "", {}, "#000000", False)] if extra_blank else rows
    data = {"levels-TOTAL_FORMS": str(len(forms)), "levels-INITIAL_FORMS": str(len(rows)),
            "levels-MIN_NUM_FORMS": "0", "levels-MAX_NUM_FORMS": "12"}
    for index, (level_id, threshold, names, color, delete) in enumerate(forms):
        data[f"levels-{index}-level_id"] = level_id
        data[f"levels-{index}-min_points_earned"] = threshold
        data[f"levels-{index}-color"] = color
        for code in LANGS:
            data[f"levels-{index}-name_{code}"] = names.get(code, "")
        if delete:
            data[f"levels-{index}-DELETE"] = "on"
    return data


def current_rows(program):
    return [(level.pk, str(level.min_points_earned), dict(level.names), level.color, False)
            for level in program.levels.order_by("rank")]


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_levels_editor_renames_rethresholds_adds_and_removes(owner_client, program):
    rows = current_rows(program)
    fan, insider, champion, legend = rows
    insider = (insider[0], "800", {**insider[2], "en": "Regular", "de": "Stammgast"}, insider[3], False)
    legend = (legend[0], legend[1], legend[2], legend[3], True)
    rows = [fan, insider, champion, legend, ("", "10000", {"en": "Hall of famer", "ja": "殿堂"}, "#111111", False)]
    response = owner_client.post(f"/console/programs/{program.slug}/levels/", levels_post(rows, extra_blank=False))
    assert (response.status_code, response["Location"]) == (302, f"/console/programs/{program.slug}/levels/")
    assert level_rows(program) == [(0, 0, "Fan"), (1, 800, "Regular"), (2, 2000, "Champion"), (3, 10000, "Hall of famer")]
    assert program.levels.get(rank=1).localized_name("de") == "Stammgast"
    assert program.levels.get(rank=3).names == {"en": "Hall of famer", "ja": "殿堂"}
    assert AuditEvent.objects.filter(action="levels.saved").count() == 1


def test_levels_can_swap_thresholds_in_one_save(owner_client, program):
    fan, insider, champion, legend = current_rows(program)
    insider = (*insider[:1], "2000", *insider[2:])
    champion = (*champion[:1], "500", *champion[2:])
    response = owner_client.post(f"/console/programs/{program.slug}/levels/", levels_post([fan, insider, champion, legend]))
    assert response.status_code == 302
    assert level_rows(program) == [(0, 0, "Fan"), (1, 500, "Champion"), (2, 2000, "Insider"), (3, 5000, "Legend")]


@pytest.mark.parametrize(("change", "message"), [
    (lambda rows: [(rows[0][0], "100", *rows[0][2:]), *rows[1:]], "The first level must start at 0 points."),
    (lambda rows: [rows[0], (rows[1][0], "2000", *rows[1][2:]), *rows[2:]],
     "Two levels cannot start at the same number of points."),
    (lambda rows: [(rows[0][0], "0", {"de": "Nur Deutsch"}, *rows[0][3:]), *rows[1:]], "Every level needs an English name."),
    (lambda rows: [(*row[:4], True) for row in rows], "Keep at least one level."),
    (lambda rows: [rows[0], (*rows[1][:4], True), *rows[2:], ("", "5000", {"en": "Twin"}, "#222222", False)],
     "Two levels cannot start at the same number of points."),
])
def test_bad_levels_get_a_clear_error_and_change_nothing(owner_client, program, change, message):
    before = level_rows(program)
    response = owner_client.post(f"/console/programs/{program.slug}/levels/", levels_post(change(current_rows(program))))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert level_rows(program) == before


def test_negative_points_are_refused_by_the_form(owner_client, program):
    rows = current_rows(program)
    rows[1] = (rows[1][0], "-5", *rows[1][2:])
    response = owner_client.post(f"/console/programs/{program.slug}/levels/", levels_post(rows))
    assert response.status_code == 422
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    assert Level.objects.filter(program=program, min_points_earned=500).exists()


def test_teammates_see_levels_but_cannot_save(client, teammate, program):
    client.force_login(teammate)
    assert client.get(f"/console/programs/{program.slug}/levels/").status_code == 200
    response = client.post(f"/console/programs/{program.slug}/levels/", levels_post(current_rows(program)))
    assert response.status_code == 404


def test_outsiders_cannot_see_recognition_pages(client, outsider, program):
    client.force_login(outsider)
    for page in ("levels", "badges", "leaderboard", "wall"):
        assert client.get(f"/console/programs/{program.slug}/{page}/").status_code == 404


def badge_post(**values):
    data = {"rule": "completions", "threshold": "3", "ask_type": "survey", "icon": "📝", "color": "#123456",
            "is_active": "on", "name_en": "Surveyor", "name_de": "Umfrageprofi", "description_en": "Three surveys."}
    for code in LANGS:
        data.setdefault(f"name_{code}", "")
        data.setdefault(f"description_{code}", "")
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def test_add_a_badge_in_several_languages(owner_client, program):
    response = owner_client.post(f"/console/programs/{program.slug}/badges/", badge_post())
    assert (response.status_code, response["Location"]) == (302, f"/console/programs/{program.slug}/badges/")
    badge = Badge.objects.get(program=program, slug="surveyor")
    assert (badge.rule, badge.threshold, badge.ask_type, badge.icon, badge.names, badge.description) == (
        "completions", 3, "survey", "📝", {"en": "Surveyor", "de": "Umfrageprofi"}, "Three surveys.")
    page = owner_client.get(f"/console/programs/{program.slug}/badges/").content.decode()
    assert 'data-badge="surveyor"' in page


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"name_en": ""}, "name_en", "Give the badge an English name."),
    ({"rule": "streak", "threshold": "60", "ask_type": ""}, "threshold", "A streak can be at most 52 weeks."),
    ({"rule": "points_earned", "ask_type": "survey"}, "ask_type", "Only completion badges count one ask type."),
    ({"threshold": "0"}, "threshold", "The threshold must be at least 1."),
    ({"color": "red"}, "color", "Colours are hex codes such as #2563eb."),
    ({"rule": "nonsense"}, "rule", "Select a valid choice. nonsense is not one of the available choices."),
])
def test_bad_badges_get_a_clear_error_and_change_nothing(owner_client, program, values, field, message):
    before = list(Badge.objects.filter(program=program).values_list("slug", "threshold"))
    response = owner_client.post(f"/console/programs/{program.slug}/badges/", badge_post(**values))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert list(Badge.objects.filter(program=program).values_list("slug", "threshold")) == before


def test_edit_a_badge_keeps_who_earned_it_and_an_earned_badge_cannot_be_deleted(owner_client, program, advocate):
    badges.award_earned_badges(advocate)  # early adopter
    badge = Badge.objects.get(program=program, slug="early-adopter")
    response = owner_client.post(f"/console/programs/{program.slug}/badges/{badge.pk}/",
                                 badge_post(rule="early_adopter", threshold="7", ask_type="", name_en="Pioneer"))
    assert response.status_code == 302
    badge.refresh_from_db()
    assert (badge.name, badge.threshold, badge.slug, badge.awards.count()) == ("Pioneer", 7, "early-adopter", 1)
    response = owner_client.post(f"/console/programs/{program.slug}/badges/{badge.pk}/delete/", follow=True)
    assert "Advocates have earned this badge: deactivate it instead, so they keep it." in response.content.decode()
    assert Badge.objects.filter(pk=badge.pk).exists()
    unearned = Badge.objects.get(program=program, slug="five-reviews")
    response = owner_client.post(f"/console/programs/{program.slug}/badges/{unearned.pk}/delete/")
    assert response.status_code == 302 and not Badge.objects.filter(pk=unearned.pk).exists()


def test_console_leaderboard_lists_opted_out_advocates_with_a_marker(owner_client, program, advocate):
    points.credit(advocate, 300, source=factories.make_advocate(program))
    Advocate.objects.filter(pk=advocate.pk).update(show_on_leaderboard=False)
    html = owner_client.get(f"/console/programs/{program.slug}/leaderboard/?period=all").content.decode()
    assert re.search(r"<td>Jane D\.</td><td class=\"number\">300</td>\s*<td><span class=\"muted\">Opted out", html)
    partial = owner_client.get(f"/console/programs/{program.slug}/leaderboard/?period=month", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and 'data-period="month"' in partial.content.decode()


def test_wall_curation_features_quotes_and_removes(owner_client, program, advocate, client):
    Advocate.objects.filter(pk=advocate.pk).update(feature_on_wall=True)
    page = owner_client.get(f"/console/programs/{program.slug}/wall/").content.decode()
    assert "Opted in, not featured yet" in page and "jane@example.com" in page
    response = owner_client.post(f"/console/programs/{program.slug}/wall/",
                                 {"email": "JANE@example.com", "quote": "Chorus made sharing easy."})
    assert response.status_code == 302
    assert list(WallEntry.objects.values_list("advocate__email", "quote")) == [("jane@example.com", "Chorus made sharing easy.")]
    owner_client.post(f"/console/programs/{program.slug}/wall/", {"advocate_id": advocate.pk, "quote": "Even better."})
    assert list(WallEntry.objects.values_list("quote", flat=True)) == ["Even better."]
    assert "Even better." in client.get(f"/p/{program.slug}/wall/").content.decode()
    response = owner_client.post(f"/console/programs/{program.slug}/wall/{advocate.pk}/remove/")
    assert response.status_code == 302 and not WallEntry.objects.exists()


def test_wall_refuses_unknown_advocates_and_long_quotes(owner_client, program, advocate):
    response = owner_client.post(f"/console/programs/{program.slug}/wall/", {"email": "nobody@example.com"})
    assert response.status_code == 422
    assert "No advocate of this program has this email address." in response.content.decode()
    response = owner_client.post(f"/console/programs/{program.slug}/wall/", {"email": advocate.email, "quote": "x" * 401})
    assert response.status_code == 422
    assert "Ensure this value has at most 400 characters (it has 401)." in response.content.decode()
    other = factories.make_advocate(factories.make_program(), email="else@example.com")
    response = owner_client.post(f"/console/programs/{program.slug}/wall/", {"advocate_id": other.pk})
    assert response.status_code == 422
    assert not WallEntry.objects.exists()


def test_console_pages_render_right_to_left_in_arabic(owner_client, program):
    for page in ("levels", "badges", "leaderboard", "wall"):
        response = owner_client.get(f"/console/programs/{program.slug}/{page}/", HTTP_ACCEPT_LANGUAGE="ar")
        assert (response.status_code, '<html lang="ar" dir="rtl">' in response.content.decode()) == (200, True), page
