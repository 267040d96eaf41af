"""Conversion ingest benchmark: `POST /api/v1/conversions/batch` throughput and single-event p99.

    python -m bench.ingest [--friends 2000] [--batch-size 500] [--clients 2] [--singles 500]
                           [--database all|sqlite|postgresql]

For each database (a fresh temp SQLite file, and a temp PostgreSQL database when one answers
on 127.0.0.1:5432): migrate, seed a program with ~1,000 advocates, the standard double-sided
rules (friend coupon at signup, 500 points per new customer, 10% of each of the first three
purchases) and no hold (so rewards are approved and issued, and ledger entries written, as
the events arrive), an API key, and signed click ids for the friends to carry. Then serve
config.wsgi under granian (DEBUG off) and:

1. batch ingest — the friends' events (a signup carrying a click id, promo code or referral
   code, or nothing; a first purchase; for some a second purchase with no code, attributed
   through the earlier referral) in batches of `--batch-size`, sent by `--clients`
   concurrent keep-alive connections; events/s = events recorded / wall time;
2. single events — `--singles` sequential `POST /api/v1/conversions` (a signup with a promo
   code, then a purchase, for new friends), timed at the client; p50/p99.

After a graceful stop it counts conversions, referrals, rewards and ledger entries and
checks them against what the events must produce. Writes bench/results/ingest.json.
"""

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from . import common
from .common import HOST, Server, ServerSettings, log

MAX_WALL_SECONDS = 600  # every load loop stops by this, whatever happens


class Client:
    """One keep-alive HTTP/1.1 connection to the server (never follows redirects)."""

    def __init__(self, port: int, api_key: str):
        self.connection = http.client.HTTPConnection(HOST, port, timeout=120)
        self.headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}

    def post(self, path: str, payload) -> tuple[int, dict]:
        self.connection.request("POST", path, body=json.dumps(payload).encode(), headers=self.headers)
        response = self.connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")

    def close(self) -> None:
        self.connection.close()


def friend_events(seed: dict, tokens: list, friends: int, run: str) -> tuple[list, dict]:
    """Each friend's events in order, and the counts they must produce.

    Friends cycle through: click id (5 in 10), promo code (3 in 10), referral code (1 in 10),
    no code at all (1 in 10: recorded, never attributed). Two in five buy a second time with
    no code (attributed through their referral)."""
    links = seed["links"]
    groups = []
    expected = {"conversions": 0, "referrals": 0, "rewards": 0, "ledger_entries": 0, "by_reason": {}}
    for number in range(friends):
        link = links[number % len(links)]
        customer = {"customer_external_id": f"cus_{run}_{number}", "email": f"friend{number}.{run}@bench.example.org",
                    "name": f"Friend {number}"}
        kind = number % 10
        signup = {"type": "signup", **customer}
        reason = None
        if kind < 5:
            signup["click_id"], reason = tokens[number % len(tokens)], "click"
        elif kind < 8:
            signup["promo_code"], reason = link["promo_code"], "promo_code"
        elif kind < 9:
            signup["referral_code"], reason = link["code"], "referral_code"
        events = [signup, {"type": "purchase", **customer, "amount": 5000, "currency": "USD",
                           "order_id": f"ord_{run}_{number}_1", "metadata": {"plan": "pro", "seats": 3}}]
        second = number % 5 < 2
        if second:
            events.append({"type": "purchase", **customer, "amount": 12000, "order_id": f"ord_{run}_{number}_2"})
        groups.append(events)
        expected["conversions"] += len(events)
        if reason:
            expected["referrals"] += 1
            expected["by_reason"][reason] = expected["by_reason"].get(reason, 0) + 1
            # friend coupon at signup; 500 points + 10% on the first purchase; 10% on the second
            expected["rewards"] += 3 + (1 if second else 0)
            expected["ledger_entries"] += 2 + (1 if second else 0)
    return groups, expected


def batches_of(groups: list, size: int) -> list:
    """Batches of at most `size` events that never split a friend's events."""
    batches, current = [], []
    for events in groups:
        if current and len(current) + len(events) > size:
            batches.append(current)
            current = []
        current.extend(events)
    if current:
        batches.append(current)
    return batches


