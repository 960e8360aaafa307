"""Settings that refuse to start a production server with a weak configuration."""

import pytest
from django.conf import settings
from django.db import connection

from accounts import keyring
from library.tests.helpers import BASE_DIR, with_settings

pytestmark = pytest.mark.django_db

SECRET_KEY = "k" * 50
JWT_KEY = "j" * 32


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
    result = django_setup(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="k" * 50, JWT_SIGNING_KEY=JWT_KEY)

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


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SQLITE_SYNCHRONOUS", "OFF", "SQLITE_SYNCHRONOUS must be FULL"),
        ("JWT_COOKIE_SAMESITE", "lax-ish", "JWT_COOKIE_SAMESITE must be Lax, Strict or None."),
        ("JWT_ALGORITHM", "HS512", "JWT_ALGORITHM must be one of HS256, EdDSA, ES256, RS256."),
    ],
    ids=["sqlite-synchronous", "cookie-samesite", "jwt-algorithm"],
)
def test_an_unknown_setting_value_refuses_to_start(name, value, message):
    result = django_setup(**{name: value})

    assert result.returncode != 0
    assert message in result.stderr


def test_cors_origins_come_from_the_environment_and_default_to_none():
    code = "from django.conf import settings; print(settings.CORS_ALLOWED_ORIGINS)"

    assert with_settings(code).stdout.strip() == "[]"
    listed = with_settings(code, CORS_ALLOWED_ORIGINS="https://app.example.com,https://b.example.com")
    assert listed.stdout.strip() == "['https://app.example.com', 'https://b.example.com']"


# --- the JWT signing key --------------------------------------------------------------


def test_production_without_a_jwt_signing_key_refuses_to_start():
    result = django_setup(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=SECRET_KEY)

    assert result.returncode != 0
    assert "ImproperlyConfigured: JWT_SIGNING_KEY must be set when DJANGO_DEBUG=false." in result.stderr


def test_production_with_a_jwt_signing_key_under_256_bits_refuses_to_start():
    result = django_setup(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=SECRET_KEY, JWT_SIGNING_KEY="j" * 31)

    assert result.returncode != 0
    assert (
        "JWT_SIGNING_KEY must be at least 32 bytes (256 bits) long when DJANGO_DEBUG=false (it is 31)."
    ) in result.stderr


def test_production_with_an_asymmetric_algorithm_and_no_private_key_refuses_to_start():
    result = django_setup(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=SECRET_KEY, JWT_ALGORITHM="EdDSA")

    assert result.returncode != 0
    assert "JWT_PRIVATE_KEY_FILE (or JWT_PRIVATE_KEY) must hold a EdDSA private key" in result.stderr


def test_production_with_a_private_key_file_starts_without_an_hs256_key(tmp_path):
    key_file = tmp_path / "jwt.pem"
    key_file.write_text(keyring.generate("ES256"))

    result = with_settings(
        "from django.conf import settings; print(settings.JWT_ALGORITHM, settings.JWT_PRIVATE_KEY[:27])",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=SECRET_KEY,
        JWT_ALGORITHM="ES256",
        JWT_PRIVATE_KEY_FILE=str(key_file),
    )

    assert result.stdout.strip() == "ES256 -----BEGIN PRIVATE KEY-----", result.stderr


def test_an_unreadable_private_key_file_refuses_to_start(tmp_path):
    result = django_setup(JWT_ALGORITHM="RS256", JWT_PRIVATE_KEY_FILE=str(tmp_path / "missing.pem"))

    assert result.returncode != 0
    assert "JWT_PRIVATE_KEY_FILE cannot be read" in result.stderr


def test_development_jwt_signing_key_is_kept_out_of_git_and_differs_from_the_secret_key():
    assert ".jwt_signing_key" in (BASE_DIR / ".gitignore").read_text().splitlines()
    assert len(settings.JWT_SIGNING_KEY.encode()) >= 32
    assert settings.JWT_SIGNING_KEY != settings.SECRET_KEY
