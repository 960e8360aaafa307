"""The throttles under real gunicorn servers: one budget for all the workers of a server
on SQLite without Redis, and no 500 when the cache is gone. Run by `make test-hostile`."""

import urllib.error
import urllib.request

import pytest

from accounts.tests.factories import PASSWORD
from library.tests.servers import call, free_port, sqlite_server

pytestmark = pytest.mark.hostile

LOGIN_BUDGET = 3  # THROTTLE_LOGIN, kept low so the test is short
WRONG = {"username": "nobody", "password": "a wrong guess"}


def page_status(base: str, path: str) -> int:
    """The status of an HTML page (servers.call reads JSON)."""
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:  # noqa: S310 (loopback only)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_workers_of_one_server_share_the_login_budget(tmp_path):
    # No REDIS_URL (server_environment drops it): the default store must still be shared.
    with sqlite_server(tmp_path, workers=3, THROTTLE_LOGIN=f"{LOGIN_BUDGET}/min") as (base, _):
        answers = [call(base, "POST", "/api/auth/token/", WRONG)[0] for _ in range(LOGIN_BUDGET + 5)]

    assert answers == [401] * LOGIN_BUDGET + [429] * 5


def test_a_dead_redis_never_turns_register_login_or_refresh_into_a_500(tmp_path):
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings = {"REDIS_URL": dead_redis, "THROTTLE_LOGIN": f"{LOGIN_BUDGET}/min"}
    reader = {"username": "reader", "email": "reader@example.com", "password": PASSWORD}
    with sqlite_server(tmp_path, workers=2, **settings) as (base, _):
        register = call(base, "POST", "/api/auth/register/", reader)[0]
        login, pair = call(base, "POST", "/api/auth/token/", {"username": "reader", "password": PASSWORD})
        refresh_token = pair.get("refresh", "none: the login failed")
        refresh = call(base, "POST", "/api/auth/token/refresh/", {"refresh": refresh_token})[0]
        login_form = page_status(base, "/api-auth/login/")
        guesses = [call(base, "POST", "/api/auth/token/", WRONG)[0] for _ in range(LOGIN_BUDGET * 3)]

    assert (register, login, refresh, login_form) == (201, 200, 200, 200)
    # Counted per worker while the store is away: one login and nine guesses, at most
    # the budget of each of the two workers let through.
    assert set(guesses) == {401, 429}
