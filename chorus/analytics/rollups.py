"""Rollups: the program dashboard's numbers, kept up to date where the facts are written.

Four tables (`chorus.analytics.models`): per program × day × channel (clicks, unique clicks,
signups, purchases, purchased and refunded amounts), per advocate × day and per advocate
(signups, purchases, purchased, refunded), per ask × day (completions, approved, points).
The same definitions as `chorus.analytics.services.funnel`: human clicks only; conversions
only when referred and the referral was not denied after review; revenue is purchases minus
refunds, each on its own day.

**Days are calendar days in settings.TIME_ZONE** (the project's zone, not a viewer's): a
click at 23:30 UTC counts on the next day in a UTC+1 deployment. The dashboard asks for
ranges of these days.

A conversion's **channel** is the channel of the click its referral came through
(`channels.channel_of(Click.referrer)`); a referral without a click (promo code, referral
code, a friend naming the advocate) counts as "direct". If the click row is not written yet
when the conversion is (clicks are flushed every 0.2 s), the conversion counts as "direct"
until the next `rebuild_rollups`.

Writers (each inside the transaction that writes the facts, one grouped upsert per table):
- `clicks_written` — the click recorder's flush (`chorus.referrals.services.clicks`);
- `conversions_written` — `ConversionBatch.flush` (new conversions, refunds included, and
  conversions that got their referral later);
- `referral_denied` — a marketer denies a flagged referral: its conversions stop counting;
- `completion_submitted` / `completion_approved` — asks;
- `clicks_referrer_erased` — privacy erasure blanks click referrers (their channel becomes "direct").

Every change is `INSERT … ON CONFLICT DO UPDATE SET n = table.n + excluded.n`: concurrent
writers add up. `rebuild(program)` recomputes a program's rollups from the source tables
(`rebuild_rollups` command): after bulk loads that bypass the writers, or to repair.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.utils import timezone

from .channels import channel_of
from .models import AdvocateDayRollup, AdvocateRollup, AskDayRollup, ProgramDayRollup

FUNNEL_FIELDS = ("clicks", "unique_clicks", "signups", "purchases", "purchased", "refunded")
CONVERSION_FIELDS = ("signups", "purchases", "purchased", "refunded")
ASK_FIELDS = ("completions", "approved", "points")
DIRECT = "direct"
ROWS_PER_STATEMENT = 100


def zone():
    """The zone rollup days are counted in: settings.TIME_ZONE."""
    return timezone.get_default_timezone()


def day_of(moment: datetime) -> date:
    return moment.astimezone(zone()).date()


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The instants [start 00:00, end + 1 day 00:00) in the rollup zone."""
    tz = zone()
    return (timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz))


_channel = lru_cache(maxsize=4096)(channel_of)


class Delta:
    """Changes to the rollups, summed per key in memory, written with one upsert per table."""

    def __init__(self):
        self.program_days = defaultdict(lambda: [0] * len(FUNNEL_FIELDS))  # (program, day, channel)
        self.advocate_days = defaultdict(lambda: [0] * len(CONVERSION_FIELDS))  # (program, advocate, day)
        self.advocates = defaultdict(lambda: [0] * len(CONVERSION_FIELDS))  # (program, advocate)
        self.ask_days = defaultdict(lambda: [0] * len(ASK_FIELDS))  # (program, ask, day)

    def clicks(self, program_id: int, day: date, channel: str, clicks: int, unique: int) -> None:
        row = self.program_days[(program_id, day, channel)]
        row[0] += clicks
        row[1] += unique

    def conversion(self, program_id: int, advocate_id: int, day: date, channel: str, kind: str, amount: int,
                   count: int = 1) -> None:
        """`count` conversions of `kind` worth `amount` in total (negative to take them away)."""
        if kind == "signup":
            values = (count, 0, 0, 0)
        elif kind == "purchase":
            values = (0, count, amount, 0)
        elif kind == "refund":
            values = (0, 0, 0, amount)
        else:  # lead_won: not part of the funnel
            return
        funnel = self.program_days[(program_id, day, channel)]
        for index, value in enumerate(values):
            funnel[2 + index] += value
        for row in (self.advocate_days[(program_id, advocate_id, day)], self.advocates[(program_id, advocate_id)]):
            for index, value in enumerate(values):
                row[index] += value

    def completions(self, program_id: int, ask_id: int, day: date, completions: int, approved: int,
                    points: int) -> None:
        row = self.ask_days[(program_id, ask_id, day)]
        row[0] += completions
        row[1] += approved
        row[2] += points

    def write(self) -> None:
        _upsert(ProgramDayRollup, ("program", "day", "channel"), FUNNEL_FIELDS, self.program_days)
        _upsert(AdvocateDayRollup, ("program", "advocate", "day"), CONVERSION_FIELDS, self.advocate_days,
                conflict=("advocate", "day"))
        _upsert(AdvocateRollup, ("program", "advocate"), CONVERSION_FIELDS, self.advocates, conflict=("advocate",))
        _upsert(AskDayRollup, ("program", "ask", "day"), ASK_FIELDS, self.ask_days, conflict=("ask", "day"))


