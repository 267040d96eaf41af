"""Customer CSV import benchmark: 100,000 rows through the import job, then the same file again.

    python -m bench.import_customers [--rows 100000] [--database all|sqlite|postgresql] [--no-write]

For each database (a fresh temp SQLite file, and a temp PostgreSQL database when one answers
on 127.0.0.1:5432): migrate, then in a child process (DEBUG off, the production settings
otherwise) create a program and:

1. upload — `start_import` stores the generated CSV through Django's storage and reads its
   header (the console's upload step);
2. import — the mapping guessed from the headers is saved and the import job runs in-process
   (`run_import`, what the background worker runs): the whole file is checked, then read
   again and written in chunks of 1,000 rows. `rows_per_s` = rows / import seconds;
3. re-run — the same file uploaded and imported again: it must report 0 created, 0 updated
   and every good row unchanged;
4. health — the program's health scores recomputed once (reported, not part of the target).

The CSV has 12 columns (id, email, name, language, plan, revenue, signup date, company,
domain, followers, posts per month, city) over 2,000 companies; one row in 1,000 has an
invalid email, to exercise the error report. Writes bench/results/import.json.
"""

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from . import common
from .common import REPO, log

TARGET_SECONDS = 60


def write_csv(path: Path, rows: int) -> int:
    """The benchmark's CSV; returns how many rows have an invalid email."""
    rng = random.Random(4)
    plans = ["Free", "Starter", "Pro", "Business", "Enterprise"]
    languages = ["en", "de", "ja", "pl", "ar", "en-GB", "de-AT"]
    cities = ["Berlin", "Tokyo", "Warsaw", "Cairo", "Austin", "Lyon"]
    invalid = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Customer ID", "Email", "Full name", "Language", "Plan", "Revenue", "Signup date", "Company",
                         "Domain", "Followers", "Posts per month", "City"])
        for number in range(rows):
            company = number % 2000
            email = f"person{number}@company{company}.example.com"
            if number % 1000 == 999:
                email, invalid = f"person{number}-at-nowhere", invalid + 1
            writer.writerow([
                f"cus_{number:06d}", email, f"Person {number} Müller", rng.choice(languages), rng.choice(plans),
                f"{rng.randint(0, 250000) / 100:.2f}", f"20{rng.randint(18, 25)}-{rng.randint(1, 12):02d}-"
                f"{rng.randint(1, 28):02d}", f"Company {company}", f"company{company}.example.com",
                rng.randint(0, 200000), rng.randint(0, 60), rng.choice(cities),
            ])
    return invalid


