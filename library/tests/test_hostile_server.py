"""Hostile conditions that need a real server: parallel writers, a database that
disappears, and schemathesis fuzzing. Run by `make test-hostile`."""

import shutil
import sqlite3
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from library.tests.helpers import BASE_DIR
from library.tests.servers import call, register_and_log_in, sqlite_server

pytestmark = pytest.mark.hostile

# The throttles are not what these tests are about.
UNTHROTTLED = {
    "THROTTLE_LOGIN": "1000/min",
    "THROTTLE_REGISTER": "1000/min",
    "THROTTLE_REFRESH": "1000/min",
    "THROTTLE_PASSWORD": "1000/min",
}


def in_parallel(count: int, request):
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(request, range(count)))


def rows(tmp_path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "db.sqlite3") as database:
        return database.execute(sql).fetchall()


def test_30_parallel_author_creations_on_sqlite(tmp_path):
    with sqlite_server(tmp_path, workers=4, **UNTHROTTLED) as (base, _):
        token = register_and_log_in(base, "writer")["access"]

        distinct = in_parallel(
            30,
            lambda n: call(
                base, "POST", "/api/authors/", {"name": f"A{n}", "book": "B", "country": "C"}, token
            )[0],
        )
        same = in_parallel(
            30,
            lambda n: call(
                base, "POST", "/api/authors/", {"name": "Same", "book": "B", "country": "C"}, token
            )[0],
        )

    assert distinct == [201] * 30
    assert sorted(same) == [201] + [400] * 29
    assert rows(tmp_path, "SELECT count(*) FROM authors_author") == [(31,)]


def test_30_parallel_refreshes_of_one_token(tmp_path):
    with sqlite_server(tmp_path, workers=4, **UNTHROTTLED) as (base, _):
        pair = register_and_log_in(base, "racer")

        answers = in_parallel(
            30, lambda n: call(base, "POST", "/api/auth/token/refresh/", {"refresh": pair["refresh"]})
        )
        winners = [body for status, body in answers if status == 200]
        after = [
            call(base, "GET", "/api/accounts/me/", token=pair["access"])[0],
            *(call(base, "GET", "/api/accounts/me/", token=body["access"])[0] for body in winners),
        ]

    assert sorted(status for status, _ in answers) == [200] + [401] * 29
    assert after == [401, 401]  # the reuse ended the session, the winner's new pair included
    assert rows(tmp_path, "SELECT count(*) FROM accounts_loginsession WHERE revoked_at IS NULL") == [(0,)]
    # One rotation happened: two refresh tokens issued, the first blacklisted once.
    assert rows(tmp_path, "SELECT count(*) FROM token_blacklist_outstandingtoken") == [(2,)]
    assert rows(tmp_path, "SELECT count(*) FROM token_blacklist_blacklistedtoken") == [(2,)]


def test_database_outage_answers_503_and_recovers_by_itself(tmp_path):
    database = tmp_path / "db.sqlite3"
    with sqlite_server(tmp_path, DB_CONN_MAX_AGE="0", **UNTHROTTLED) as (base, _):
        pair = register_and_log_in(base, "survivor")
        token = pair["access"]
        assert (
            call(base, "POST", "/api/authors/", {"name": "Before", "book": "B", "country": "C"}, token)[0]
            == 201
        )

        # The volume goes away: the path no longer opens as a database.
        shutil.move(database, tmp_path / "away.sqlite3")
        database.mkdir()
        during = {
            "health": call(base, "GET", "/api/health/"),
            "list": call(base, "GET", "/api/authors/", token=token),
            "create": call(
                base, "POST", "/api/authors/", {"name": "During", "book": "B", "country": "C"}, token
            ),
            "login": call(
                base,
                "POST",
                "/api/auth/token/",
                {"username": "survivor", "password": "a long and unguessable passphrase"},
            ),
        }

        database.rmdir()
        shutil.move(tmp_path / "away.sqlite3", database)
        after = {
            "health": call(base, "GET", "/api/health/")[0],
            "list": call(base, "GET", "/api/authors/", token=token),
        }

    assert during["health"] == (503, {"status": "unavailable", "database": "unreachable"})
    for name in ("list", "create", "login"):
        status, body = during[name]
        assert status == 503, (name, body)
        assert body["code"] == "service_unavailable"
    assert after["health"] == 200
    assert [a["name"] for a in after["list"][1]["results"]] == ["Before"]  # nothing half-applied


# CPython 3.11.7 sometimes fails inside hypothesis's own bookkeeping (ast.parse of a lambda
# while describing a strategy), whatever the server answered: a fault of the fuzzer's
# interpreter, not a finding. Such a run is repeated once; any other failure stands.
FUZZER_INTERPRETER_FAULT = "SystemError: AST constructor recursion depth mismatch"


def schemathesis(base: str, token: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(BASE_DIR / ".venv" / "bin" / "schemathesis")
            if (BASE_DIR / ".venv").exists()
            else "schemathesis",
            "run",
            f"{base}/api/schema/",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            "25",
            "--max-time",
            "120",
            "--workers",
            "2",
            "--exclude-path",
            "/api/auth/logout-all/",
            "--exclude-path",
            "/api/auth/logout/",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=cwd,
    )


def test_schemathesis_finds_no_server_error_or_schema_violation(tmp_path):
    with sqlite_server(tmp_path, workers=2, **UNTHROTTLED) as (base, _):
        token = register_and_log_in(base, "fuzzer")["access"]
        result = schemathesis(base, token, tmp_path)
        if result.returncode != 0 and FUZZER_INTERPRETER_FAULT in result.stdout + result.stderr:
            result = schemathesis(base, token, tmp_path)

    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
