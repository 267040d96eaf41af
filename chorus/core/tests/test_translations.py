"""Message catalogs: complete, consistent with their source strings, compiled, and used.

Every catalog under locale/ is checked as committed: no untranslated or fuzzy entry, the
same placeholders and HTML tags as the English text, a .mo that holds exactly what the .po
says. Then real pages are asked for in each language, as a browser would.
"""

import gettext
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "locale"
TRANSLATED = ["ar", "de", "ja", "pl"]
PLURAL_FORMS = {"ar": 6, "de": 2, "ja": 1, "pl": 4}

# %(name)s, %(seconds).1f, %s, %d — what Python's % operator fills in
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|%[sd]")
TAG = re.compile(r"</?[a-z]+(?:\s[^>]*)?>")


def catalog(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def live_entries(language: str) -> list[polib.POEntry]:
    return [entry for entry in catalog(language) if not entry.obsolete]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def tags(text: str) -> list[str]:
    return sorted(TAG.findall(text))


def loaded(mo_bytes: bytes) -> gettext.GNUTranslations:
    """The catalog as Python's gettext (and so Django) reads it."""
    return gettext.GNUTranslations(io.BytesIO(mo_bytes))


def messages(translations: gettext.GNUTranslations) -> dict:
    """The translations without the header entry (msgfmt leaves POT-Creation-Date out of it)."""
    return {key: value for key, value in translations._catalog.items() if key != ""}


def test_every_configured_language_has_a_catalog():
    assert sorted(code for code, _name in settings.LANGUAGES) == ["ar", "de", "en", "ja", "pl"]
    for code, _name in settings.LANGUAGES:
        assert (LOCALE / code / "LC_MESSAGES" / "django.po").is_file(), code
        assert (LOCALE / code / "LC_MESSAGES" / "django.mo").is_file(), code


def test_every_catalog_has_the_same_messages_as_the_english_one():
    english = message_keys(live_entries("en"))
    assert len(english) > 500
    for language in TRANSLATED:
        assert message_keys(live_entries(language)) == english, language


def message_keys(entries) -> set[tuple]:
    return {(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in entries}


@pytest.mark.skipif(not (shutil.which("xgettext") and shutil.which("msgmerge")), reason="GNU gettext is not installed")
def test_catalogs_hold_every_string_of_the_source(tmp_path):
    """makemessages on a copy of the source finds exactly the committed messages: a new or
    changed string fails here until it is in the catalogs (see locale/README.md)."""
    for name in ("chorus", "config", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    (tmp_path / "locale").mkdir()
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment.update(DEBUG="1", CHORUS_SQLITE_PATH=str(tmp_path / "unused.sqlite3"))

    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "--ignore=tests"],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr
    found = message_keys(polib.pofile(str(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")))
    committed = message_keys(live_entries("en"))
    assert sorted(found - committed, key=str) == []  # new strings: translate them
    assert sorted(committed - found, key=str) == []  # strings gone from the source


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_is_complete_and_not_fuzzy(language):
    po = catalog(language)

    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == language
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert f"nplurals={PLURAL_FORMS[language]};" in po.metadata["Plural-Forms"]


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_tags(language):
    wrong = []
    for entry in live_entries(language):
        if entry.msgid_plural:
            assert len(entry.msgstr_plural) == PLURAL_FORMS[language], entry.msgid
            # a singular form may leave the number out, as English does ("First purchase")
            allowed = [placeholders(entry.msgid), placeholders(entry.msgid_plural)]
            for index, form in entry.msgstr_plural.items():
                if placeholders(form) not in allowed or tags(form) != tags(entry.msgid_plural):
                    wrong.append((entry.msgid_plural, index, form))
        elif placeholders(entry.msgstr) != placeholders(entry.msgid) or tags(entry.msgstr) != tags(entry.msgid):
            wrong.append((entry.msgid, entry.msgstr))
    assert wrong == []


@pytest.mark.parametrize("language", [*TRANSLATED, "en"])
def test_committed_mo_holds_exactly_the_po(language):
    po = catalog(language)
    committed = loaded((LOCALE / language / "LC_MESSAGES" / "django.mo").read_bytes())
    compiled = loaded(po.to_binary())

    assert messages(committed) == messages(compiled)
    assert committed.info()["plural-forms"] == compiled.info()["plural-forms"]
    assert len(messages(compiled)) == sum(
        PLURAL_FORMS.get(language, 2) if entry.msgid_plural else 1 for entry in po.translated_entries())


@pytest.mark.parametrize(
    "language,counts",
    [
        ("ar", {0: "0 نقطة", 1: "1 نقطة", 2: "2 نقطتان", 3: "3 نقاط", 11: "11 نقطة", 100: "100 نقطة"}),
        ("pl", {1: "1 punkt", 2: "2 punkty", 5: "5 punktów", 22: "22 punkty", 112: "112 punktów"}),
        ("de", {1: "1 Punkt", 2: "2 Punkte"}),
        ("ja", {1: "1ポイント", 7: "7ポイント"}),
    ],
)
def test_plural_forms_follow_the_language(language, counts):
    with translation.override(language):
        for count, expected in counts.items():
            assert translation.ngettext("%(count)s point", "%(count)s points", count) % {"count": count} == expected


def test_hub_login_in_german(client, program):
    response = client.get(f"/hub/{program.slug}/login/", HTTP_ACCEPT_LANGUAGE="de")
    html = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    assert '<html lang="de" dir="ltr">' in html
    assert "<h1>In Ihrem persönlichen Bereich anmelden</h1>" in html
    assert "Anmeldelink per E-Mail senden" in html
    assert "Log in to your hub" not in html


def test_hub_login_in_arabic_is_right_to_left(client, program):
    response = client.get(f"/hub/{program.slug}/login/", HTTP_ACCEPT_LANGUAGE="ar")
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    assert "<h1>سجّل الدخول إلى صفحتك الشخصية</h1>" in html
    assert "أرسل لي رابط تسجيل الدخول" in html
    assert "Email me a login link" not in html


def test_console_login_in_japanese(client, db):
    response = client.get("/console/login/", HTTP_ACCEPT_LANGUAGE="ja")
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="ja" dir="ltr">' in html
    assert "<h1>Chorus コンソールにログイン</h1>" in html
    assert "パスワード" in html
    assert "Password" not in html


def test_unknown_referral_link_in_polish(client, db):
    response = client.get("/r/nope", HTTP_ACCEPT_LANGUAGE="pl")
    html = response.content.decode()

    assert response.status_code == 404
    assert '<html lang="pl" dir="ltr">' in html
    assert "<h1>Nie znaleźliśmy tego linku</h1>" in html
    assert "We could not find this link" not in html


def test_compiletranslations_check_passes_on_the_committed_files():
    call_command("compiletranslations", "--check")


def test_compiletranslations_builds_a_mo_gettext_can_read(tmp_path, settings):
    target = tmp_path / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(LOCALE / "de" / "LC_MESSAGES" / "django.po", target / "django.po")
    settings.LOCALE_PATHS = [tmp_path]

    with pytest.raises(CommandError, match="missing or out of date"):
        call_command("compiletranslations", "--check")
    call_command("compiletranslations", "--locale", "de", stdout=io.StringIO())
    call_command("compiletranslations", "--check")

    built = loaded((target / "django.mo").read_bytes())
    committed = loaded((LOCALE / "de" / "LC_MESSAGES" / "django.mo").read_bytes())
    assert messages(built) == messages(committed)
    assert built.gettext("Log in to your hub") == "In Ihrem persönlichen Bereich anmelden"


def test_compiletranslations_leaves_fuzzy_entries_out(tmp_path, settings):
    target = tmp_path / "pl" / "LC_MESSAGES"
    target.mkdir(parents=True)
    po = catalog("pl")
    po.find("Log in to your hub").flags.append("fuzzy")
    po.save(str(target / "django.po"))
    settings.LOCALE_PATHS = [tmp_path]

    call_command("compiletranslations", stdout=io.StringIO())

    built = loaded((target / "django.mo").read_bytes())
    assert built.gettext("Log in to your hub") == "Log in to your hub"
    assert built.gettext("Log out") == "Wyloguj się"
