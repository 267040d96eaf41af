"""The program dashboard on a year of traffic: 10 million clicks, 1 million conversions, 100,000 advocates.

    .venv/bin/python -m bench.dashboard [--scale 1.0] [--runs 40] [--database sqlite|postgresql|all] [--no-write]

For each database (a temp SQLite file; a temp PostgreSQL database when it answers), in a
child process with the production settings:

1. **Generate** one program's year directly with bulk SQL (executemany on SQLite, COPY on
   PostgreSQL): advocates with their links, clicks (skewed across advocates, ten channels,
   3% bots, weekly rhythm and growth over the year), referred friends (customers and
   referrals: by click, promo code or referral code; 2% flagged, 1% denied), their signups,
   purchases and refunds, and some unreferred purchases. `--scale` multiplies every volume.
2. **Rebuild** the rollups from those tables with the rebuild service (`rebuild_rollups`),
   then ANALYZE (what PostgreSQL's autovacuum does after a bulk load).
3. **Time** `program_dashboard` for the last 30 days, the last 90 days and the year:
   `--runs` calls each after 3 warm-up calls; p50/p95/max per range. A database's `p95_ms`
   is its worst range's p95. The last 30 days' funnel is checked against the source tables
   (`services.funnel`), and that source computation is timed once for comparison.

Writes bench/results/dashboard.json.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from . import common

CLICKS, CONVERSIONS, ADVOCATES = 10_000_000, 1_000_000, 100_000
TARGET_P95_MS = 300
CHUNK = 50_000

# channel: (share of clicks, referrers)
CHANNEL_MIX = {
    "facebook": (24, ["https://www.facebook.com/", "https://l.facebook.com/l.php", "https://m.facebook.com/story.php"]),
    "direct": (20, [""]),
    "email": (12, ["https://mail.google.com/", "https://outlook.live.com/mail/0/"]),
    "x": (10, ["https://t.co/a8f3kq", "https://x.com/home"]),
    "linkedin": (10, ["https://www.linkedin.com/feed/", "https://lnkd.in/e7Gx"]),
    "whatsapp": (8, ["https://web.whatsapp.com/"]),
    "search": (6, ["https://www.google.com/", "https://duckduckgo.com/"]),
    "instagram": (5, ["https://l.instagram.com/"]),
    "reddit": (3, ["https://www.reddit.com/r/saas/comments/x1"]),
    "other": (2, ["https://blog.example.net/best-tools", "https://news.ycombinator.com/item?id=1"]),
}


# --- the child: generate, rebuild, time (runs with Django set up against one database) -----------

class Loader:
    """Bulk rows into one model's table: the columns given per row, every other column its
    field's default (prepared once); the primary key only when given."""

    def __init__(self, model, names: tuple, connection):
        self.model, self.connection = model, connection
        fields = {field.attname: field for field in model._meta.concrete_fields}
        rest, tail = [], []
        for attname, field in fields.items():
            if attname in names or field.primary_key:
                continue
            default = field.get_default()
            if default is None and not field.null:
                raise SystemExit(f"{model.__name__}.{attname} needs a value")
            rest.append(field.column)
            tail.append(field.get_db_prep_save(default, connection))
        self.columns = [fields[name].column for name in names] + rest
        self.tail = tuple(tail)
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.column_sql = ", ".join(quote(column) for column in self.columns)
        self.rows = 0

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        tail = self.tail
        full = [row + tail for row in rows]
        raw = self.connection.connection
        if self.connection.vendor == "sqlite":
            marks = ", ".join(["?"] * len(self.columns))
            raw.executemany(f"INSERT INTO {self.table} ({self.column_sql}) VALUES ({marks})", full)
        else:
            with raw.cursor() as cursor, cursor.copy(f"COPY {self.table} ({self.column_sql}) FROM STDIN") as copy:
                for row in full:
                    copy.write_row(row)
        self.rows += len(rows)


def _day_weights(days: int) -> list[float]:
    """Growth over the year (×2 from first to last day) and a weekly rhythm (quieter weekends)."""
    today = datetime.now(UTC).date()
    weights = []
    for offset in range(days):
        day = today - timedelta(days=days - 1 - offset)
        weights.append((1 + offset / days) * (0.6 if day.weekday() >= 5 else 1.0))
    return weights


