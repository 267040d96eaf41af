"""`manage.py seed_demo`: the Acme Analytics demo programs with 90 days of history, once."""

import time

from django.core.management.base import BaseCommand
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from chorus.demo.seed import seed_demo


class Command(BaseCommand):
    help = _("Create the demo workspace, programs and 90 days of referral history (once).")

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="", help=_("Where the demo shop is served (default: CHORUS_BASE_URL)."))

    def handle(self, *args, **options):
        started = time.monotonic()
        demo = seed_demo(base_url=options["base_url"] or None)
        if not demo.created:
            self.stdout.write(_("The demo data already exists; nothing to do."))
            return
        program = demo.program
        counts = program.conversions.aggregate(
            signups=Count("pk", filter=Q(type="signup")), purchases=Count("pk", filter=Q(type="purchase")),
            refunds=Count("pk", filter=Q(type="refund")),
        )
        self.stdout.write(self.style.SUCCESS(_(
            "Seeded “%(program)s” in %(seconds).1f s: %(advocates)d advocates, %(clicks)d clicks, "
            "%(signups)d signups, %(purchases)d purchases, %(refunds)d refunds, %(flagged)d flagged referrals."
        ) % {
            "program": program.name, "seconds": time.monotonic() - started,
            "advocates": program.advocates.count(), "clicks": program.clicks.count(),
            "flagged": program.referrals.exclude(flag="").count(), **counts,
        }))
