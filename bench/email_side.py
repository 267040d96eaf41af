"""Django-side steps of the email benchmark, run in a subprocess against one database.

    python -m bench.email_side seed
    python -m bench.email_side queue --emails N
    python -m bench.email_side deliver-inline --emails N     (one process, no task queue: profiling)
    python -m bench.email_side count

Each prints one JSON line on stdout."""

import argparse
import json
import os
import sys
import time

SLUG = "bench-email"
LANGUAGES = ["en", "de", "pl", "ja", "ar"]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def seed() -> dict:
    from chorus.testing import factories

    owner = factories.make_user("bench-email")
    workspace = factories.make_workspace(owner, name="Bench Co")
    program = factories.make_program(workspace, name="Bench Email", slug=SLUG)
    return {"program": program.slug, "templates": program.email_templates.count()}


def people(count: int) -> list[dict]:
    """Distinct recipients in the five languages, each with their own name, points and link."""
    return [{"to_email": f"person{number}@bench.example.org", "name": f"Person {number} Example",
             "language": LANGUAGES[number % len(LANGUAGES)],
             "context": {"reward": f"{(number % 50) * 10 + 100} points", "points": str(number % 5000),
                         "link": f"https://shop.example.com/rewards?ref={number}"}}
            for number in range(count)]


def queue(count: int) -> dict:
    """Queue `count` personalised emails through the real bulk path (suppression, opt-outs and
    the frequency cap checked per address; one delivery task per 200 emails after commit)."""
    from django.db import transaction

    from chorus.notifications.campaigns import queue_bulk
    from chorus.notifications.models import EmailTemplate
    from chorus.programs.models import Program

    program = Program.objects.get(slug=SLUG)
    template = EmailTemplate.objects.get(program=program, key="reward_earned")
    recipients = people(count)
    started = time.perf_counter()
    queued = 0
    for start in range(0, count, 5000):  # one commit (and its task enqueues) per 5,000
        with transaction.atomic():
            queued += len(queue_bulk(program, template, recipients[start:start + 5000], tracking_key="bench"))
    return {"queued": queued, "seconds": round(time.perf_counter() - started, 3)}


def deliver_inline(count: int) -> dict:
    from chorus.notifications.delivery import deliver
    from chorus.notifications.models import OutboundEmail

    ids = list(OutboundEmail.objects.filter(status="queued").order_by("pk").values_list("pk", flat=True)[:count])
    started = time.perf_counter()
    sent = sum(deliver(ids[start:start + 200]) for start in range(0, len(ids), 200))
    return {"sent": sent, "seconds": round(time.perf_counter() - started, 3)}


def count() -> dict:
    from django.db.models import Count

    from chorus.notifications.models import OutboundEmail

    by_status = dict(OutboundEmail.objects.values_list("status").annotate(n=Count("pk")))
    first = OutboundEmail.objects.order_by("pk").first()
    return {"by_status": by_status,
            "first": {"message_id": first.message_id, "subject": first.subject, "links": first.links} if first else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.email_side")
    parser.add_argument("step", choices=["seed", "queue", "deliver-inline", "count"])
    parser.add_argument("--emails", type=int, default=100_000)
    args = parser.parse_args(argv)
    _setup()
    if args.step == "seed":
        result = seed()
    elif args.step == "queue":
        result = queue(args.emails)
    elif args.step == "deliver-inline":
        result = deliver_inline(args.emails)
    else:
        result = count()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
