"""Email benchmark: 100,000 personalised emails rendered and delivered to a local SMTP sink.

    python -m bench.email [--emails 100000] [--workers 4] [--sink-processes 2]
                          [--database sqlite|postgresql] [--no-write]

1. A fresh temp SQLite file (or a temp PostgreSQL database) is migrated and seeded with one
   program (its starter pack brings the default email templates in five languages).
2. An SMTP sink starts in other processes (`bench/smtpsink.py`: aiosmtpd servers sharing
   one port with SO_REUSEPORT, counting accepted messages).
3. Queue: `--emails` distinct recipients (five languages, each with their own name, points
   and link) are queued through `notifications.campaigns.queue_bulk` — the path campaigns
   use: suppression, opt-outs and the frequency cap checked per address, rows inserted in
   chunks, one delivery task per 200 emails enqueued in the database task queue on commit.
4. Deliver: `--workers` (4) `manage.py db_worker --batch` processes (as production runs several
   workers) take the tasks; each task claims its 200 emails, renders each in its language
   (subject, preheader, Markdown-ish body → HTML and text, tracked links, the layout), builds
   the MIME message with List-Unsubscribe headers and sends them over ONE SMTP connection.
5. The rows are counted by status and the sink's count compared; the first message received
   is checked (headers, both parts).

`emails_per_s` = emails delivered / (queue seconds + delivery seconds). The SMTP sink runs on
the same machine and its CPU counts against the same cores. Writes bench/results/email.json.
"""

import argparse
import email
import email.policy
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import common
from .common import REPO, log
from .smtpsink import Sink

MAX_WALL_SECONDS = 1200


def _step(database, *args: str, env_extra: dict | None = None, timeout: float = 900) -> dict:
    completed = subprocess.run([sys.executable, "-m", "bench.email_side", *args], cwd=REPO,
                               env={**database.env, **(env_extra or {})}, capture_output=True, text=True,
                               timeout=timeout)
    if completed.returncode != 0:
        raise RuntimeError(f"bench.email_side {' '.join(args)} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _deliver(database, workers: int, email_url: str, work: Path) -> float:
    env = {**database.env, "EMAIL_URL": email_url}
    started = time.perf_counter()
    processes = []
    try:
        for number in range(workers):
            log_file = open(work / f"worker-{number}.log", "w")  # noqa: SIM115 - closed with the process
            processes.append((subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--interval", "0.05",
                 "--worker-id", f"bench-{number}", "--no-reload"],
                cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True), log_file))
        for process, _log in processes:
            process.wait(timeout=MAX_WALL_SECONDS)
    finally:
        for process, log_file in processes:
            if process.poll() is None:
                process.kill()
                process.wait(10)
            log_file.close()
    return time.perf_counter() - started


def _check_sample(path: Path) -> dict:
    if not path.exists():
        return {"received": False}
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    html = message.get_body(preferencelist=("html",))
    text = message.get_body(preferencelist=("plain",))
    return {
        "received": True,
        "list_unsubscribe": "/u/" in str(message["List-Unsubscribe"]) and "mailto:" in str(message["List-Unsubscribe"]),
        "one_click": message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click",
        "personalised": "Person" in str(message["To"]) and "Person" in text.get_content(),
        "html_and_text": html is not None and text is not None and "/e/c/" in html.get_content(),
        "subject": str(message["Subject"]),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.email", description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=4, help="db_worker processes delivering")
    parser.add_argument("--sink-processes", type=int, default=2)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="chorus-bench-email-"))
    log(f"work files in {work}")
    database = common.open_database(args.database)
    load_before = os.getloadavg()
    sink = None
    try:
        log(f"{database.label}: migrating and seeding")
        common.migrate(database)
        _step(database, "seed")
        port = common.free_port()
        sink = Sink(port, str(work / "first.eml"), processes=args.sink_processes).start()
        time.sleep(0.5)
        log(f"queueing {args.emails} emails")
        queued = _step(database, "queue", "--emails", str(args.emails))
        log(f"queued in {queued['seconds']} s; delivering with {args.workers} db_worker(s)")
        deliver_seconds = _deliver(database, args.workers, f"smtp://127.0.0.1:{port}", work)
        time.sleep(0.5)
        received = sink.count
        counted = _step(database, "count")
    finally:
        if sink is not None:
            sink.stop()
        database.close()
    load_after = os.getloadavg()
    sent = counted["by_status"].get("sent", 0)
    total_seconds = queued["seconds"] + deliver_seconds
    sample = _check_sample(work / "first.eml")
    checks = {
        "all_queued": queued["queued"] == args.emails,
        "all_sent": sent == args.emails,
        "sink_received_all": received == args.emails,
        **{key: value for key, value in sample.items() if isinstance(value, bool)},
    }
    result = {
        "emails_per_s": round(sent / total_seconds, 1),
        "delivery_emails_per_s": round(sent / deliver_seconds, 1),
        "target_emails_per_s": 800,
        "emails": args.emails,
        "sent": sent,
        "received_by_sink": received,
        "queue_seconds": queued["seconds"],
        "delivery_seconds": round(deliver_seconds, 3),
        "by_status": counted["by_status"],
        "workers": args.workers,
        "sink_processes": args.sink_processes,
        "emails_per_task": 200,
        "database": database.label,
        "sample_subject": sample.get("subject", ""),
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in load_after],
        "all_checks_passed": all(checks.values()),
        "checks": checks,
    }
    log(f"{result['emails_per_s']} emails/s overall ({result['delivery_emails_per_s']}/s delivering); checks {checks}")
    common.write_result("email", result, print_only=args.no_write)
    return 0 if result["all_checks_passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
