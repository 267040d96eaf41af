"""Redirect benchmark: `GET /r/<code>` throughput and latency at 64 connections.

    python -m bench.redirect [--duration 20] [--connections 64] [--database all|sqlite|postgresql]

For each database (a fresh temp SQLite file, and a temp PostgreSQL database when one answers
on 127.0.0.1:5432): migrate, seed a program with ~1,000 advocates, serve config.wsgi under
granian (DEBUG off, a random SECRET_KEY), warm up, drive it with wrk + bench/redirect.lua
over every advocate's link for a fixed duration, stop the server gracefully (SIGTERM), then
count the Click rows and compare them with the requests wrk sent. The baseline — the same
granian settings serving bench.baseline (a static 302) under the same wrk settings — is
measured in the same run, before and after the redirect runs. Writes bench/results/redirect.json.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from . import common
from .common import Server, ServerSettings, WrkSettings, log

WARMUP_SECONDS = 3


def _measure(app: str, env: dict, server_settings: ServerSettings, wrk: WrkSettings, paths: Path, work: Path,
             label: str, count_clicks=None) -> dict:
    """Serve `app`, warm up, measure, stop gracefully; with `count_clicks`, count rows around it."""
    server = Server(app, env, server_settings, work / f"granian-{label}.log")
    with server:
        warmup = common.run_wrk(server.url, paths, WrkSettings(wrk.connections, wrk.threads, WARMUP_SECONDS),
                                work / f"wrk-{label}-warmup.json")
        time.sleep(1.0)  # let the flushers write the warm-up clicks
        before = count_clicks() if count_clicks else None
        log(f"{label}: measuring {wrk.duration_s}s at {wrk.connections} connections")
        cpu_before = server.cpu_seconds()
        run = common.run_wrk(server.url, paths, wrk, work / f"wrk-{label}.json")
        cpu_used = server.cpu_seconds() - cpu_before
        workers = server.worker_pids()
    # `with` has stopped the server gracefully (SIGTERM): buffered clicks must be in the database now
    result = {
        "per_s": round(run["responses"] / (run["duration_us"] / 1e6), 1),
        "p50_ms": round(run["latency_us"]["p50"] / 1000, 3),
        "p90_ms": round(run["latency_us"]["p90"] / 1000, 3),
        "p99_ms": round(run["latency_us"]["p99"] / 1000, 3),
        "requests_sent": run["requests_sent"],
        "responses": run["responses"],
        "responses_by_status": run["responses_by_status"],
        "errors": run["errors"],
        "duration_s": round(run["duration_us"] / 1e6, 3),
        "warmup_requests_sent": warmup["requests_sent"],
        # CPU the server's processes spent per response: steadier than throughput on a shared
        # machine (the database's own processes are not included: PostgreSQL's backends)
        "server_cpu_us_per_response": round(cpu_used / max(run["responses"], 1) * 1e6, 1),
        "server_workers_seen": len(workers),
        "server_stop_seconds": server.stop_seconds,
        "server_exit_code": server.exit_code,
    }
    if count_clicks:
        after = count_clicks()
        result["clicks_before"] = before
        result["clicks_after"] = after
    return result


def _redirect_section(vendor: str, server_settings: ServerSettings, wrk: WrkSettings, advocates: int, work: Path,
                      app: str = "bench.counted:application") -> dict:
    database = common.open_database(vendor)
    try:
        log(f"{database.label}: migrating and seeding {advocates} advocates")
        common.migrate(database)
        paths = work / f"paths-{vendor}.txt"
        seeded = common.django_step(database, "seed-redirect", str(paths), "--advocates", str(advocates))

        def count_clicks() -> dict:
            return common.django_step(database, "count")

        label = vendor if app == "bench.counted:application" else f"{vendor}-django"
        counts = work / f"counts-{label}"
        counts.mkdir()
        env = {**database.env, "BENCH_COUNT_DIR": str(counts)}
        measured = _measure(app, env, server_settings, wrk, paths, work, label, count_clicks)
        before, after = measured.pop("clicks_before"), measured.pop("clicks_after")
        redirects = measured["responses_by_status"].get("302", 0)
        clicks = after["clicks"] - before["clicks"]
        served = _served_redirects(counts)
        section = {
            "database": database.label,
            "app": app,
            "redirects_per_s": round(redirects / measured["duration_s"], 1),
            "p50_ms": measured["p50_ms"], "p90_ms": measured["p90_ms"], "p99_ms": measured["p99_ms"],
            "requests_sent": measured["requests_sent"],
            "redirects_received": redirects,
            "clicks_recorded": clicks,
            # The exact check, over the server's whole life (warm-up included, fresh database):
            # every 302 the server's workers answered has its Click row after the graceful stop.
            "server_redirects_total": served["redirects"],
            "clicks_total_in_database": after["clicks"],
            "every_redirect_recorded": served["all_final"] and after["clicks"] == served["redirects"]
                                       and clicks >= redirects,
            "requests_total_sent": measured["requests_sent"] + measured["warmup_requests_sent"],
            "server_worker_counts": served["workers"],
            "clicks_unique": after["clicks_unique"] - before["clicks_unique"],
            "clicks_bot": after["clicks_bot"] - before["clicks_bot"],
            "seed": seeded,
            **{key: measured[key] for key in ("server_cpu_us_per_response", "responses", "responses_by_status", "errors", "duration_s",
                                              "server_workers_seen", "server_stop_seconds", "server_exit_code")},
        }
        log(f"{label}: {section['redirects_per_s']}/s p50 {section['p50_ms']} ms p99 {section['p99_ms']} ms, "
            f"sent {section['requests_sent']}, clicks {clicks}")
        return section
    finally:
        database.close()


def _served_redirects(directory: Path) -> dict:
    """What bench.counted's workers wrote when they stopped."""
    workers = [json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))]
    return {"redirects": sum(worker["redirects"] for worker in workers), "workers": workers,
            "all_final": bool(workers) and all(worker["final"] for worker in workers)}


