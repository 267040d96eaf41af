"""Recognition in the demo: badges and levels that follow each advocate's ledger, a few
leaderboard opt-outs, and a wall of fame with quotes.

Badges and level-ups go through the real `award_earned_badges` (without emails); the
program's start is set back to before its first advocate joined, so "early adopter"
means something. Awards and level-ups are stamped with the time that made them true
where the history knows it (joining, the first rewarded referral), else the seed's time."""

import random
from datetime import datetime, timedelta

from django.db.models import Min, Sum

from chorus.advocates.models import Advocate
from chorus.programs.models import Program
from chorus.rewards import points
from chorus.rewards.badges import award_earned_badges
from chorus.rewards.models import BadgeAward, LedgerEntry, Reward
from chorus.rewards.wall import feature_advocate

QUOTES = [
    "Our whole data team runs on Acme dashboards. Recommending it was an easy call.",
    "I shared my link with two former colleagues and both teams signed up within a week.",
    "The onboarding was so smooth that I keep telling people about it.",
    "Acme Analytics replaced three tools for us. Of course I talk about it.",
    "I love seeing the points add up every time a friend becomes a customer.",
    "Support answers within minutes. That alone is worth a recommendation.",
]
WALL_SIZE = 6
LEADERBOARD_OPT_OUTS = 3


def seed_recognition(programs: list[Program], rng: random.Random, now: datetime, *, star: Advocate | None = None) -> None:
    """Badges, levels, leaderboard opt-outs and the wall of each demo program (no emails)."""
    for program in programs:
        _seed_program(program, rng, now, star=star if star and star.program_id == program.pk else None)


def _seed_program(program: Program, rng: random.Random, now: datetime, *, star: Advocate | None) -> None:
    advocates = list(Advocate.objects.filter(program=program).select_related("program").order_by("pk"))
    first_joined = min((advocate.joined_at for advocate in advocates if advocate.joined_at), default=now)
    Program.objects.filter(pk=program.pk).update(created_at=first_joined - timedelta(days=1))
    program.refresh_from_db()
    for advocate in advocates:
        advocate.program = program
        award_earned_badges(advocate, now=now, notify=False)
    _backdate(program)
    ranked = _by_points_earned(program)
    _feature_on_wall(program, ranked, rng, star)
    _opt_out_some(ranked, rng, star)


def _by_points_earned(program: Program) -> list[int]:
    return list(LedgerEntry.objects.filter(points.earned_filter(), program=program, advocate__isnull=False)
                .values("advocate_id").annotate(total=Sum("amount")).order_by("-total", "advocate_id")
                .values_list("advocate_id", flat=True))


def _backdate(program: Program) -> None:
    """Early adopters earned it when they joined; referral badges with their first issued referral reward."""
    for award in BadgeAward.objects.filter(program=program).select_related("badge", "advocate"):
        moment = None
        if award.badge.rule == "early_adopter":
            moment = award.advocate.joined_at
        elif award.badge.rule == "referrals":
            moment = (Reward.objects.filter(advocate=award.advocate, status="issued")
                      .aggregate(first=Min("issued_at"))["first"])
        if moment is not None:
            BadgeAward.objects.filter(pk=award.pk).update(awarded_at=moment)
    # level-ups keep the seed's time: they follow the ledger, whose entries keep the time they were written


def _feature_on_wall(program: Program, ranked: list[int], rng: random.Random, star: Advocate | None) -> None:
    """The top earners opt in and are featured with a quote; one more opts in and waits to be featured."""
    chosen = ([star.pk] if star else []) + [pk for pk in ranked if not star or pk != star.pk]
    chosen = chosen[:WALL_SIZE + 1]
    Advocate.objects.filter(pk__in=chosen).update(feature_on_wall=True)
    quotes = rng.sample(QUOTES, k=min(len(QUOTES), WALL_SIZE))
    for advocate_id, quote in zip(chosen[:WALL_SIZE], quotes, strict=False):
        feature_advocate(Advocate.objects.select_related("program").get(pk=advocate_id), quote=quote)


def _opt_out_some(ranked: list[int], rng: random.Random, star: Advocate | None) -> None:
    """A few earners prefer not to be on the leaderboard."""
    pool = [pk for pk in ranked[WALL_SIZE + 1:30] if not star or pk != star.pk]
    Advocate.objects.filter(pk__in=rng.sample(pool, k=min(LEADERBOARD_OPT_OUTS, len(pool)))).update(
        show_on_leaderboard=False)
