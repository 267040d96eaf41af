"""The demo's recognition: badges and levels that match each advocate's ledger, and a wall."""

from django.db.models import Sum

from chorus.demo.seed import seed_demo
from chorus.rewards import badges, points
from chorus.rewards.leaderboard import ALL_TIME, leaderboard
from chorus.rewards.levels import level_for_points
from chorus.rewards.models import BadgeAward, LedgerEntry, LevelReached
from chorus.rewards.wall import wall_of_fame


def test_demo_advocates_have_badges_and_levels_consistent_with_their_ledger(db, mailoutbox,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo = seed_demo(base_url="http://127.0.0.1:8123")
    assert mailoutbox == []  # the history's badges and levels email nobody
    program = demo.program
    assert BadgeAward.objects.filter(program=program, badge__slug="first-referral").count() >= 30
    assert 1 <= BadgeAward.objects.filter(program=program, badge__slug="early-adopter").count() < 150
    assert LevelReached.objects.filter(program=program).exists()
    totals = dict(LedgerEntry.objects.filter(points.earned_filter(), program=program, advocate__isnull=False)
                  .values("advocate_id").annotate(total=Sum("amount")).values_list("advocate_id", "total"))
    for advocate in program.advocates.all():
        earned = max(totals.get(advocate.pk, 0), 0)
        level, _next = level_for_points(program, earned)
        reached = set(LevelReached.objects.filter(advocate=advocate).values_list("level_id", flat=True))
        expected = set(program.levels.filter(min_points_earned__gt=0, min_points_earned__lte=earned)
                       .values_list("pk", flat=True))
        assert reached == expected, advocate
        assert badges.award_earned_badges(advocate, notify=False) == []  # nothing was left unawarded
        has_points_badge = BadgeAward.objects.filter(advocate=advocate, badge__slug="thousand-points").exists()
        assert has_points_badge == (earned >= 1000)
    cards = wall_of_fame(program)
    assert len(cards) == 6 and cards[0].entry.advocate == demo.star and all(card.entry.quote for card in cards)
    board = leaderboard(program, ALL_TIME)
    assert len(board) >= 20 and program.advocates.filter(show_on_leaderboard=False).count() == 3
    assert BadgeAward.objects.filter(program=demo.team_program).exists()