def ingest_batches(port: int, api_key: str, batches: list, clients: int) -> dict:
    """Send the batches over `clients` concurrent connections; returns counts and wall time."""
    lock = threading.Lock()
    queue = list(reversed(batches))
    totals = {"recorded": 0, "duplicates": 0, "failed": 0, "http_errors": 0, "batch_seconds": []}
    errors = []
    deadline = time.monotonic() + MAX_WALL_SECONDS

    def work():
        client = Client(port, api_key)
        try:
            while time.monotonic() < deadline:
                with lock:
                    if not queue:
                        return
                    batch = queue.pop()
                started = time.perf_counter()
                status, body = client.post("/api/v1/conversions/batch", {"conversions": batch})
                elapsed = time.perf_counter() - started
                with lock:
                    totals["batch_seconds"].append(elapsed)
                    if status != 200:
                        totals["http_errors"] += 1
                        errors.append({"status": status, "body": str(body)[:300]})
                        continue
                    for key in ("recorded", "duplicates", "failed"):
                        totals[key] += body[key]
                    errors.extend(item["error"] for item in body["results"] if not item["ok"])
        except Exception as error:  # reported, and the run counts as failed
            with lock:
                errors.append({"exception": repr(error)})
        finally:
            client.close()

    threads = [threading.Thread(target=work, name=f"ingest-client-{number}") for number in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(MAX_WALL_SECONDS + 60)
    totals["wall_seconds"] = time.perf_counter() - started
    totals["errors"] = errors[:10]
    totals["error_count"] = len(errors)
    return totals


def single_events(port: int, api_key: str, seed: dict, count: int, run: str, warmup: int = 20) -> dict:
    """`count` sequential single POSTs (alternating a new friend's signup with a promo code
    and their purchase); latency measured at the client, around the whole request."""
    client = Client(port, api_key)
    latencies, statuses = [], {}
    links = seed["links"]
    deadline = time.monotonic() + MAX_WALL_SECONDS
    try:
        for number in range(count + warmup):
            if time.monotonic() > deadline:
                break
            friend = number // 2
            customer = {"customer_external_id": f"single_{run}_{friend}", "email": f"single{friend}.{run}@bench.example.org"}
            if number % 2 == 0:
                event = {"type": "signup", **customer, "promo_code": links[friend % len(links)]["promo_code"]}
            else:
                event = {"type": "purchase", **customer, "amount": 2500, "order_id": f"single_{run}_{friend}"}
            started = time.perf_counter()
            status, _body = client.post("/api/v1/conversions", event)
            elapsed = time.perf_counter() - started
            if number >= warmup:
                latencies.append(elapsed * 1000)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
    finally:
        client.close()
    latencies.sort()
    return {
        "requests": len(latencies),
        "warmup_requests": warmup,
        "statuses": statuses,
        "p50_ms": round(statistics.median(latencies), 2),
        "p90_ms": round(latencies[int(len(latencies) * 0.90) - 1], 2),
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 2),
        "max_ms": round(latencies[-1], 2),
        "mean_ms": round(statistics.fmean(latencies), 2),
        "events_friends": count // 2,
    }


def _expected_total(batch: dict, warm: dict, single_requests: int) -> dict:
    """What the database must hold: the batch and warm-up friends' work, plus the single
    events (each signup: a referral by promo code and the friend's coupon; each purchase,
    a first one: 500 points and 10%, each with its ledger entry)."""
    signups, purchases = (single_requests + 1) // 2, single_requests // 2
    return {
        "conversions": batch["conversions"] + warm["conversions"] + single_requests,
        "referrals": batch["referrals"] + warm["referrals"] + signups,
        "rewards": batch["rewards"] + warm["rewards"] + signups + 2 * purchases,
        "ledger_entries": batch["ledger_entries"] + warm["ledger_entries"] + 2 * purchases,
    }


def _section(vendor: str, args, server_settings: ServerSettings, work: Path) -> dict:
    database = common.open_database(vendor)
    try:
        log(f"{database.label}: migrating and seeding {args.advocates} advocates")
        common.migrate(database)
        seed_file, tokens_file = work / f"seed-{vendor}.json", work / f"tokens-{vendor}.json"
        common.django_step(database, "seed-ingest", str(seed_file), "--advocates", str(args.advocates))
        common.django_step(database, "click-tokens", str(tokens_file), "--count", str(args.friends))
        seed, tokens = json.loads(seed_file.read_text()), json.loads(tokens_file.read_text())
        run = datetime.now(UTC).strftime("%H%M%S")
        groups, expected = friend_events(seed, tokens, args.friends, run)
        batches = batches_of(groups, args.batch_size)
        warm_groups, warm_expected = friend_events(seed, tokens[-50:], 40, f"warm{run}")

        with Server("config.wsgi:application", database.env, server_settings, work / f"granian-ingest-{vendor}.log") as server:
            warm = ingest_batches(server.port, seed["api_key"], batches_of(warm_groups, 50), args.clients)
            log(f"{vendor}: ingesting {expected['conversions']} events in {len(batches)} batches "
                f"over {args.clients} connections")
            batch = ingest_batches(server.port, seed["api_key"], batches, args.clients)
            log(f"{vendor}: {args.singles} sequential single events")
            single = single_events(server.port, seed["api_key"], seed, args.singles, run)
        counted = common.django_step(database, "count")

        events_per_s = round(batch["recorded"] / batch["wall_seconds"], 1)
        total = _expected_total(expected, warm_expected, single["requests"] + single["warmup_requests"])
        checks = {
            "batch_events_all_recorded": batch["recorded"] == expected["conversions"] and batch["error_count"] == 0,
            "singles_all_recorded": single["statuses"] == {"201": single["requests"]},
            **{f"{key}_as_expected": counted[key] == total[key]
               for key in ("conversions", "referrals", "rewards", "ledger_entries")},
        }
        section = {
            "database": database.label,
            "events_per_s": events_per_s,
            "single_p99_ms": single["p99_ms"],
            "single_p50_ms": single["p50_ms"],
            "batch": {
                "events": expected["conversions"], "friends": args.friends, "batches": len(batches),
                "batch_size": args.batch_size, "clients": args.clients,
                "recorded": batch["recorded"], "duplicates": batch["duplicates"], "failed": batch["failed"],
                "http_errors": batch["http_errors"], "errors": batch["errors"],
                "wall_seconds": round(batch["wall_seconds"], 3),
                "batch_seconds_p50": round(statistics.median(batch["batch_seconds"]), 3),
                "batch_seconds_max": round(max(batch["batch_seconds"]), 3),
            },
            "single": single,
            "expected_in_database": total,
            "counted_in_database": counted,
            "warmup_events": warm["recorded"],
            "checks": checks,
        }
        log(f"{vendor}: {events_per_s} events/s; single p50 {single['p50_ms']} ms p99 {single['p99_ms']} ms; "
            f"checks {checks}")
        return section
    finally:
        database.close()