def _baseline(server_settings: ServerSettings, wrk: WrkSettings, paths: Path, work: Path, label: str) -> dict:
    measured = _measure("bench.baseline:application", common.base_env(), server_settings, wrk, paths, work, label)
    log(f"{label}: {measured['per_s']}/s p50 {measured['p50_ms']} ms p99 {measured['p99_ms']} ms")
    return measured


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.redirect", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per measured run (default 20)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes (default 2, one per core)")
    parser.add_argument("--blocking-threads", type=int, default=2, help="granian blocking threads per worker (default 2)")
    parser.add_argument("--advocates", type=int, default=1000)
    parser.add_argument("--database", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--no-compare-django", dest="compare_django", action="store_false",
                        help="skip the comparison run through the whole Django stack (SQLite)")
    parser.add_argument("--no-write", action="store_true", help="print the result instead of writing the JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 300:
        parser.error("--duration must be 1..300 seconds")

    server_settings = ServerSettings(workers=args.workers, blocking_threads=args.blocking_threads)
    wrk = WrkSettings(connections=args.connections, threads=args.wrk_threads, duration_s=args.duration)
    vendors = common.databases(args.database)
    work = Path(tempfile.mkdtemp(prefix="chorus-bench-redirect-"))
    log(f"work files in {work}")
    started = time.monotonic()

    baseline_paths = work / "paths-baseline.txt"
    baseline_paths.write_text("".join(f"/r/baseline{number}\n" for number in range(1000)))
    baselines = [_baseline(server_settings, wrk, baseline_paths, work, "baseline-1")]
    sections = {vendor: _redirect_section(vendor, server_settings, wrk, args.advocates, work) for vendor in vendors}
    full_stack = None
    if args.compare_django and "sqlite" in vendors:
        full_stack = _redirect_section("sqlite", server_settings, wrk, args.advocates, work,
                                       app="bench.counted:django_application")
    baselines.append(_baseline(server_settings, wrk, baseline_paths, work, "baseline-2"))

    baseline_per_s = round(sum(run["per_s"] for run in baselines) / len(baselines), 1)
    for section in [*sections.values(), *([full_stack] if full_stack else [])]:
        section["ratio_to_baseline"] = round(section["redirects_per_s"] / baseline_per_s, 3)
    headline = sections["sqlite"] if "sqlite" in sections else next(iter(sections.values()))
    result = {
        "redirects_per_s": headline["redirects_per_s"],
        "p50_ms": headline["p50_ms"],
        "p99_ms": headline["p99_ms"],
        "requests_sent": headline["requests_sent"],
        "clicks_recorded": headline["clicks_recorded"],
        "baseline_per_s": baseline_per_s,
        "ratio_to_baseline": headline["ratio_to_baseline"],
        "every_redirect_recorded": all(section["every_redirect_recorded"]
                                       for section in [*sections.values(), *([full_stack] if full_stack else [])]),
        "target_redirects_per_s": 5000,
        "database": headline["database"],
        "duration_s": args.duration,
        "connections": args.connections,
        "server": server_settings.describe(),
        "load": wrk.describe(),
        "databases": sections,
        "without_lean_path": None if full_stack is None else {
            "note": "the same SQLite run with config.wsgi.django_application (every redirect through Django's "
                    "middleware, URL resolver and hub view), for comparison", **full_stack},
        "baseline": {"app": "bench.baseline:application (static 302)", "runs": baselines,
                     "note": "mean of a run before and a run after the redirect runs"},
        "postgresql_skipped": "" if "postgresql" in sections or args.database == "sqlite" else common.postgres_reachable(),
        "wall_seconds": round(time.monotonic() - started, 1),
    }
    common.write_result("redirect", result, print_only=args.no_write)
    return 0 if result["every_redirect_recorded"] else 1


if __name__ == "__main__":
    sys.exit(main())
