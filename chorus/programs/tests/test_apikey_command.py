"""`manage.py apikey create|list|revoke`."""

import io

import pytest
from django.core.management import CommandError, call_command

from chorus.programs.models import ApiKey
from chorus.programs.services import authenticate_api_key
from chorus.testing import factories


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("apikey", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_key_once_and_stores_only_its_hash(program):
    out, err = run("create", "--program", "acme", "--name", "Shop backend", "--scopes", "write")

    raw = out.strip()
    key = ApiKey.objects.get()
    assert raw.startswith(f"chorus_{key.prefix}_") and out.count("\n") == 1
    assert authenticate_api_key(raw) == key
    assert (key.name, key.scopes, key.program) == ("Shop backend", ["write"], program)
    assert raw not in key.secret_hash
    assert err.strip() == f"Created API key {key.prefix} (write) for acme. Store it now: it is not shown again."


def test_create_defaults_to_read_and_write(program):
    run("create", "--program", "acme")

    assert ApiKey.objects.get().scopes == ["read", "write"]


@pytest.mark.parametrize("args, message", [
    (["create", "--program", "nope"], "No program with the slug “nope”."),
    (["create", "--program", "acme", "--scopes", "read,root"], "Unknown scope. root"),
    (["list", "--program", "nope"], "No program with the slug “nope”."),
    (["revoke", "deadbeef"], "No API key with the prefix “deadbeef”."),
])
def test_mistakes_are_command_errors_and_change_nothing(program, args, message):
    with pytest.raises(CommandError) as raised:
        run(*args)

    assert str(raised.value) == message
    assert ApiKey.objects.count() == 0


def test_list_shows_prefixes_and_states_never_secrets(program):
    first, first_raw = factories.make_api_key(program)
    second, _raw = factories.make_api_key(program, scopes=["read"])
    run("revoke", second.prefix)

    out, _err = run("list", "--program", "acme")

    lines = [line.split("\t") for line in out.strip().splitlines()]
    assert [(line[0], line[2], line[5]) for line in lines] == [
        (first.prefix, "read,write", "active"), (second.prefix, "read", lines[1][5])]
    assert lines[1][5].startswith("revoked ")
    assert first_raw not in out


def test_list_of_a_program_without_keys(program):
    out, err = run("list", "--program", "acme")

    assert (out, err.strip()) == ("", "This program has no API keys.")


def test_revoke_by_prefix_or_whole_key(program):
    key, raw = factories.make_api_key(program)

    out, _err = run("revoke", raw)
    _out, again = run("revoke", key.prefix)

    assert out.strip() == f"Revoked API key {key.prefix} of acme."
    assert again.strip() == f"API key {key.prefix} was already revoked."
    assert authenticate_api_key(raw) is None
