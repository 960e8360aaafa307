"""Settings that refuse to start a production server with a weak configuration."""

import pytest
from django.conf import settings
from django.db import connection

from library.tests.helpers import BASE_DIR, with_settings

pytestmark = pytest.mark.django_db


def django_setup(**env: str):
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


def test_production_without_a_secret_key_refuses_to_start():
    result = django_setup(DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_development_key_is_kept_out_of_git():
    assert ".secret_key" in (BASE_DIR / ".gitignore").read_text().splitlines()


def test_sqlite_synchronous_can_be_traded_for_speed_knowingly(tmp_path):
    result = with_settings(
        "from django.db import connection; print(connection.cursor().execute('PRAGMA synchronous').fetchone()[0])",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SQLITE_SYNCHRONOUS="normal",
    )

    assert result.stdout.split() == ["1"], result.stderr


def test_an_unknown_sqlite_synchronous_refuses_to_start():
    result = django_setup(SQLITE_SYNCHRONOUS="OFF")

    assert result.returncode != 0
    assert "SQLITE_SYNCHRONOUS must be FULL" in result.stderr


def test_an_unknown_cookie_samesite_refuses_to_start():
    result = django_setup(JWT_COOKIE_SAMESITE="lax-ish")

    assert result.returncode != 0
    assert "JWT_COOKIE_SAMESITE must be Lax, Strict or None." in result.stderr


def test_cors_origins_come_from_the_environment_and_default_to_none():
    code = "from django.conf import settings; print(settings.CORS_ALLOWED_ORIGINS)"

    assert with_settings(code).stdout.strip() == "[]"
    listed = with_settings(code, CORS_ALLOWED_ORIGINS="https://app.example.com,https://b.example.com")
    assert listed.stdout.strip() == "['https://app.example.com', 'https://b.example.com']"
