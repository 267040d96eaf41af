"""Recompute the dashboard's rollups from the source tables (after a bulk load, or to repair):

    chorus rebuild_rollups                 # every program
    chorus rebuild_rollups --program acme
"""

from django.core.management.base import BaseCommand, CommandError

from chorus.analytics.rollups import rebuild
from chorus.programs.models import Program


class Command(BaseCommand):
    help = "Recompute the program dashboard's rollups from clicks, conversions and completions."

    def add_arguments(self, parser):
        parser.add_argument("--program", metavar="SLUG", help="Only this program (default: every program).")

    def handle(self, *args, program: str | None = None, **options):
        programs = Program.objects.order_by("pk")
        if program:
            programs = programs.filter(slug=program)
            if not programs.exists():
                raise CommandError(f"No program with the slug {program!r}.")
        for found in programs:
            written = rebuild(found)
            self.stdout.write(f"{found.slug}: {written['program_days']} program-day, {written['advocate_days']} "
                              f"advocate-day, {written['advocates']} advocate and {written['ask_days']} ask-day rows")