@lru_cache(maxsize=64)
def _upsert_sql(model, keys: tuple, values: tuple, conflict: tuple, rows: int, vendor: str) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [quote(model._meta.get_field(name).column) for name in (*keys, *values)]
    targets = ", ".join(quote(model._meta.get_field(name).column) for name in conflict)
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * rows)
    updates = ", ".join(f"{quote(name)} = {table}.{quote(name)} + excluded.{quote(name)}" for name in values)
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders} "
            f"ON CONFLICT ({targets}) DO UPDATE SET {updates}")


def _upsert(model, keys: tuple, values: tuple, changes: dict, conflict: tuple | None = None) -> None:
    # sorted: concurrent writers lock rows in the same order (no deadlock on PostgreSQL)
    rows = sorted((key, change) for key, change in changes.items() if any(change))
    if not rows:
        return
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            params = [adapt(part) if isinstance(part, date) else part
                      for key, change in chunk for part in (*key, *change)]
            cursor.execute(_upsert_sql(model, keys, values, conflict or keys, len(chunk), connection.vendor), params)


# --- writers -------------------------------------------------------------------------------------

def clicks_written(rows) -> None:
    """Clicks the recorder just inserted: (program_id, referrer, created_at, is_bot, is_unique) each."""
    grouped: dict[tuple, list] = defaultdict(lambda: [0, 0])
    tz = zone()
    for program_id, referrer, created_at, is_bot, is_unique in rows:
        if is_bot:
            continue
        counts = grouped[(program_id, created_at.astimezone(tz).date(), _channel(referrer))]
        counts[0] += 1
        counts[1] += 1 if is_unique else 0
    if not grouped:
        return
    delta = Delta()
    for (program_id, day, channel), (clicks, unique) in grouped.items():
        delta.clicks(program_id, day, channel, clicks, unique)
    delta.write()


def conversions_written(program, conversions) -> None:
    """Conversions a batch just wrote, or whose referral it just set (they had none before)."""
    from chorus.referrals.models import Click, Referral

    counted = [conversion for conversion in conversions
               if conversion.referral_id and conversion.referral.review != Referral.Review.DENIED
               and conversion.type in ("signup", "purchase", "refund")]
    if not counted:
        return
    tokens = {conversion.referral.click_token for conversion in counted if conversion.referral.click_token}
    referrers = {}
    if tokens:
        referrers = dict(Click.objects.filter(token__in=tokens).values_list("token", "referrer"))
    delta = Delta()
    tz = zone()
    for conversion in counted:
        referral = conversion.referral
        token = referral.click_token
        channel = _channel(referrers[token]) if token in referrers else DIRECT
        delta.conversion(program.pk, referral.advocate_id, conversion.occurred_at.astimezone(tz).date(), channel,
                         conversion.type, conversion.amount)
    delta.write()


def _add_conversions(delta: Delta, conversions, sign: int = 1) -> None:
    """Add (or with sign -1 take away) what these conversions count, read from the database."""
    from chorus.referrals.models import Click

    referrer = Click.objects.filter(token=OuterRef("referral__click_token")).values("referrer")[:1]
    rows = (conversions.filter(referral__isnull=False, type__in=("signup", "purchase", "refund"))
            .annotate(click_referrer=Subquery(referrer))
            .values_list("program_id", "referral__advocate_id", "occurred_at", "type", "amount", "click_referrer")
            .order_by())
    tz = zone()
    for program_id, advocate_id, occurred_at, kind, amount, click_referrer in rows.iterator(chunk_size=5000):
        channel = DIRECT if click_referrer is None else _channel(click_referrer)
        delta.conversion(program_id, advocate_id, occurred_at.astimezone(tz).date(), channel, kind,
                         sign * amount, sign)


