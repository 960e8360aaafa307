"""Where the throttle counters live, and what a client sees when that store fails."""

import logging
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import client_for

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"
WRONG = {"username": "nobody", "password": "a wrong guess"}
REGISTRATION = {"username": "newreader", "email": "new@example.com", "password": PASSWORD}
CREDENTIALS = {"username": "newreader", "password": PASSWORD}


@pytest.mark.skipif(
    not settings.CACHES["throttles"]["BACKEND"].endswith("DatabaseCache"),
    reason="the default store, without CACHE_URL or REDIS_URL",
)
def test_without_a_cache_url_the_counters_are_kept_in_the_database():
    APIClient(REMOTE_ADDR=ADDRESS).post("/api/auth/token/", WRONG)

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM library_throttle_counters")
        keys = [key for (key,) in cursor.fetchall()]
    throttle_keys = [key.split(":")[-1] for key in keys if "throttle_" in key]
    assert throttle_keys == [f"throttle_login_{ADDRESS}"]
    assert [key for key in keys if ":lockout:" in key] != []  # the wrong password's, per identifier


# --- when the store fails --------------------------------------------------------------


def test_with_the_cache_down_register_login_and_refresh_still_answer(unreachable_cache, user_client):
    client = APIClient(REMOTE_ADDR=ADDRESS)

    answers = {
        "register": client.post("/api/auth/register/", REGISTRATION).status_code,
        "login": client.post("/api/auth/token/", CREDENTIALS).status_code,
        "wrong login": client.post("/api/auth/token/", WRONG).status_code,
        "refresh": client.post("/api/auth/token/refresh/", {"refresh": user_client.pair.refresh}).status_code,
    }

    assert answers == {"register": 201, "login": 200, "wrong login": 401, "refresh": 200}


def test_with_the_cache_down_each_throttle_check_logs_one_warning_line(unreachable_cache, caplog):
    client = APIClient(REMOTE_ADDR=ADDRESS)

    with caplog.at_level(logging.WARNING, logger="accounts.throttles"):
        client.post("/api/auth/token/", WRONG)
        client.post("/api/auth/token/refresh/", {"refresh": "x"})

    warnings = [record for record in caplog.records if record.name == "accounts.throttles"]
    assert [record.levelname for record in warnings] == ["WARNING", "WARNING"]
    assert [record.exc_info for record in warnings] == [None, None]  # no traceback
    said = r"Throttle 'login' counts in this process only: its store failed \(ConnectionError: .*127\.0\.0\.1:\d+.*\)"
    assert re.fullmatch(said, warnings[0].getMessage())


def test_with_the_cache_down_each_process_still_holds_the_budget(unreachable_cache):
    client = APIClient(REMOTE_ADDR=ADDRESS)
    budget = int(settings.THROTTLE_RATES["login"].split("/")[0])

    # A name each, so that no account's lockout answers first.
    answers = [
        client.post("/api/auth/token/", {**WRONG, "username": f"nobody{n}"}) for n in range(budget + 1)
    ]

    assert [answer.status_code for answer in answers] == [401] * budget + [429]
    assert answers[-1].json()["code"] == "throttled"


@pytest.mark.parametrize("path", ["/api-auth/login/", "/admin/login/"])
def test_with_the_cache_down_the_login_forms_still_log_in(unreachable_cache, path):
    staff_member = UserFactory(is_staff=True)
    browser = Client(REMOTE_ADDR=ADDRESS)

    shown = browser.get(path)
    sent = browser.post(path, {"username": staff_member.username, "password": PASSWORD})

    assert (shown.status_code, sent.status_code) == (200, 302)


@pytest.mark.parametrize(
    "path", ["/api/", "/api/auth/token/", "/api/auth/register/", "/api/auth/token/refresh/"]
)
def test_with_the_cache_down_the_browsable_api_still_renders(unreachable_cache, admin_browser, path):
    response = admin_browser.get(path, HTTP_ACCEPT="text/html")

    assert response.status_code in (200, 405)  # the auth endpoints take POST only
    assert "<html" in response.content.decode()


# --- checks of the caller's own password, per user ------------------------------------------


@pytest.fixture
def password_budget(settings) -> int:
    return int(settings.THROTTLE_RATES["password"].split("/")[0])


def test_password_guesses_through_change_and_delete_share_one_budget_per_user(
    user, user_client, password_budget, password_hashes
):
    guesses = [
        user_client.post("/api/accounts/me/password/", {"old_password": "guess", "new_password": "x" * 20})
        if n % 2
        else user_client.delete("/api/accounts/me/", {"password": "guess"})
        for n in range(password_budget)
    ]
    hashed = len(password_hashes)

    refused = user_client.delete("/api/accounts/me/", {"password": PASSWORD})

    assert [answer.status_code for answer in guesses] == [400] * password_budget
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert len(password_hashes) == hashed  # the refused request hashed nothing
    assert type(user).objects.filter(pk=user.pk).exists()


def test_the_password_budget_is_per_user_not_per_address(user, user_client, password_budget):
    for _ in range(password_budget):
        user_client.delete("/api/accounts/me/", {"password": "guess"})
    other = UserFactory()

    response = client_for(other).delete("/api/accounts/me/", {"password": PASSWORD})

    assert response.status_code == 204


def test_reading_and_editing_your_account_spend_no_password_budget(user_client, password_budget):
    for _ in range(password_budget + 2):
        assert user_client.get("/api/accounts/me/").status_code == 200
        assert user_client.patch("/api/accounts/me/", {"first_name": "Ada"}).status_code == 200

    assert user_client.delete("/api/accounts/me/", {"password": PASSWORD}).status_code == 204
