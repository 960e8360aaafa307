"""Production settings, SQLite tuning and the request log."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from accounts.tests.factories import PASSWORD
from library.request_log import HideQueryStrings
from library.tests.helpers import BASE_DIR, manage_py

pytestmark = pytest.mark.django_db


# What README's "Deploying" section tells an operator to set.
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3y-" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
    "JWT_SIGNING_KEY": "jwt-" + "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba",
    "DJANGO_ALLOWED_HOSTS": "library.example.com",
    "DJANGO_HTTPS": "true",
    "EMAIL_URL": "smtp+tls://library:mail-password@smtp.example.com:587",
    "DEFAULT_FROM_EMAIL": "Library <noreply@library.example.com>",
    "SITE_URL": "https://library.example.com",
}


def test_check_deploy_is_clean_with_the_documented_production_settings():
    result = manage_py("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_https_settings():
    result = manage_py(
        "check", "--deploy", "--fail-level", "WARNING", **(PRODUCTION | {"DJANGO_HTTPS": "false"})
    )

    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr + result.stdout


def test_sqlite_file_database_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    script = (
        "from django.db import connection; cursor = connection.cursor(); "
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0], "
        "connection.settings_dict['OPTIONS']['transaction_mode'])"
    )

    result = manage_py("shell", "-c", script, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert result.stdout.splitlines()[-1].split() == ["wal", "IMMEDIATE"], result.stderr


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="PostgreSQL only")
def test_postgres_connections_persist_and_are_health_checked():
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] > 0 and database["CONN_HEALTH_CHECKS"] is True


# --- the request log -----------------------------------------------------------------


def test_each_request_logs_one_line_with_method_path_status_duration_and_user(user_client, user, caplog):
    with caplog.at_level(logging.INFO, logger="library.requests"):
        user_client.get("/api/authors/?search=secret-query")

    [record] = [r for r in caplog.records if r.name == "library.requests"]
    assert (record.method, record.path, record.status, record.user_id) == (
        "GET",
        "/api/authors/",
        200,
        user.pk,
    )
    assert record.duration_ms >= 0
    assert record.getMessage().startswith("GET /api/authors/ 200 ")
    assert record.getMessage().endswith(f"user={user.pk}")


def test_no_token_password_or_authorization_header_reaches_the_log(api_client, user, caplog):
    with caplog.at_level(logging.DEBUG):
        pair = api_client.post("/api/auth/token/", {"username": user.username, "password": PASSWORD}).json()
        api_client.post("/api/auth/token/", {"username": user.username, "password": "wrong-" + PASSWORD})
        api_client.post(
            "/api/auth/register/", {"username": "x", "email": "x@example.com", "password": PASSWORD}
        )
        api_client.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]})
        api_client.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]})  # reuse: 401
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        api_client.get("/api/accounts/me/")
        api_client.get(f"/api/authors/?token={pair['access']}")

    # Every record as the configured stdout handler writes it, and as JSON would.
    [stdout] = [
        h for h in logging.getLogger().handlers if any(isinstance(f, HideQueryStrings) for f in h.filters)
    ]
    lines = []
    for record in caplog.records:
        assert stdout.filter(record)
        lines += [stdout.format(record), JsonFormatter("%(message)s").format(record)]
    assert any("/api/auth/token/refresh/ 401" in line for line in lines)
    secrets = [PASSWORD, pair["access"], pair["refresh"], "Bearer"]
    leaks = [line for line in lines for secret in secrets if secret in line]
    assert leaks == []


def test_json_log_format_writes_json_lines():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); import logging; "
            "logging.getLogger('library.requests').info('GET / 200', extra={'status': 200})",
        ],
        cwd=BASE_DIR,
        env=os.environ | {"LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "library.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    line = json.loads(result.stdout.strip())
    assert (line["message"], line["status"], line["name"]) == ("GET / 200", 200, "library.requests")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="with REDIS_URL only")
def test_redis_url_puts_the_cache_on_djangos_own_redis_backend():
    from django.core.cache import cache

    cache.set("probe", "value", 5)

    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache.get("probe") == "value"