def generate(program, scale: float, seed: int = 7) -> dict:
    from django.db import connection, transaction

    from chorus.advocates.models import Advocate, Customer
    from chorus.referrals.models import Click, Conversion, Referral, ReferralLink

    rng = random.Random(seed)
    advocates, clicks_wanted, conversions_wanted = (max(20, int(n * scale)) for n in (ADVOCATES, CLICKS, CONVERSIONS))
    pg = connection.vendor == "postgresql"
    adapt = (lambda moment: moment) if pg else connection.ops.adapt_datetimefield_value
    now = datetime.now(UTC).replace(microsecond=0)
    days = 365
    first_day = datetime.combine(now.date() - timedelta(days=days - 1), datetime.min.time(), tzinfo=UTC)
    day_cum = []
    total = 0.0
    for weight in _day_weights(days):
        total += weight
        day_cum.append(total)
    counts = {}

    def moment_on(day: int) -> datetime:
        moment = first_day + timedelta(days=day, seconds=rng.randrange(86400))
        return min(moment, now)

    with transaction.atomic():
        cursor = connection.cursor()
        if pg:  # a bulk load of rows whose references are right by construction
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:  # a bigger page cache for this connection: the indexes of 10M rows are built as they arrive
            cursor.execute("PRAGMA cache_size = -524288")
        start_id = {model: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
                    for model in (Advocate, ReferralLink, Customer, Referral, Conversion)}

        # advocates and links; activity skewed (a few very active, a long tail), in random id order
        ranks = list(range(advocates))
        rng.shuffle(ranks)
        advocate_weights = [1 / (rank + 5) ** 0.85 for rank in ranks]
        advocate_cum = []
        running = 0.0
        for weight in advocate_weights:
            running += weight
            advocate_cum.append(running)
        advocate_ids = [start_id[Advocate] + index for index in range(advocates)]
        link_of = {advocate_id: start_id[ReferralLink] + index for index, advocate_id in enumerate(advocate_ids)}
        people = Loader(Advocate, ("id", "program_id", "email", "email_normalized", "name", "external_id", "joined_at",
                                   "created_at", "updated_at"), connection)
        links = Loader(ReferralLink, ("id", "program_id", "advocate_id", "code", "promo_code", "created_at"), connection)
        for start in range(0, advocates, CHUNK):
            rows, link_rows = [], []
            for index in range(start, min(advocates, start + CHUNK)):
                joined = adapt(moment_on(rng.randrange(days // 2)))
                email = f"advocate{index}@bench.example.com"
                rows.append((advocate_ids[index], program.pk, email, email, f"Advocate {index}", f"adv_{index}",
                             joined, joined, joined))
                link_rows.append((link_of[advocate_ids[index]], program.pk, advocate_ids[index], f"bench{index:08d}",
                                  f"BENCH{index:08d}", joined))
            people.write(rows)
            links.write(link_rows)
        counts["advocates"] = people.rows

        # clicks, day by day
        clicks = Loader(Click, ("program_id", "link_id", "token", "created_at", "visitor_hash", "referrer", "device",
                                "is_bot", "is_unique"), connection)
        referrers, referrer_weights = [], []
        for share, urls in CHANNEL_MIX.values():
            for url in urls:
                referrers.append(url)
                referrer_weights.append(share / len(urls))
        devices = ("mobile", "desktop", "tablet", "other")
        recent_click: dict[int, tuple[str, datetime]] = {}
        per_day = [clicks_wanted * (day_cum[day] - (day_cum[day - 1] if day else 0)) / total for day in range(days)]
        written, carry, buffer = 0, 0.0, []
        for day in range(days):
            carry += per_day[day]
            count = int(carry) if day < days - 1 else clicks_wanted - written
            carry -= count
            chosen = rng.choices(advocate_ids, cum_weights=advocate_cum, k=count)
            sources = rng.choices(referrers, weights=referrer_weights, k=count)
            moments = sorted(moment_on(day) for _ in range(count))
            for number in range(count):
                advocate_id, when = chosen[number], moments[number]
                token = f"bc{written + number:012d}"
                is_bot = rng.random() < 0.03
                buffer.append((program.pk, link_of[advocate_id], token, adapt(when), f"{rng.getrandbits(64):016x}",
                               sources[number], devices[number % 4], is_bot, (not is_bot) and rng.random() < 0.78))
                if not is_bot:
                    recent_click[advocate_id] = (token, when)
            written += count
            if len(buffer) >= CHUNK:
                clicks.write(buffer)
                buffer = []
        clicks.write(buffer)
        counts["clicks"] = clicks.rows

        # friends: a customer, usually a referral, a signup, purchases, a few refunds
        customers = Loader(Customer, ("id", "program_id", "external_id", "email", "email_normalized", "name",
                                      "first_seen_at", "signed_up_at", "created_at", "updated_at"), connection)
        referrals = Loader(Referral, ("id", "program_id", "advocate_id", "customer_id", "link_id", "click_token",
                                      "clicked_at", "reason", "attribution_model", "is_primary", "review", "flag",
                                      "created_at"), connection)
        conversions = Loader(Conversion, ("id", "program_id", "type", "customer_id", "referral_id", "amount",
                                          "currency", "order_id", "refunded_conversion_id", "occurred_at",
                                          "created_at"), connection)
        customer_id, referral_id, conversion_id = start_id[Customer], start_id[Referral], start_id[Conversion]
        made, friend = 0, 0
        batch_customers, batch_referrals, batch_conversions = [], [], []
        while made < conversions_wanted:
            day = _pick(day_cum, rng.random() * total)
            signed_up = moment_on(day)
            referred = rng.random() < 0.9
            this_referral = None
            if referred:
                advocate_id = rng.choices(advocate_ids, cum_weights=advocate_cum)[0]
                how = rng.random()
                token, clicked = recent_click.get(advocate_id, ("", None))
                if how < 0.6 and token:
                    reason, model = "click", "last_click"
                else:
                    reason, model, token, clicked = ("promo_code" if how < 0.9 else "referral_code"), "", "", None
                review_draw = rng.random()
                review, flag = (("denied", "self_referral") if review_draw < 0.01 else
                                ("flagged", "existing_customer") if review_draw < 0.03 else ("clean", ""))
                this_referral = referral_id
                batch_referrals.append((referral_id, program.pk, advocate_id, customer_id, link_of[advocate_id], token,
                                        adapt(clicked) if clicked else None, reason, model, True, review, flag,
                                        adapt(signed_up)))
                referral_id += 1
            batch_customers.append((customer_id, program.pk, f"friend{friend}", f"friend{friend}@bench.example.org",
                                    f"friend{friend}@bench.example.org", f"Friend {friend}", adapt(signed_up),
                                    adapt(signed_up), adapt(signed_up), adapt(signed_up)))
            batch_conversions.append((conversion_id, program.pk, "signup", customer_id, this_referral, 0, "", "", None,
                                      adapt(signed_up), adapt(signed_up)))
            conversion_id += 1
            made += 1
            for purchase in range(rng.choices((0, 1, 2, 3), weights=(30, 35, 20, 15))[0]):
                bought = min(now, signed_up + timedelta(days=rng.randrange(0, 60), seconds=rng.randrange(86400)))
                amount = int(rng.lognormvariate(8.6, 0.7))  # ~54.00 median, long tail
                purchase_id = conversion_id
                batch_conversions.append((purchase_id, program.pk, "purchase", customer_id, this_referral, amount, "USD",
                                          f"o{friend}-{purchase}", None, adapt(bought), adapt(bought)))
                conversion_id += 1
                made += 1
                if rng.random() < 0.04:
                    refunded = min(now, bought + timedelta(days=rng.randrange(1, 15)))
                    batch_conversions.append((conversion_id, program.pk, "refund", customer_id, this_referral, amount,
                                              "USD", f"o{friend}-{purchase}", purchase_id, adapt(refunded),
                                              adapt(refunded)))
                    conversion_id += 1
                    made += 1
            customer_id += 1
            friend += 1
            if len(batch_conversions) >= CHUNK:
                customers.write(batch_customers)
                referrals.write(batch_referrals)
                conversions.write(batch_conversions)
                batch_customers, batch_referrals, batch_conversions = [], [], []
        customers.write(batch_customers)
        referrals.write(batch_referrals)
        conversions.write(batch_conversions)
        counts.update(customers=customers.rows, referrals=referrals.rows, conversions=conversions.rows)
        if pg:
            for model in (Advocate, ReferralLink, Customer, Referral, Conversion):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    return counts


def _pick(cumulative: list[float], value: float) -> int:
    from bisect import bisect_right

    return min(len(cumulative) - 1, bisect_right(cumulative, value))


def _stats(times: list[float]) -> dict:
    ordered = sorted(times)

    def percentile(share: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    return {"runs": len(ordered), "p50_ms": round(percentile(0.5) * 1000, 1), "p95_ms": round(percentile(0.95) * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1), "mean_ms": round(sum(ordered) / len(ordered) * 1000, 1)}


def child(scale: float, runs: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from chorus.analytics import services
    from chorus.analytics.dashboard import program_dashboard
    from chorus.analytics.rollups import rebuild
    from chorus.testing import factories

    owner = factories.make_user("bench-dashboard")
    program = factories.make_program(factories.make_workspace(owner, name="Bench Co"), name="Bench dashboard",
                                     slug="bench-dashboard")
    started = time.perf_counter()
    counts = generate(program, scale)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    written = rebuild(program)
    rebuilt = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    today = timezone.localdate()
    ranges = {"last_30_days": (today - timedelta(days=29), today), "last_90_days": (today - timedelta(days=89), today),
              "year": (today - timedelta(days=364), today)}
    timings, queries = {}, {}
    for name, (start, end) in ranges.items():
        for _warm in range(3):
            program_dashboard(program, start, end)
        times = []
        for _run in range(runs):
            begun = time.perf_counter()
            program_dashboard(program, start, end)
            times.append(time.perf_counter() - begun)
        timings[name] = _stats(times)
        with CaptureQueriesContext(connection) as captured:
            data = program_dashboard(program, start, end)
        queries[name] = len(captured.captured_queries)
        timings[name].update(queries=queries[name], funnel=data["funnel"], top_advocates=len(data["top_advocates"]),
                             channels=len(data["channels"]), trend_rows=len(data["trend"]))
    start, end = ranges["last_30_days"]
    begun = time.perf_counter()
    source = services.funnel(program, start, end).totals
    source_seconds = time.perf_counter() - begun
    from_rollups = program_dashboard(program, start, end)["funnel"]
    matches = from_rollups == {key: getattr(source, key) for key in from_rollups}
    return {"vendor": connection.vendor, "counts": counts, "rollup_rows": written,
            "generate_seconds": round(generated, 1), "rebuild_seconds": round(rebuilt, 1),
            "ranges": timings, "p95_ms": max(timing["p95_ms"] for timing in timings.values()),
            "source_funnel_30_days_ms": round(source_seconds * 1000, 1), "funnel_30_days_matches_source": matches}


# --- the parent: one child per database ---------------------------------------------------------

def measure(vendor: str, scale: float, runs: int) -> dict:
    database = common.open_database(vendor)
    try:
        common.log(f"{database.label}: migrating")
        common.migrate(database)
        common.log(f"{database.label}: generating (scale {scale}), rebuilding rollups, timing {runs} runs a range")
        started = time.perf_counter()
        completed = subprocess.run([sys.executable, "-m", "bench.dashboard", "--child", "--scale", str(scale),
                                    "--runs", str(runs)], cwd=common.REPO, env=dict(database.env, CHORUS_TESTING="false"),
                                   capture_output=True, text=True, timeout=4 * 3600)
        if completed.returncode != 0:
            raise RuntimeError(f"the dashboard child failed:\n{completed.stderr[-3000:]}")
        result = json.loads(completed.stdout.strip().splitlines()[-1])
        result["total_seconds"] = round(time.perf_counter() - started, 1)
    finally:
        database.close()
    result["database"] = database.label
    result["under_target"] = result["p95_ms"] < TARGET_P95_MS
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies 10M clicks, 1M conversions, 100k advocates")
    parser.add_argument("--runs", type=int, default=40, help="timed calls per date range (default 40)")
    parser.add_argument("--database", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--no-write", action="store_true", help="print the result instead of writing the JSON")
    parser.add_argument("--parallel", action="store_true",
                        help="generate and time the databases at the same time (each run then shares the CPU)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.scale, args.runs), default=str))
        return
    runs = {}
    vendors = common.databases(args.database)
    if args.parallel:  # both databases at once (a busy shared machine gives each process a share)
        with ThreadPoolExecutor(len(vendors)) as pool:
            runs.update(zip(vendors, pool.map(lambda vendor: measure(vendor, args.scale, args.runs), vendors), strict=True))
    for vendor in vendors:
        runs[vendor] = result = runs.get(vendor) or measure(vendor, args.scale, args.runs)
        common.log(f"{vendor}: generated {result['counts']} in {result['generate_seconds']} s, rollups rebuilt in "
                   f"{result['rebuild_seconds']} s; dashboard p95 {result['p95_ms']} ms "
                   f"({', '.join(name + ' ' + str(value['p95_ms']) for name, value in result['ranges'].items())})")
    payload = {**runs, "scale": args.scale, "parallel": args.parallel, "target_p95_ms": TARGET_P95_MS,
               "under_target": all(run["under_target"] for run in runs.values()),
               "all_checks_passed": all(run["funnel_30_days_matches_source"] for run in runs.values())}
    common.write_result("dashboard", payload, print_only=args.no_write)
    if not payload["all_checks_passed"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
