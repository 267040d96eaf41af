import pytest

from chorus.core.errors import Conflict
from chorus.rewards import levels, points
from chorus.rewards.models import LedgerEntry, Level
from chorus.testing.factories import make_advocate, make_program

pytestmark = pytest.mark.django_db


def test_new_program_starts_with_four_levels_in_every_language(program):
    names = [(level.rank, level.min_points_earned, level.localized_name("en"), level.localized_name("ja"))
             for level in program.levels.all()]
    assert names == [(0, 0, "Fan", "ファン"), (1, 500, "Insider", "インサイダー"),
                     (2, 2000, "Champion", "チャンピオン"), (3, 5000, "Legend", "レジェンド")]
    levels.install_default_levels(program)
    assert Level.objects.filter(program=program).count() == 4


def test_program_without_starter_pack_has_no_levels(workspace):
    assert not make_program(workspace, starter_pack=False).levels.exists()


def test_credit_is_once_per_source(program, advocate):
    source = make_advocate(program)  # any saved row serves as a source
    first, created = points.credit(advocate, 300, source=source)
    again, created_again = points.credit(advocate, 300, source=source)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert points.balance(advocate) == 300


def test_spending_never_goes_below_zero_nor_lowers_the_level(program, advocate):
    points.credit(advocate, 600, source=make_advocate(program))
    points.debit(advocate, 400, source=make_advocate(program))
    with pytest.raises(Conflict) as refused:
        points.debit(advocate, 201, source=make_advocate(program))
    assert "you have 200" in refused.value.message
    assert points.balance(advocate) == 200
    assert LedgerEntry.objects.filter(advocate=advocate).count() == 2
    standing = levels.standing(advocate)
    assert (standing.earned, standing.level.name, standing.next_level.name) == (600, "Insider", "Champion")
    assert (standing.points_to_next, standing.progress_percent) == (1400, 6)


def test_top_level_has_full_progress(program, advocate):
    points.credit(advocate, 7000, source=make_advocate(program))
    standing = levels.standing(advocate)
    assert (standing.level.name, standing.next_level, standing.progress_percent) == ("Legend", None, 100)
