"""What the revenue-credit call costs conversion ingest: its share of the batch time.

    .venv/bin/python -m bench.credit_cost [--touches] [--decay]

Like bench/profile_ingest: a throwaway SQLite database, 50 advocates, batches of 500 events
(250 signups with a click id + 250 first purchases) through the real API with the test client;
`record_credits` (called once by `ConversionBatch.flush`) is wrapped with a timer. With
--touches each friend also clicked two other advocates' links (Click rows written), so the
multi-touch path runs; --decay uses the time-decay model (three credit rows per purchase).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCHES = 6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--touches", action="store_true", help="two more advocates' clicks per friend")
    parser.add_argument("--decay", action="store_true", help="time-decay credit model")
    options = parser.parse_args()
    database = Path(tempfile.mkdtemp(prefix="chorus-credit-")) / "credit.sqlite3"
    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", CHORUS_TESTING="0", SECRET_KEY="credit-" + "x" * 50,
                      ALLOWED_HOSTS="testserver", CHORUS_SQLITE_PATH=str(database))
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from chorus.analytics.models import RevenueCredit
    from chorus.core.signing import new_click_id
    from chorus.referrals.models import Click
    from chorus.referrals.services import batch as batch_module
    from chorus.testing import factories

    call_command("migrate", verbosity=0)
    fields = {"hold_days": 0, **({"credit_model": "time_decay"} if options.decay else {})}
    program = factories.make_program(factories.make_workspace(factories.make_user("credit")), **fields)
    factories.make_standard_rules(program)
    advocates = [factories.make_advocate(program) for _ in range(50)]
    _key, raw = factories.make_api_key(program)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    spent = [0.0]
    record_credits = batch_module.record_credits

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return record_credits(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    batch_module.record_credits = timed
    counter = iter(range(10**9))

    def click(advocate, visitor: str, at: datetime) -> Click:
        token = new_click_id(advocate.link.pk, program.pk, clicked_at=at.timestamp()).token
        return Click(program=program, link=advocate.link, token=token, visitor_hash=visitor,
                     created_at=datetime.fromtimestamp(int(at.timestamp()), UTC))

    def post_batch() -> float:
        items, clicks, now = [], [], timezone.now()
        for _ in range(250):
            n = next(counter)
            last = click(advocates[n % 50], f"v{n}", now - timedelta(hours=1))
            clicks.append(last)
            if options.touches:
                clicks += [click(advocates[(n + 1) % 50], f"v{n}", now - timedelta(hours=72)),
                           click(advocates[(n + 2) % 50], f"v{n}", now - timedelta(hours=24))]
            items.append({"type": "signup", "customer_external_id": f"c{n}", "email": f"f{n}@example.org",
                          "click_id": last.token})
            items.append({"type": "purchase", "customer_external_id": f"c{n}", "amount": 5000, "order_id": f"o{n}"})
        if options.touches:
            Click.objects.bulk_create(clicks)
        started = time.perf_counter()
        response = client.post("/api/v1/conversions/batch", json.dumps({"conversions": items}),
                               content_type="application/json")
        assert response.status_code == 200, response.content[:300]
        return time.perf_counter() - started

    post_batch()
    spent[0] = 0.0
    total = sum(post_batch() for _ in range(BATCHES))
    events = BATCHES * 500
    print(f"touches={options.touches} model={program.credit_model}: {BATCHES} batches of 500 events in "
          f"{total * 1000:.0f} ms; record_credits {spent[0] * 1000:.0f} ms = {spent[0] / total * 100:.1f} % "
          f"({spent[0] / events * 1e6:.0f} µs per event); {RevenueCredit.objects.count()} credit rows")


if __name__ == "__main__":
    main()