def child(csv_path: str, rows: int) -> dict:
    """Runs in a subprocess against the database its environment names."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import resource

    from django.core.files import File
    from django.db import connection

    from chorus.advocates.health import recompute_program_health
    from chorus.advocates.imports import check_mapping, run_import, start_import
    from chorus.advocates.models import Customer, ImportJob
    from chorus.testing import factories

    owner = factories.make_user("bench-import")
    program = factories.make_program(factories.make_workspace(owner, name="Bench Co"), name="Bench import",
                                     slug="bench-import", starter_pack=False)

    def one_run() -> dict:
        started = time.perf_counter()
        with open(csv_path, "rb") as handle:
            job = start_import(program, owner, File(handle, name="customers.csv"))
        uploaded = time.perf_counter()
        # what queue_import stores, without enqueueing: the job runs here, timed
        ImportJob.objects.filter(pk=job.pk).update(mapping=check_mapping(job.headers, job.mapping), status="queued")
        outcome = run_import(job.pk)
        finished = time.perf_counter()
        job.refresh_from_db()
        return {"outcome": outcome, "upload_seconds": round(uploaded - started, 2),
                "seconds": round(finished - uploaded, 2), "total_rows": job.total_rows, "created": job.created,
                "updated": job.updated, "unchanged": job.unchanged, "failed": job.failed, "message": job.message}

    first = one_run()
    again = one_run()
    started = time.perf_counter()
    scored = recompute_program_health(program.pk)
    health_seconds = time.perf_counter() - started
    return {"first": first, "rerun": again, "customers": Customer.objects.filter(program=program).count(),
            "health_seconds": round(health_seconds, 2), "health_scored": scored, "vendor": connection.vendor,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "rows": rows}


def measure(vendor: str, csv_path: Path, rows: int, invalid: int) -> dict:
    database = common.open_database(vendor)
    try:
        log(f"{database.label}: migrating")
        common.migrate(database)
        env = dict(database.env, MEDIA_ROOT=tempfile.mkdtemp(prefix="chorus-bench-media-"))
        log(f"{database.label}: importing {rows:,} rows twice")
        completed = subprocess.run([sys.executable, "-m", "bench.import_customers", "--child", str(csv_path),
                                    "--rows", str(rows)], cwd=REPO, env=env, capture_output=True, text=True,
                                   timeout=1800)
        if completed.returncode != 0:
            raise RuntimeError(f"the import child failed:\n{completed.stderr[-3000:]}")
        result = json.loads(completed.stdout.strip().splitlines()[-1])
    finally:
        database.close()
    first, rerun = result["first"], result["rerun"]
    good = rows - invalid
    checks = {
        "first_run_created_every_good_row": (first["created"], first["failed"]) == (good, invalid),
        "rerun_changed_nothing": (rerun["created"], rerun["updated"], rerun["unchanged"]) == (0, 0, good),
        "customers_in_database": result["customers"] == good,
    }
    return {"database": database.label, "rows": rows, "seconds": first["seconds"],
            "rows_per_s": round(rows / first["seconds"], 1), "upload_seconds": first["upload_seconds"],
            "rerun_seconds": rerun["seconds"], "rerun_rows_per_s": round(rows / rerun["seconds"], 1),
            "health_seconds": result["health_seconds"], "peak_rss_mb": result["peak_rss_mb"],
            "first_run": first, "rerun": rerun, "checks": checks, "all_checks_passed": all(checks.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--no-write", action="store_true", help="print the result instead of writing the JSON")
    parser.add_argument("--child", metavar="CSV", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rows)))
        return
    directory = Path(tempfile.mkdtemp(prefix="chorus-bench-csv-"))
    csv_path = directory / "customers.csv"
    invalid = write_csv(csv_path, args.rows)
    log(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.1f} MB), {invalid} with an invalid email")
    runs = {}
    try:
        for vendor in common.databases(args.database):
            runs[vendor] = measure(vendor, csv_path, args.rows, invalid)
            log(f"{vendor}: {runs[vendor]['seconds']} s ({runs[vendor]['rows_per_s']} rows/s), "
                f"re-run {runs[vendor]['rerun_seconds']} s, checks passed: {runs[vendor]['all_checks_passed']}")
    finally:
        csv_path.unlink(missing_ok=True)
        directory.rmdir()
    headline = runs.get("sqlite") or next(iter(runs.values()))
    result = {
        "benchmark": "import_customers",
        "measured_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "rows": headline["rows"], "seconds": headline["seconds"], "rows_per_s": headline["rows_per_s"],
        "rerun_seconds": headline["rerun_seconds"], "target_seconds": TARGET_SECONDS,
        "under_target": headline["seconds"] < TARGET_SECONDS,
        "all_checks_passed": all(run["all_checks_passed"] for run in runs.values()),
        "database": headline["database"], "cpus": os.cpu_count(), "load_average_at_end": os.getloadavg(),
        "databases": runs,
    }
    text = json.dumps(result, indent=2)
    if args.no_write:
        print(text)
    else:
        common.RESULTS.mkdir(parents=True, exist_ok=True)
        (common.RESULTS / "import.json").write_text(text + "\n")
        log(f"wrote {common.RESULTS / 'import.json'}")
    if not result["all_checks_passed"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
