"""Production settings pass Django's deployment checks; bad environment values fail loudly."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "CHORUS_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    base.update(CHORUS_TESTING="0", CHORUS_SQLITE_PATH=str(ROOT / "var" / "check.sqlite3"), **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                        SECRET_KEY=secrets.token_urlsafe(50), CHORUS_BASE_URL="https://chorus.example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "env,message",
    [
        ({}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "x" * 50, "DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"SECRET_KEY": "x" * 50, "CHORUS_BASE_URL": "chorus.example.com"}, "CHORUS_BASE_URL must be an http(s) URL"),
        ({"SECRET_KEY": "x" * 50, "EMAIL_URL": "carrier-pigeon://coop"}, "EMAIL_URL scheme"),
        ({"SECRET_KEY": "x" * 50, "CACHE_URL": "memcached://x"}, "CACHE_URL must be"),
    ],
)
def test_bad_environment_values_are_refused_with_a_message(env, message):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr
