import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, transaction
from django.utils import timezone

from chorus.advocates.models import Advocate
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.rewards import badges, points
from chorus.rewards.models import Badge, BadgeAward, LevelReached
from chorus.testing import factories

pytestmark = pytest.mark.django_db


def credit(advocate, amount, at=None):
    """Points for a fresh source, written at `at` (the clock is the only thing faked)."""
    source = factories.make_advocate(advocate.program)
    if at is None:
        return points.credit(advocate, amount, source=source)[0]
    with mock.patch("django.utils.timezone.now", return_value=at):
        return points.credit(advocate, amount, source=source)[0]


def slugs(awards):
    return sorted(award.badge.slug for award in awards)


@pytest.fixture
def latecomer(program):
    """An advocate who joined long after the program started: no early-adopter badge."""
    advocate = factories.make_advocate(program, email="late@example.com", name="Lee Late")
    Advocate.objects.filter(pk=advocate.pk).update(joined_at=program.created_at + timedelta(days=90))
    advocate.refresh_from_db()
    return advocate


def test_new_program_starts_with_five_badges_in_every_language(program):
    rows = [(badge.slug, badge.rule, badge.threshold, badge.ask_type, sorted(badge.names), sorted(badge.descriptions))
            for badge in program.badges.order_by("pk")]
    languages = ["ar", "de", "en", "ja", "pl"]
    assert rows == [
        ("first-referral", "referrals", 1, "", languages, languages),
        ("five-reviews", "completions", 5, "review", languages, languages),
        ("four-week-streak", "streak", 4, "", languages, languages),
        ("early-adopter", "early_adopter", 30, "", languages, languages),
        ("thousand-points", "points_earned", 1000, "", languages, languages),
    ]
    assert program.badges.get(slug="first-referral").localized_name("de") == "Erste Empfehlung"
    badges.install_default_badges(program)
    assert program.badges.count() == 5


def test_points_badge_is_awarded_once_when_the_threshold_is_reached(latecomer):
    credit(latecomer, 999)
    assert badges.award_earned_badges(latecomer) == []
    credit(latecomer, 1)
    assert slugs(badges.award_earned_badges(latecomer)) == ["thousand-points"]
    credit(latecomer, 500)
    assert badges.award_earned_badges(latecomer) == []
    assert list(BadgeAward.objects.filter(advocate=latecomer).values_list("badge__slug", flat=True)) == ["thousand-points"]


def test_spending_does_not_take_a_points_badge_away_nor_block_it(latecomer):
    credit(latecomer, 1000)
    points.debit(latecomer, 800, source=factories.make_advocate(latecomer.program))
    assert slugs(badges.award_earned_badges(latecomer)) == ["thousand-points"]


def test_early_adopter_is_whoever_joined_within_the_days(program, advocate, latecomer):
    assert slugs(badges.award_earned_badges(advocate)) == ["early-adopter"]
    assert badges.award_earned_badges(advocate) == []
    assert badges.award_earned_badges(latecomer) == []
    Advocate.objects.filter(pk=latecomer.pk).update(joined_at=program.created_at + timedelta(days=30, hours=1))
    latecomer.refresh_from_db()
    assert slugs(badges.award_earned_badges(latecomer)) == ["early-adopter"]


def test_first_referral_counts_a_friend_who_bought_not_one_who_only_signed_up(program, latecomer):
    signup = ConversionInput(type="signup", customer_external_id="friend-1", promo_code=latecomer.link.promo_code)
    record_conversion(program, signup)
    assert badges.award_earned_badges(latecomer) == []
    record_conversion(program, ConversionInput(type="purchase", customer_external_id="friend-1", amount=5000,
                                               order_id="o-1"))
    assert slugs(badges.award_earned_badges(latecomer)) == ["first-referral"]
    assert badges.award_earned_badges(latecomer) == []


