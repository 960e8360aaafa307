"""The throttles under real gunicorn servers: one budget for all the workers of a server
on SQLite without Redis, and no 500 when the cache is gone. Run by `make test-hostile`."""

import pytest

from library.tests.servers import call, sqlite_server

pytestmark = pytest.mark.hostile

LOGIN_BUDGET = 3  # THROTTLE_LOGIN, kept low so the test is short
WRONG = {"username": "nobody", "password": "a wrong guess"}


def test_workers_of_one_server_share_the_login_budget(tmp_path):
    # No REDIS_URL (server_environment drops it): the default store must still be shared.
    with sqlite_server(tmp_path, workers=3, THROTTLE_LOGIN=f"{LOGIN_BUDGET}/min") as (base, _):
        answers = [call(base, "POST", "/api/auth/token/", WRONG)[0] for _ in range(LOGIN_BUDGET + 5)]

    assert answers == [401] * LOGIN_BUDGET + [429] * 5
