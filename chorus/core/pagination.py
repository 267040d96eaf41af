"""Cursor pagination for every list endpoint of the API: one mechanism, one response shape.

A page is `{"items": [...], "next_cursor": "…" | null}`. The cursor is opaque and signed
(a client can't forge or edit one); send it back as `?cursor=` for the next page.

* Without `updated_since`: newest first (by id); the cursor remembers the last id.
* With `updated_since`: rows changed at or after that time, oldest change first, ordered by
  (updated time, id), so a sync job can walk every change and resume from the last
  `updated_at` it stored. The cursor remembers both, and the filter it was made for.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query

from .errors import ChorusError

SALT = "chorus.api.cursor"
MAX_LIMIT = 500

CURSOR = Query(None, max_length=500, description="`next_cursor` of the previous page (opaque).")
LIMIT = Query(50, ge=1, le=MAX_LIMIT, description=f"Items per page (1–{MAX_LIMIT}, default 50).")
UPDATED_SINCE = Query(None, description=(
    "ISO 8601 time (e.g. `2026-11-01T00:00:00Z`): only items created or changed at or after it, "
    "oldest change first — for syncing. Without a time zone, UTC is assumed."))


class InvalidCursor(ChorusError):
    status_code = 400
    code = "invalid_cursor"


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None

    def as_dict(self, transform=None) -> dict:
        items = self.items if transform is None else [transform(item) for item in self.items]
        return {"items": items, "next_cursor": self.next_cursor}


def _refuse() -> InvalidCursor:
    message = _("This cursor is not valid here; use the next_cursor of the previous page with the same filters.")
    return InvalidCursor(message, field_errors={"cursor": [message]})


def _read(cursor: str | None, mode: str, since: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        state = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise _refuse() from None
    if not isinstance(state, dict) or state.get("mode") != mode or state.get("since") != since:
        raise _refuse()
    return state


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # nothing is older; earlier times mean "everything"
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


def _since_in_utc(moment: datetime) -> datetime:
    """`updated_since` in UTC, within what every database can compare (year 17 or 9999+14:00 are not)."""
    moment = moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return EARLIEST if moment.year < 2000 else LATEST
    return min(max(moment, EARLIEST), LATEST)


def paginate(queryset, cursor: str | None, limit: int, updated_since: datetime | None = None,
             updated_field: str = "updated_at") -> Page:
    """One page of `queryset` (already scoped to the caller's program and filtered)."""
    if updated_since is None:
        return _newest_first(queryset, _read(cursor, "id", None), limit)
    since = _since_in_utc(updated_since)
    state = _read(cursor, "updated", since.isoformat())
    return _changed_since(queryset, since, state, limit, updated_field)


def _newest_first(queryset, state: dict | None, limit: int) -> Page:
    if state is not None:
        queryset = queryset.filter(pk__lt=state["id"])
    rows = list(queryset.order_by("-pk")[: limit + 1])
    items = rows[:limit]
    more = len(rows) > limit
    cursor = signing.dumps({"mode": "id", "since": None, "id": items[-1].pk}, salt=SALT) if more else None
    return Page(items, cursor)


def _changed_since(queryset, since: datetime, state: dict | None, limit: int, field: str) -> Page:
    queryset = queryset.filter(**{f"{field}__gte": since})
    if state is not None:
        moment = datetime.fromisoformat(state["at"])
        queryset = queryset.filter(Q(**{f"{field}__gt": moment}) | Q(**{field: moment, "pk__gt": state["id"]}))
    rows = list(queryset.order_by(field, "pk")[: limit + 1])
    items = rows[:limit]
    cursor = None
    if len(rows) > limit:
        last = items[-1]
        cursor = signing.dumps({"mode": "updated", "since": since.isoformat(), "id": last.pk,
                                "at": getattr(last, field).isoformat()}, salt=SALT)
    return Page(items, cursor)
