"""Profile one conversions batch in-process: where does ingest time go?

    .venv/bin/python -m bench.profile_ingest [--size 500] [--top 40]

Builds a throwaway SQLite database under var/, a program with the standard double-sided
rules (hold 0, so rewards are issued and ledger entries written), 50 advocates, then posts
batches of `size` events (half signups with a click id, half first purchases) through the
real API with Django's test client: three warm-up batches give an events/s figure without
the profiler, then one batch runs under cProfile (sorted by cumulative time). Not a
benchmark — `bench.ingest` measures through HTTP; this tells what to work on.
"""

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=500, help="events per batch (default 500)")
    parser.add_argument("--top", type=int, default=40, help="rows of the profile to print")
    options = parser.parse_args()
    database = Path(tempfile.mkdtemp(prefix="chorus-profile-")) / "profile.sqlite3"
    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", CHORUS_TESTING="0", SECRET_KEY="profile-" + "x" * 50,
                      ALLOWED_HOSTS="testserver", CHORUS_SQLITE_PATH=str(database))
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from chorus.core.signing import new_click_id
    from chorus.testing import factories

    call_command("migrate", verbosity=0)
    program = factories.make_program(factories.make_workspace(factories.make_user("profiler")), hold_days=0)
    factories.make_standard_rules(program)
    advocates = [factories.make_advocate(program) for _ in range(50)]
    _key, raw = factories.make_api_key(program)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    counter = iter(range(10**9))

    def post_batch() -> None:
        items = []
        for _ in range(options.size // 2):
            n = next(counter)
            advocate = advocates[n % len(advocates)]
            items.append({"type": "signup", "customer_external_id": f"c{n}", "email": f"f{n}@example.org",
                          "click_id": new_click_id(advocate.link.pk, program.pk).token})
            items.append({"type": "purchase", "customer_external_id": f"c{n}", "amount": 5000, "order_id": f"o{n}"})
        response = client.post("/api/v1/conversions/batch", json.dumps({"conversions": items}),
                               content_type="application/json")
        assert response.status_code == 200, response.content[:300]

    post_batch()
    started = time.perf_counter()
    for _ in range(3):
        post_batch()
    print(f"in-process, no profiler: {3 * options.size / (time.perf_counter() - started):,.0f} events/s")
    profile = cProfile.Profile()
    profile.enable()
    post_batch()
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(options.top)


if __name__ == "__main__":
    main()
