"""Rewrite revenue credit with each program's current credit model, e.g. after changing it:

    chorus recompute_credits --program acme --from 2026-01-01 --to 2026-06-30
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from chorus.analytics.credits import recompute_credits
from chorus.core.errors import ChorusError
from chorus.programs.models import Program


class Command(BaseCommand):
    help = "Recalculate the revenue credit of a program's conversions in a date range with its current model."

    def add_arguments(self, parser):
        parser.add_argument("--program", required=True, metavar="SLUG")
        parser.add_argument("--from", dest="start", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")

    def handle(self, *args, program: str, start: date, end: date, **options):
        found = Program.objects.filter(slug=program).first()
        if found is None:
            raise CommandError(f"No program with the slug {program!r}.")
        try:
            written = recompute_credits(found, start, end)
        except ChorusError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{found.slug}: {written} credit row(s) written with {found.credit_model}")