def referral_denied(referral) -> None:
    """A referral was denied after review: its conversions leave the rollups."""
    from chorus.referrals.models import Conversion

    delta = Delta()
    _add_conversions(delta, Conversion.objects.filter(referral=referral), sign=-1)
    delta.write()


def completion_submitted(completion) -> None:
    delta = Delta()
    delta.completions(completion.ask.program_id, completion.ask_id, day_of(completion.created_at), 1, 0, 0)
    delta.write()


def completion_approved(completion) -> None:
    delta = Delta()
    delta.completions(completion.ask.program_id, completion.ask_id, day_of(completion.created_at), 0, 1,
                      completion.points)
    delta.write()


def clicks_referrer_erased(clicks) -> int:
    """Blank the referrer of these clicks (privacy erasure): what they and the conversions that
    came through them count moves to the "direct" channel, on the same days."""
    from chorus.referrals.models import Click, Conversion

    clicks = Click.objects.filter(pk__in=list(clicks.values_list("pk", flat=True)))
    moved = Delta()
    _add_clicks(moved, clicks, sign=-1)
    tokens = list(clicks.values_list("token", flat=True))
    for start in range(0, len(tokens), 500):
        came_through = Conversion.objects.filter(referral__click_token__in=tokens[start : start + 500])
        _add_conversions(moved, _not_denied(came_through), sign=-1)
    changed = clicks.update(referrer="")
    delta = Delta()  # per advocate nothing changes: only the channel does
    for (program_id, day, channel), values in moved.program_days.items():
        if channel != DIRECT:
            out, into = delta.program_days[(program_id, day, channel)], delta.program_days[(program_id, day, DIRECT)]
            for index, value in enumerate(values):
                out[index] += value
                into[index] -= value
    delta.write()
    return changed


def _not_denied(conversions):
    from chorus.referrals.models import Referral

    return conversions.exclude(referral__review=Referral.Review.DENIED)


def _add_clicks(delta: Delta, clicks, sign: int = 1, *, program_id: int | None = None) -> None:
    """Clicks counted by day and channel in the database, one query per day of their span
    (no per-row day arithmetic in SQL). With `program_id`, `clicks` is every program's clicks
    and only that program's are counted: filtering by program in SQL would let SQLite pick the
    (program, visitor) index and read all of the program's clicks for every day."""
    clicks = clicks.filter(is_bot=False)
    spanned = clicks.filter(program_id=program_id) if program_id is not None else clicks
    span = spanned.aggregate(first=Min("created_at"), last=Max("created_at"))
    if span["first"] is None:
        return
    day, last = day_of(span["first"]), day_of(span["last"])
    while day <= last:
        start, end = day_bounds(day, day)
        rows = (clicks.filter(created_at__gte=start, created_at__lt=end).values_list("program_id", "referrer")
                .annotate(count=Count("pk"), unique=Count("pk", filter=Q(is_unique=True))).order_by())
        for found_program, referrer, count, unique in rows:
            if program_id is None or found_program == program_id:
                delta.clicks(found_program, day, _channel(referrer), sign * count, sign * unique)
        day += timedelta(days=1)


# --- rebuilding ------------------------------------------------------------------------------------

def rebuild(program) -> dict[str, int]:
    """Recompute the program's rollups from the source tables; returns the rows written per table."""
    from chorus.campaigns.models import Completion
    from chorus.referrals.models import Click, Conversion

    delta = Delta()
    _add_clicks(delta, Click.objects.all(), program_id=program.pk)
    _add_conversions(delta, _not_denied(Conversion.objects.filter(program=program)))
    tz = zone()
    completions = (Completion.objects.filter(ask__program=program)
                   .values_list("ask_id", "created_at", "status", "points").order_by())
    for ask_id, created_at, status, points in completions.iterator(chunk_size=5000):
        approved = status == Completion.Status.APPROVED
        delta.completions(program.pk, ask_id, created_at.astimezone(tz).date(), 1, int(approved),
                          points if approved else 0)
    with transaction.atomic():
        for model in (ProgramDayRollup, AdvocateDayRollup, AdvocateRollup, AskDayRollup):
            model.objects.filter(program=program).delete()
        delta.write()
    return {"program_days": len(delta.program_days), "advocate_days": len(delta.advocate_days),
            "advocates": len(delta.advocates), "ask_days": len(delta.ask_days)}
