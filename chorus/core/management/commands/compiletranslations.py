"""Compile the message catalogs (.po → .mo) without GNU gettext.

    manage.py compiletranslations [--locale de --locale ar …] [--check]

Django's own `compilemessages` needs `msgfmt`; this command uses polib, so translators can
edit `locale/<lang>/LC_MESSAGES/*.po` and rebuild the `.mo` files on any machine. Fuzzy and
untranslated entries are left out of the `.mo` (as `msgfmt` does), so they fall back to
English. `--check` compiles in memory and fails when a committed `.mo` is missing or stale.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

try:
    import polib
except ImportError:  # polib comes with the test extras; say so instead of a traceback
    polib = None


def catalog_paths(locales: list[str] | None = None) -> list[Path]:
    """Every .po file under LOCALE_PATHS, optionally only for some locales."""
    paths = []
    for root in map(Path, settings.LOCALE_PATHS):
        for path in sorted(root.glob("*/LC_MESSAGES/*.po")):
            if not locales or path.parents[1].name in locales:
                paths.append(path)
    return paths


def mo_entries(catalog) -> dict:
    """The translations a .po or .mo carries, keyed as gettext looks them up."""
    entries = {}
    for entry in catalog:
        if isinstance(catalog, polib.POFile) and not entry.translated():
            continue
        key = (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")
        if entry.msgid_plural:
            entries[key] = tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
        else:
            entries[key] = entry.msgstr
    return entries


def compiled_matches(po_path: Path) -> bool:
    """True when the .mo beside `po_path` holds exactly the .po's translations and headers."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return False
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(mo_path))
    same_plurals = po.metadata.get("Plural-Forms") == mo.metadata.get("Plural-Forms")
    return same_plurals and mo_entries(po) == mo_entries(mo)


class Command(BaseCommand):
    help = "Compile .po message catalogs to .mo with polib (no GNU gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument("--locale", "-l", action="append", dest="locales", metavar="LANG",
                            help="only this locale (repeatable); default: all")
        parser.add_argument("--check", action="store_true",
                            help="write nothing; fail if a .mo is missing or out of date")

    def handle(self, *args, locales=None, check=False, **options):
        if polib is None:
            raise CommandError("compiletranslations needs polib: pip install polib")
        paths = catalog_paths(locales)
        if not paths:
            raise CommandError("No .po files found under LOCALE_PATHS.")
        stale = []
        for po_path in paths:
            if check:
                if not compiled_matches(po_path):
                    stale.append(po_path)
                continue
            po = polib.pofile(str(po_path))
            untranslated = len(po.untranslated_entries()) + len(po.fuzzy_entries())
            po.save_as_mofile(str(po_path.with_suffix(".mo")))
            note = f" ({untranslated} untranslated or fuzzy)" if untranslated else ""
            self.stdout.write(f"{po_path.with_suffix('.mo')}: {len(po.translated_entries())} messages{note}")
        if stale:
            names = "\n  ".join(map(str, stale))
            raise CommandError(f"These .mo files are missing or out of date; run compiletranslations:\n  {names}")
        if check:
            self.stdout.write(f"{len(paths)} catalogs are compiled and up to date.")