def test_a_referral_reward_awards_badges_after_commit(program, latecomer, django_capture_on_commit_callbacks):
    factories.make_rule(program, amount=1000)  # 1,000 points per first purchase, issued at once
    program.hold_days = 0
    program.save(update_fields=["hold_days"])
    with django_capture_on_commit_callbacks(execute=True):
        record_conversion(program, ConversionInput(type="purchase", customer_external_id="friend-1", amount=5000,
                                                   order_id="o-1", promo_code=latecomer.link.promo_code))
    assert sorted(BadgeAward.objects.filter(advocate=latecomer).values_list("badge__slug", flat=True)) == [
        "first-referral", "thousand-points"]
    assert list(LevelReached.objects.filter(advocate=latecomer).values_list("level__name", flat=True)) == ["Insider"]


def test_streak_needs_activity_in_each_of_the_weeks_ending_this_week_or_last(latecomer):
    now = timezone.now()
    credit(latecomer, 10, at=now - timedelta(weeks=1))
    credit(latecomer, 10, at=now - timedelta(weeks=2))
    credit(latecomer, 10, at=now - timedelta(weeks=3))
    progress = badges.Progress(latecomer, now)
    assert progress.streak_weeks() == 3  # this week is quiet so far: the streak ends last week
    assert badges.award_earned_badges(latecomer, now=now) == []
    credit(latecomer, 10, at=now)
    assert slugs(badges.award_earned_badges(latecomer, now=now)) == ["four-week-streak"]


def test_a_gap_breaks_the_streak(latecomer):
    now = timezone.now()
    for weeks_ago in (0, 1, 3, 4, 5):
        credit(latecomer, 10, at=now - timedelta(weeks=weeks_ago))
    assert badges.Progress(latecomer, now).streak_weeks() == 2
    assert badges.award_earned_badges(latecomer, now=now) == []
    # two weeks on, with nothing new, not even last week counts
    assert badges.Progress(latecomer, now + timedelta(weeks=2)).streak_weeks() == 0


def test_inactive_badges_are_not_awarded(latecomer):
    Badge.objects.filter(program=latecomer.program, slug="thousand-points").update(is_active=False)
    credit(latecomer, 5000)
    assert badges.award_earned_badges(latecomer) == []


def test_level_ups_are_recorded_once_each_and_spending_removes_none(latecomer):
    credit(latecomer, 2100)
    badges.award_earned_badges(latecomer)
    badges.award_earned_badges(latecomer)
    points.debit(latecomer, 2000, source=factories.make_advocate(latecomer.program))
    badges.award_earned_badges(latecomer)
    reached = LevelReached.objects.filter(advocate=latecomer).order_by("level__min_points_earned")
    assert [(row.level.name, row.points_earned) for row in reached] == [("Insider", 2100), ("Champion", 2100)]


def test_badge_progress_lists_earned_first_then_the_rest_with_how_far(latecomer):
    credit(latecomer, 400)
    rows = badges.badge_progress(latecomer)
    assert [(row.badge.slug, row.earned, row.current, row.percent) for row in rows] == [
        ("first-referral", False, 0, 0), ("five-reviews", False, 0, 0), ("four-week-streak", False, 1, 25),
        ("early-adopter", False, 90, 0), ("thousand-points", False, 400, 40),
    ]
    credit(latecomer, 600)
    badges.award_earned_badges(latecomer)
    assert [row.badge.slug for row in badges.badge_progress(latecomer)][:1] == ["thousand-points"]


