"""Two gunicorn processes sharing one PostgreSQL and one Redis, as on two hosts.

Revocation and deactivation done through one process must be refused by the other on
its very next request, the throttle and lockout counters must be shared, and a signing
key made by one process must be published and accepted by the other. Runs in
`make test-postgres`; skipped on SQLite, whose test database lives in one process.
"""

import os
import time

import jwt
import pytest
from django.conf import settings
from django.db import connection

from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import turn_on_totp
from library.tests.servers import call, gunicorn, manage, server_environment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def servers(django_db_setup):
    """Two server processes, A and B, on the test database and the test Redis."""
    cache_backend = settings.CACHES["default"]["BACKEND"]
    if connection.vendor != "postgresql" or not cache_backend.endswith("RedisCache"):
        pytest.skip("needs PostgreSQL and Redis (make test-postgres)")
    database = settings.DATABASES["default"]
    environment = server_environment(
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        REDIS_URL=os.environ["REDIS_URL"],
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        JWT_SIGNING_KEY=settings.JWT_SIGNING_KEY,
        DB_CONN_MAX_AGE="0",  # no connection left open when the test database is dropped
        THROTTLE_LOGIN="4/min",
        LOCKOUT_FAILURES="3",
    )
    with gunicorn(environment) as a, gunicorn(environment) as b:
        yield a, b, environment


@pytest.fixture(autouse=True)
def hash_as_the_servers_do(settings):
    settings.PASSWORD_HASHERS = settings.PASSWORD_HASHERS[1:]  # without the tests' fast hasher


def log_in(base: str, username: str) -> dict:
    status, pair = call(base, "POST", "/api/auth/token/", {"username": username, "password": PASSWORD})
    assert status == 200, pair
    return pair


def test_token_revoked_through_one_process_is_refused_by_the_other(servers):
    a, b, _ = servers
    user = UserFactory()
    pair = log_in(a, user.username)
    assert call(b, "GET", "/api/accounts/me/", token=pair["access"])[0] == 200

    assert (
        call(a, "POST", "/api/auth/token/revoke/", {"token": pair["access"]}, token=pair["access"])[0] == 204
    )

    assert call(b, "GET", "/api/accounts/me/", token=pair["access"])[0] == 401


def test_logout_all_through_one_process_is_seen_by_the_other(servers):
    a, b, _ = servers
    user = UserFactory()
    first, second = log_in(a, user.username), log_in(b, user.username)
    assert call(b, "GET", "/api/authors/", token=first["access"])[0] == 200

    assert call(a, "POST", "/api/auth/logout-all/", token=second["access"])[0] == 204

    assert call(b, "GET", "/api/authors/", token=first["access"])[0] == 401
    assert call(b, "POST", "/api/auth/token/refresh/", {"refresh": second["refresh"]})[0] == 401


def test_user_deactivated_through_one_process_is_refused_by_the_other(servers):
    a, b, _ = servers
    staff, user = UserFactory(is_staff=True), UserFactory()
    staff_pair, user_pair = log_in(a, staff.username), log_in(b, user.username)
    assert call(b, "GET", "/api/accounts/me/", token=user_pair["access"])[0] == 200

    status, _ = call(
        a, "PATCH", f"/api/accounts/users/{user.pk}/", {"is_active": False}, token=staff_pair["access"]
    )
    assert status == 200

    assert call(b, "GET", "/api/accounts/me/", token=user_pair["access"])[0] == 401


def test_rotated_refresh_reused_on_the_other_process_ends_the_session(servers):
    a, b, _ = servers
    pair = log_in(a, UserFactory().username)
    status, rotated = call(a, "POST", "/api/auth/token/refresh/", {"refresh": pair["refresh"]})
    assert status == 200

    assert call(b, "POST", "/api/auth/token/refresh/", {"refresh": pair["refresh"]})[0] == 401

    assert call(a, "GET", "/api/accounts/me/", token=rotated["access"])[0] == 401


def test_throttle_counters_are_shared_between_processes(servers):
    a, b, _ = servers
    answers = [
        call(base, "POST", "/api/auth/token/", {"username": f"nobody{n}", "password": "wrong"})[0]
        for n, base in enumerate((a, b, a, b, a, b))  # a name each: no lockout
    ]

    # THROTTLE_LOGIN is 4/min for both: together they allow four, not eight.
    assert answers == [401, 401, 401, 401, 429, 429]


def test_a_lockout_counted_through_both_processes_is_seen_by_each(servers):
    a, b, _ = servers
    user = UserFactory()
    wrong = {"username": user.username, "password": "wrong"}
    failures = [call(base, "POST", "/api/auth/token/", wrong)[0] for base in (a, b, a)]

    right = {"username": user.username, "password": PASSWORD}
    status, body = call(b, "POST", "/api/auth/token/", right)

    # LOCKOUT_FAILURES is 3: the third failure, wherever it was counted, locks for both.
    assert failures == [401, 401, 401]
    assert (status, body["code"]) == (429, "account_locked")


def test_a_second_factor_turned_off_through_one_process_is_seen_by_the_other(servers):
    a, b, _ = servers
    user = UserFactory()
    _, recovery_codes = turn_on_totp(user)
    credentials = {"username": user.username, "password": PASSWORD}
    status, challenge = call(b, "POST", "/api/auth/token/", credentials)
    assert status == 202, challenge
    # The mfa_token of one process is spent at the other.
    status, pair = call(a, "POST", "/api/auth/token/mfa/", {**challenge, "code": recovery_codes[0]})
    assert status == 200, pair

    turned_off = call(
        a, "DELETE", "/api/auth/mfa/totp/", {"password": PASSWORD, "code": recovery_codes[1]}, pair["access"]
    )

    assert turned_off[0] == 204
    status, answer = call(b, "POST", "/api/auth/token/", credentials)
    assert status == 200 and set(answer) == {"access", "refresh"}


def kid_of(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def refreshed_until_new_kid(base: str, pair: dict, seconds: float = 5) -> dict:
    """Refresh `pair` until the answer is signed by another key (a new key signs a second
    after it is made); the first such pair."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, new = call(base, "POST", "/api/auth/token/refresh/", {"refresh": pair["refresh"]})
        assert status == 200, new
        if kid_of(new["access"]) != kid_of(pair["access"]):
            return new
        pair = new
        time.sleep(0.25)
    raise AssertionError(f"still signed by {kid_of(pair['access'])} after {seconds} s")


def test_a_key_rotation_through_one_process_is_signed_with_and_served_by_the_other(servers):
    a, b, environment = servers
    user = UserFactory()
    before, polling = log_in(a, user.username), log_in(a, user.username)

    # The rotation, as an operator runs it on any one host, in a process of its own.
    manage("jwt_keys", "rotate", "--algorithm", "EdDSA", environment=environment)

    after = refreshed_until_new_kid(a, polling)
    [published] = call(b, "GET", "/.well-known/jwks.json")[1]["keys"]
    assert (published["kid"], published["alg"]) == (kid_of(after["access"]), "EdDSA")
    assert call(b, "GET", "/api/accounts/me/", token=after["access"])[0] == 200
    assert call(b, "GET", "/api/accounts/me/", token=before["access"])[0] == 200
    assert call(b, "POST", "/api/auth/token/refresh/", {"refresh": before["refresh"]})[0] == 200
