"""Django-side steps of the benchmarks, run in a subprocess against one database.

    python -m bench.djangoside seed-redirect PATHS_FILE [--advocates N]
    python -m bench.djangoside seed-ingest OUT_JSON [--advocates N]
    python -m bench.djangoside count

Each prints one JSON line on stdout. The environment (DATABASE_URL or CHORUS_SQLITE_PATH,
SECRET_KEY, ...) says which database; bench.common builds it.
"""

import argparse
import json
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _program(slug: str, advocates: int, *, rules: bool):
    from django.db import transaction

    from chorus.referrals.services.links import set_vanity_code
    from chorus.testing import factories

    with transaction.atomic():
        owner = factories.make_user(f"bench-{slug}")
        workspace = factories.make_workspace(owner, name="Bench Co")
        program = factories.make_program(
            workspace, name=f"Bench {slug}", slug=slug, default_destination="https://shop.example.com/welcome",
            allowed_destinations=["https://shop.example.com/"], hold_days=0,
        )
        if rules:
            factories.make_standard_rules(program)
        people = []
        for number in range(advocates):
            advocate = factories.make_advocate(program, email=f"advocate{number}@bench.example.com",
                                               name=f"Advocate {number}", external_id=f"adv_{number}")
            if number % 10 == 0:  # a tenth of them also have a vanity code
                set_vanity_code(advocate.link, f"friend-{number}")
            people.append(advocate)
    return program, people


def seed_redirect(paths_file: str, advocates: int) -> dict:
    """A program whose links redirect (no friend page), ~`advocates` advocates; writes the click paths."""
    program, people = _program("bench-redirect", advocates, rules=False)
    paths = [f"/r/{advocate.link.code}" for advocate in people]
    paths += [f"/r/{program.slug}/{advocate.link.vanity_code}" for advocate in people if advocate.link.vanity_code]
    with open(paths_file, "w") as out:
        out.write("\n".join(paths) + "\n")
    return {"program": program.slug, "advocates": len(people), "paths": len(paths)}


def seed_ingest(out_file: str, advocates: int) -> dict:
    """A program with the standard double-sided rules, an API key, and codes to attribute by."""
    from chorus.programs.services import create_api_key

    program, people = _program("bench-ingest", advocates, rules=True)
    _key, raw = create_api_key(program, name="bench")
    links = [{"link_id": advocate.link.pk, "code": advocate.link.code, "promo_code": advocate.link.promo_code}
             for advocate in people]
    payload = {"program": program.slug, "program_id": program.pk, "api_key": raw, "links": links}
    with open(out_file, "w") as out:
        json.dump(payload, out)
    return {"program": program.slug, "advocates": len(people)}


def click_tokens(out_file: str, count: int) -> dict:
    """`count` signed click ids on the ingest program's links, as the redirect would issue them
    (written as Click rows too, like the flusher does), for the conversions to carry."""
    import time
    from datetime import UTC, datetime

    from chorus.core.signing import new_click_id, visitor_hash
    from chorus.programs.models import Program
    from chorus.referrals.models import Click, ReferralLink

    program = Program.objects.get(slug="bench-ingest")
    links = list(ReferralLink.objects.filter(program=program).order_by("pk"))
    now = time.time() - 3600
    rows, tokens = [], []
    for number in range(count):
        link = links[number % len(links)]
        click_id = new_click_id(link.pk, program.pk, clicked_at=now + number * 0.01)
        tokens.append(click_id.token)
        rows.append(Click(program=program, link=link, token=click_id.token,
                          created_at=datetime.fromtimestamp(click_id.clicked_at, UTC),
                          visitor_hash=visitor_hash(f"203.0.113.{number % 250}", f"bench-browser-{number}"),
                          device=Click.Device.DESKTOP))
    Click.objects.bulk_create(rows, batch_size=500)
    with open(out_file, "w") as out:
        json.dump(tokens, out)
    return {"click_tokens": len(tokens)}


def count() -> dict:
    from django.db import connection

    from chorus.referrals.models import Click, Conversion, Referral
    from chorus.rewards.models import LedgerEntry, Reward

    totals = {
        "clicks": Click.objects.count(),
        "clicks_unique": Click.objects.filter(is_unique=True).count(),
        "clicks_bot": Click.objects.filter(is_bot=True).count(),
        "conversions": Conversion.objects.count(),
        "conversions_by_type": {row["type"]: row["n"] for row in _grouped(Conversion, "type")},
        "referrals": Referral.objects.count(),
        "referrals_by_reason": {row["reason"]: row["n"] for row in _grouped(Referral, "reason")},
        "rewards": Reward.objects.count(),
        "rewards_by_status": {row["status"]: row["n"] for row in _grouped(Reward, "status")},
        "ledger_entries": LedgerEntry.objects.count(),
        "database": connection.vendor,
    }
    return totals


def _grouped(model, field: str):
    from django.db.models import Count

    return model.objects.values(field).annotate(n=Count("pk")).order_by(field)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.djangoside")
    sub = parser.add_subparsers(dest="command", required=True)
    redirect = sub.add_parser("seed-redirect")
    redirect.add_argument("paths_file")
    redirect.add_argument("--advocates", type=int, default=1000)
    ingest = sub.add_parser("seed-ingest")
    ingest.add_argument("out_file")
    ingest.add_argument("--advocates", type=int, default=1000)
    tokens = sub.add_parser("click-tokens")
    tokens.add_argument("out_file")
    tokens.add_argument("--count", type=int, default=10000)
    sub.add_parser("count")
    args = parser.parse_args(argv)
    _setup()
    if args.command == "seed-redirect":
        result = seed_redirect(args.paths_file, args.advocates)
    elif args.command == "seed-ingest":
        result = seed_ingest(args.out_file, args.advocates)
    elif args.command == "click-tokens":
        result = click_tokens(args.out_file, args.count)
    else:
        result = count()
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