def _baseline(args, server_settings: ServerSettings, work: Path) -> dict:
    """The same batches and single requests against bench.baseline:ingest_application."""
    seed = {"api_key": "baseline", "links": [{"link_id": number, "code": f"code{number:06d}",
                                               "promo_code": f"PROMO-{number:05d}"} for number in range(1000)]}
    tokens = [f"click-token-{number}" for number in range(args.friends)]
    groups, expected = friend_events(seed, tokens, args.friends, "baseline")
    with Server("bench.baseline:ingest_application", common.base_env(), server_settings,
                work / "granian-ingest-baseline.log") as server:
        batch = ingest_batches(server.port, seed["api_key"], batches_of(groups, args.batch_size), args.clients)
        single = single_events(server.port, seed["api_key"], seed, args.singles, "baseline")
    result = {"app": "bench.baseline:ingest_application (parses the JSON, answers a result per event)",
              "events_per_s": round(batch["recorded"] / batch["wall_seconds"], 1), "events": expected["conversions"],
              "single_p50_ms": single["p50_ms"], "single_p99_ms": single["p99_ms"]}
    log(f"baseline: {result['events_per_s']} events/s; single p50 {single['p50_ms']} ms p99 {single['p99_ms']} ms")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--friends", type=int, default=2000, help="friends in the batch run (~2.4 events each)")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--clients", type=int, default=2, help="concurrent connections sending batches")
    parser.add_argument("--singles", type=int, default=500, help="sequential single-event requests")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--blocking-threads", type=int, default=1)
    parser.add_argument("--advocates", type=int, default=1000)
    parser.add_argument("--database", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if not 1 <= args.batch_size <= 1000:
        parser.error("--batch-size must be 1..1000 (the API's cap)")

    server_settings = ServerSettings(workers=args.workers, blocking_threads=args.blocking_threads)
    vendors = common.databases(args.database)
    work = Path(tempfile.mkdtemp(prefix="chorus-bench-ingest-"))
    log(f"work files in {work}")
    started = time.monotonic()
    baseline = _baseline(args, server_settings, work)
    sections = {vendor: _section(vendor, args, server_settings, work) for vendor in vendors}
    for section in sections.values():
        section["ratio_to_baseline"] = round(section["events_per_s"] / baseline["events_per_s"], 4)
    headline = sections["sqlite"] if "sqlite" in sections else next(iter(sections.values()))
    result = {
        "events_per_s": headline["events_per_s"],
        "single_p99_ms": headline["single_p99_ms"],
        "single_p50_ms": headline["single_p50_ms"],
        "baseline_events_per_s": baseline["events_per_s"],
        "ratio_to_baseline": headline["ratio_to_baseline"],
        "baseline_single_p99_ms": baseline["single_p99_ms"],
        "target_events_per_s": 2000,
        "target_single_p99_ms": 50,
        "all_checks_passed": all(all(section["checks"].values()) for section in sections.values()),
        "database": headline["database"],
        "server": server_settings.describe(),
        "databases": sections,
        "baseline": baseline,
        "postgresql_skipped": "" if "postgresql" in sections or args.database == "sqlite" else common.postgres_reachable(),
        "wall_seconds": round(time.monotonic() - started, 1),
    }
    common.write_result("ingest", result, print_only=args.no_write)
    return 0 if result["all_checks_passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