def test_level_up_email_in_the_advocates_language_after_commit(latecomer, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    Advocate.objects.filter(pk=latecomer.pk).update(language="pl")
    latecomer.refresh_from_db()
    credit(latecomer, 2000)
    with django_capture_on_commit_callbacks() as callbacks:
        badges.award_earned_badges(latecomer)
        assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["late@example.com"]
    assert "Mistrz" in message.subject and "Acme Customers" in message.subject
    assert "- 1000 punktów" in message.body and "Mistrz" in message.body
    assert message.alternatives[0][0].count('lang="pl"') == 1
    assert "/hub/acme/progress/" in message.body


def test_no_email_for_an_advocate_who_turned_them_off(latecomer, mailoutbox, django_capture_on_commit_callbacks):
    Advocate.objects.filter(pk=latecomer.pk).update(email_on_level_up=False)
    latecomer.refresh_from_db()
    credit(latecomer, 2000)
    with django_capture_on_commit_callbacks(execute=True):
        assert slugs(badges.award_earned_badges(latecomer)) == ["thousand-points"]
    assert mailoutbox == []


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL (SQLite serialises writers)")
def test_two_concurrent_award_calls_award_each_badge_once(transactional_db):
    program = factories.make_program(name="Race", slug="race")
    advocate = factories.make_advocate(program, email="race@example.com")
    credit(advocate, 2500)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def award():
        try:
            racer = Advocate.objects.select_related("program").get(pk=advocate.pk)
            with transaction.atomic():
                badges.Progress(racer, timezone.now()).points_earned()
                barrier.wait(timeout=10)
                results.append(slugs(badges.award_earned_badges(racer)))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=award) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == [[], ["early-adopter", "thousand-points"]]
    assert BadgeAward.objects.filter(advocate=advocate).count() == 2
    assert LevelReached.objects.filter(advocate=advocate).count() == 2


def approved_review(program, advocate, number, points_each=0):
    from chorus.campaigns.services.asks import save_ask
    from chorus.campaigns.services.completions import submit_completion

    ask = save_ask(program, {"type": "review", "title": f"Review {number}", "points": points_each,
                             "moderation": "auto", "config": {}})
    return submit_completion(ask, advocate, {"url": f"https://www.g2.com/r/{number}", "disclosure_acknowledged": "on"})


def test_five_approved_reviews_earn_the_reviewer_badge_once(program, latecomer):
    from chorus.campaigns.models import Completion
    from chorus.campaigns.services.asks import save_ask
    from chorus.campaigns.services.completions import submit_completion

    overturned = approved_review(program, latecomer, 98)
    Completion.objects.filter(pk=overturned.completion.pk).update(status="rejected")  # rejected: does not count
    survey = save_ask(program, {"type": "social_follow", "title": "Follow us", "points": 0, "moderation": "auto",
                                "config": {}})
    submit_completion(survey, latecomer, {"url": "https://x.com/acme/status/1"})  # not a review: does not count
    for number in range(4):
        assert approved_review(program, latecomer, number).badges == []
    assert badges.Progress(latecomer, timezone.now()).approved_completions("review") == 4
    fifth = approved_review(program, latecomer, 4)
    assert slugs(fifth.badges) == ["five-reviews"]
    assert slugs(approved_review(program, latecomer, 5).badges) == []
    assert BadgeAward.objects.filter(advocate=latecomer, badge__slug="five-reviews").count() == 1


def test_approved_completions_in_past_weeks_make_a_streak(program, latecomer):
    from chorus.campaigns.models import Completion

    now = timezone.now()
    for weeks_ago in (1, 2, 3):
        done = approved_review(program, latecomer, weeks_ago)
        Completion.objects.filter(pk=done.completion.pk).update(decided_at=now - timedelta(weeks=weeks_ago))
    assert badges.Progress(latecomer, now).streak_weeks() == 3
    assert slugs(approved_review(program, latecomer, 0).badges) == ["four-week-streak"]


def test_a_referral_rewarded_with_credit_only_still_earns_the_first_referral_badge(
        program, latecomer, django_capture_on_commit_callbacks):
    factories.make_rule(program, kind="credit", amount=1500)
    program.hold_days = 0
    program.save(update_fields=["hold_days"])
    with django_capture_on_commit_callbacks(execute=True):
        record_conversion(program, ConversionInput(type="purchase", customer_external_id="friend-1", amount=5000,
                                                   order_id="o-1", promo_code=latecomer.link.promo_code))
    assert list(BadgeAward.objects.filter(advocate=latecomer).values_list("badge__slug", flat=True)) == [
        "first-referral"]


def test_no_email_for_awards_made_in_quiet_mode(latecomer, mailoutbox, django_capture_on_commit_callbacks):
    from chorus.notifications.recognition import quiet_recognition

    credit(latecomer, 2000)
    with django_capture_on_commit_callbacks(execute=True), quiet_recognition():
        assert slugs(badges.award_earned_badges(latecomer)) == ["thousand-points"]
    assert mailoutbox == []
