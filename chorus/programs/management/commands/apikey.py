"""Manage a program's API keys from the shell.

    manage.py apikey create --program SLUG [--name NAME] [--scopes read,write]
    manage.py apikey list --program SLUG
    manage.py apikey revoke PREFIX

`create` prints the key alone on standard output (so `KEY=$(manage.py apikey create …)`
works) and the rest on standard error; the key is shown this once, only its hash is kept.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chorus.core.errors import ChorusError
from chorus.programs.models import ApiKey, Program
from chorus.programs.services import KEY_PREFIX, create_api_key, revoke_api_key


class Command(BaseCommand):
    help = "Create, list and revoke a program's API keys."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="create|list|revoke")
        create = actions.add_parser("create", help="a new key, printed once")
        create.add_argument("--program", required=True, help="the program's slug")
        create.add_argument("--name", default="", help="a label, e.g. the system that will use it")
        create.add_argument("--scopes", default="read,write", help="comma-separated: read, write, admin")
        listing = actions.add_parser("list", help="a program's keys (never the secrets)")
        listing.add_argument("--program", required=True, help="the program's slug")
        revoke = actions.add_parser("revoke", help="revoke a key for good")
        revoke.add_argument("prefix", help="the key's prefix (as in `list`), or the whole key")

    def handle(self, *args, action: str, **options):
        {"create": self.create, "list": self.list, "revoke": self.revoke}[action](**options)

    def _note(self, message: str) -> None:
        self.stderr.write(message, style_func=lambda text: text)  # information, not an error

    def _program(self, slug: str) -> Program:
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise CommandError(_("No program with the slug “%(slug)s”.") % {"slug": slug})
        return program

    def create(self, *, program: str, name: str, scopes: str, **_options):
        target = self._program(program)
        wanted = [scope.strip() for scope in scopes.split(",") if scope.strip()]
        try:
            key, raw = create_api_key(target, name=name or _("Command line"), scopes=wanted)
        except ChorusError as error:
            details = "; ".join(message for messages in error.field_errors.values() for message in messages)
            raise CommandError(f"{error.message} {details}".strip()) from None
        self.stdout.write(raw)
        self._note(
            _("Created API key %(prefix)s (%(scopes)s) for %(program)s. Store it now: it is not shown again.")
            % {"prefix": key.prefix, "scopes": ", ".join(key.scopes), "program": target.slug}
        )

    def list(self, *, program: str, **_options):
        keys = ApiKey.objects.filter(program=self._program(program)).order_by("created_at", "pk")
        if not keys:
            self._note(_("This program has no API keys."))
            return
        for key in keys:
            state = _("active") if key.is_active else _("revoked %(date)s") % {"date": f"{key.revoked_at:%Y-%m-%d}"}
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else _("never used")
            self.stdout.write(f"{key.prefix}\t{key.name}\t{','.join(key.scopes)}\t{key.created_at:%Y-%m-%d}\t{used}\t{state}")

    def revoke(self, *, prefix: str, **_options):
        if prefix.startswith(KEY_PREFIX):  # the whole key was pasted
            prefix = prefix[len(KEY_PREFIX):].split("_", 1)[0]
        key = ApiKey.objects.select_related("program__workspace").filter(prefix=prefix).first()
        if key is None:
            raise CommandError(_("No API key with the prefix “%(prefix)s”.") % {"prefix": prefix})
        if not key.is_active:
            self._note(_("API key %(prefix)s was already revoked.") % {"prefix": key.prefix})
            return
        revoke_api_key(key)
        self.stdout.write(_("Revoked API key %(prefix)s of %(program)s.") % {"prefix": key.prefix,
                                                                             "program": key.program.slug})
