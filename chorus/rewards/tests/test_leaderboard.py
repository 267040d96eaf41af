from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from chorus.advocates.models import Advocate
from chorus.core.errors import InvalidInput
from chorus.rewards import leaderboard, points
from chorus.testing import factories

pytestmark = pytest.mark.django_db


def earn(advocate, amount):
    return points.credit(advocate, amount, source=factories.make_advocate(advocate.program, name="Source Row"))[0]


@pytest.fixture
def cast(program):
    names = ["Ana Alves", "Bo Berg", "Cy Chan", "Di Dorn"]
    return [factories.make_advocate(program, email=f"{name.split()[0].lower()}@example.com", name=name)
            for name in names]


def board(rows):
    return [(row.rank, row.name, row.points) for row in rows]


def test_ranked_by_points_earned_with_shared_ranks_and_a_stable_order(program, cast):
    ana, bo, cy, di = cast
    earn(cy, 50)
    earn(bo, 100)
    earn(ana, 60)
    earn(ana, 40)  # Ana reaches 100 after Bo: Bo is listed first
    points.debit(bo, 90, source=factories.make_advocate(program))  # spending never lowers the board
    expected = [(1, "Bo B.", 100), (1, "Ana A.", 100), (3, "Cy C.", 50)]
    assert board(leaderboard.leaderboard(program, leaderboard.ALL_TIME)) == expected
    assert board(leaderboard.leaderboard(program, leaderboard.MONTH)) == expected
    assert board(leaderboard.leaderboard(program, leaderboard.ALL_TIME, limit=2)) == expected[:2]
    assert leaderboard.rank_of(cy, leaderboard.ALL_TIME).rank == 3
    assert leaderboard.rank_of(di, leaderboard.ALL_TIME) is None


def test_one_query_per_board(program, cast, django_assert_num_queries):
    for advocate in cast:
        earn(advocate, 10)
    with django_assert_num_queries(1):
        assert len(leaderboard.leaderboard(program, leaderboard.MONTH)) == 4


def test_advocates_who_opted_out_are_left_out_but_the_console_sees_them(program, cast):
    ana, bo, _cy, _di = cast
    earn(ana, 10)
    earn(bo, 20)
    Advocate.objects.filter(pk=bo.pk).update(show_on_leaderboard=False)
    bo.refresh_from_db()
    assert board(leaderboard.leaderboard(program, leaderboard.ALL_TIME)) == [(1, "Ana A.", 10)]
    assert leaderboard.rank_of(bo, leaderboard.ALL_TIME) is None
    with_hidden = leaderboard.leaderboard(program, leaderboard.ALL_TIME, include_hidden=True)
    assert [(row.name, row.shown) for row in with_hidden] == [("Bo B.", False), ("Ana A.", True)]


def test_disabled_advocates_and_other_programs_are_left_out(program, cast, workspace):
    ana, bo, _cy, _di = cast
    earn(ana, 10)
    earn(bo, 20)
    Advocate.objects.filter(pk=bo.pk).update(status=Advocate.Status.DISABLED)
    other = factories.make_program(workspace)
    earn(factories.make_advocate(other, name="Zed Zorn"), 999)
    assert board(leaderboard.leaderboard(program, leaderboard.ALL_TIME)) == [(1, "Ana A.", 10)]


def test_this_month_ends_at_the_month_boundary(program, cast):
    entry = earn(cast[0], 70)
    _start, next_month = leaderboard.month_bounds(entry.created_at)
    assert board(leaderboard.leaderboard(program, leaderboard.MONTH, now=next_month - timedelta(microseconds=1))) == [
        (1, "Ana A.", 70)]
    assert leaderboard.leaderboard(program, leaderboard.MONTH, now=next_month) == []
    assert board(leaderboard.leaderboard(program, leaderboard.ALL_TIME, now=next_month)) == [(1, "Ana A.", 70)]


def test_month_bounds_cover_december():
    start, end = leaderboard.month_bounds(datetime(2026, 12, 31, 23, 0, tzinfo=UTC))
    assert (start.isoformat(), end.isoformat()) == ("2026-12-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00")
    assert timezone.is_aware(start)


def test_an_unknown_period_is_refused(program):
    with pytest.raises(InvalidInput) as refused:
        leaderboard.leaderboard(program, "week")
    assert refused.value.field_errors == {"period": ["Use month or all."]}
