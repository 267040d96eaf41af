"""Recognition API: an advocate's level standing and badges, and the program's leaderboard."""

from datetime import datetime

from ninja import Query, Router

from chorus.advocates.api import ERRORS, get_advocate_for_program
from chorus.core.pagination import CURSOR, LIMIT, UPDATED_SINCE, paginate

from . import leaderboard as boards
from .levels import standing
from .models import BadgeAward, Level, LevelReached
from .recognition_schemas import BadgeAwardPageOut, LeaderboardOut, LevelStandingOut

router = Router(tags=["recognition"])
PERIOD = Query("month", pattern=r"^(month|all)$", description="`month` (this calendar month, UTC) or `all`.")
BOARD_LIMIT = Query(50, ge=1, le=100, description="Rows (1–100).")


def _level(level: Level | None) -> dict | None:
    if level is None:
        return None
    return {"id": level.pk, "rank": level.rank, "name": level.localized_name(), "names": level.names,
            "min_points_earned": level.min_points_earned, "color": level.color}


def _badge(badge) -> dict:
    return {"id": badge.pk, "slug": badge.slug, "name": badge.localized_name(), "names": badge.names,
            "description": badge.localized_description(), "icon": badge.icon, "color": badge.color,
            "rule": badge.rule, "threshold": badge.threshold, "ask_type": badge.ask_type}


@router.get("/advocates/{int:advocate_id}/levels", response={200: LevelStandingOut, **ERRORS},
            summary="An advocate's level")
def advocate_levels(request, advocate_id: int):
    """Points earned, the current and next level, and every level with when it was reached."""
    advocate = get_advocate_for_program(request.auth.program, advocate_id)
    current = standing(advocate)
    reached = dict(LevelReached.objects.filter(advocate=advocate).values_list("level_id", "reached_at"))
    steps = [{**_level(level), "reached": level.min_points_earned <= current.earned, "reached_at": reached.get(level.pk)}
             for level in advocate.program.levels.order_by("min_points_earned")]
    return {"advocate_id": advocate.pk, "points_earned": current.earned, "level": _level(current.level),
            "next_level": _level(current.next_level), "points_to_next": current.points_to_next,
            "progress_percent": current.progress_percent, "levels": steps}


@router.get("/advocates/{int:advocate_id}/badges", response={200: BadgeAwardPageOut, **ERRORS},
            summary="An advocate's badges")
def advocate_badges(request, advocate_id: int, cursor: str | None = CURSOR, limit: int = LIMIT,
                    updated_since: datetime | None = UPDATED_SINCE):
    """The badges the advocate earned, newest first."""
    advocate = get_advocate_for_program(request.auth.program, advocate_id)
    awards = BadgeAward.objects.filter(advocate=advocate).select_related("badge")
    found = paginate(awards, cursor, limit, updated_since, "awarded_at")
    return found.as_dict(lambda award: {"id": award.pk, "badge": _badge(award.badge), "awarded_at": award.awarded_at})


@router.get("/leaderboard", response={200: LeaderboardOut, **ERRORS}, summary="The leaderboard")
def leaderboard(request, period: str = PERIOD, limit: int = BOARD_LIMIT):
    """Advocates ranked by points earned this month or all time; those who opted out are left out."""
    rows = boards.leaderboard(request.auth.program, period, limit=limit)
    return {"period": period, "items": [{"rank": row.rank, "advocate_id": row.advocate_id, "name": row.name,
                                         "points": row.points} for row in rows]}
