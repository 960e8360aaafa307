"""Settings that refuse to start a production server with a weak configuration."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def with_settings(code: str, **env: str) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter after django.setup(), with `env` as the environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | env
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env=environment | {"DJANGO_SETTINGS_MODULE": "library.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def django_setup(**env: str) -> subprocess.CompletedProcess:
    """Loads the settings with `env`; prints settings.DEBUG."""
    return with_settings("from django.conf import settings; print(settings.DEBUG)", **env)


def test_production_with_a_short_secret_key_refuses_to_start():
    result = django_setup(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="short")

    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: DJANGO_SECRET_KEY must be at least 50 characters long when "
        "DJANGO_DEBUG=false (it is 5)."
    ) in result.stderr


def test_production_with_a_49_character_secret_key_refuses_to_start():
    result = django_setup(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="k" * 49)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_with_a_50_character_secret_key_starts():
    result = django_setup(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="k" * 50)

    assert (result.returncode, result.stdout.strip()) == (0, "False"), result.stderr


def test_development_accepts_a_short_secret_key():
    result = django_setup(DJANGO_DEBUG="true", DJANGO_SECRET_KEY="short")

    assert (result.returncode, result.stdout.strip()) == (0, "True"), result.stderr


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="SQLite only")
def test_sqlite_waits_for_each_commit_to_reach_the_disk():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        [(synchronous,)] = cursor.fetchall()

    assert synchronous == 2  # FULL: a committed write survives a power cut, not only a crash


def test_sqlite_file_database_keeps_wal_with_full_synchronous(tmp_path):
    result = with_settings(
        "from django.db import connection; cursor = connection.cursor(); "
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0], "
        "cursor.execute('PRAGMA synchronous').fetchone()[0])",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert result.stdout.split() == ["wal", "2"], result.stderr
