"""The wall of fame (R6): advocates the marketer features, shown only with their consent."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from chorus.core.errors import Conflict, InvalidInput
from chorus.core.models import audit

from . import points
from .models import BadgeAward, LedgerEntry, Level, WallEntry

MAX_QUOTE = 400


@dataclass(frozen=True)
class WallCard:
    entry: WallEntry
    level: Level | None
    badges: list


def wall_entries(program):
    """Featured advocates who opted in and are active, in the marketer's order."""
    return (WallEntry.objects.filter(program=program, advocate__feature_on_wall=True, advocate__status="active")
            .select_related("advocate", "advocate__account").order_by("position", "featured_at", "pk"))


def wall_of_fame(program) -> list[WallCard]:
    """The public wall: each featured advocate with their level and badges (four queries)."""
    entries = list(wall_entries(program))
    advocate_ids = [entry.advocate_id for entry in entries]
    earned = dict(LedgerEntry.objects.filter(points.earned_filter(), advocate_id__in=advocate_ids)
                  .values("advocate_id").annotate(total=Sum("amount")).values_list("advocate_id", "total"))
    levels = list(program.levels.order_by("-min_points_earned"))
    badges: dict[int, list] = {}
    for award in BadgeAward.objects.filter(advocate_id__in=advocate_ids).select_related("badge").order_by("awarded_at"):
        badges.setdefault(award.advocate_id, []).append(award.badge)
    return [WallCard(entry=entry, badges=badges.get(entry.advocate_id, []),
                     level=next((level for level in levels
                                 if level.min_points_earned <= earned.get(entry.advocate_id, 0)), None))
            for entry in entries]


def _clean_quote(quote: str) -> str:
    quote = (quote or "").strip()
    if len(quote) > MAX_QUOTE:
        raise InvalidInput(_("The quote is too long (at most %(max)s characters).") % {"max": MAX_QUOTE},
                           field_errors={"quote": [_("At most %(max)s characters.") % {"max": MAX_QUOTE}]})
    return quote


@transaction.atomic
def feature_advocate(advocate, *, quote: str = "", user=None) -> WallEntry:
    """Feature an advocate (or change their quote). They appear once they opt in."""
    quote = _clean_quote(quote)
    program = advocate.program
    entry = WallEntry.objects.select_for_update().filter(advocate=advocate).first()
    if entry is None:
        last = WallEntry.objects.filter(program=program).aggregate(last=Max("position"))["last"]
        entry = WallEntry.objects.create(program=program, advocate=advocate, quote=quote, featured_by=user,
                                         position=0 if last is None else last + 1)
        audit(action="wall.featured", target=advocate, actor=user, workspace=program.workspace)
    elif entry.quote != quote:
        entry.quote = quote
        entry.save(update_fields=["quote"])
    return entry


@transaction.atomic
def unfeature_advocate(advocate, *, user=None) -> None:
    deleted, _rows = WallEntry.objects.filter(advocate=advocate).delete()
    if not deleted:
        raise Conflict(_("This advocate is not on the wall."))
    audit(action="wall.unfeatured", target=advocate, actor=user, workspace=advocate.program.workspace)
