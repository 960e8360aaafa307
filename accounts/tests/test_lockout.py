"""Account lockout (accounts/lockout.py): LOCKOUT_FAILURES wrong passwords for one
identifier within LOCKOUT_WINDOW, from any addresses, and its password step answers 429
without hashing, alike for known and unknown identifiers, until the window passes or a
password reset."""

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import lockout, tokens
from accounts.models import SecurityEvent
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import LOGIN, PASSWORD_RESET_CONFIRM

pytestmark = pytest.mark.django_db

WRONG = "a wrong guess"
NEW_PASSWORD = "an even longer fresh phrase"
LOCKED_BODY = {
    "detail": "Too many failed logins for this account; try again later. Expected available in 900 seconds.",
    "code": "account_locked",
}
REDIS_CLOCK = pytest.mark.skipif(
    django_settings.CACHES["throttles"]["BACKEND"].endswith("RedisCache"),
    reason="Redis expires keys by its own clock, which time-machine does not move",
)


@pytest.fixture
def failures(settings) -> int:
    return settings.LOCKOUT_FAILURES


@pytest.fixture
def generous_address_budget(monkeypatch, settings):
    """The per-address login budget out of the way, for many attempts from one address."""
    monkeypatch.setitem(settings.THROTTLE_RATES, "login", "1000/min")


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def attempt(identifier: str, password: str = WRONG, address: str = "203.0.113.9", **headers):
    return APIClient(REMOTE_ADDR=address).post(
        LOGIN, {"username": identifier, "password": password}, **headers
    )


def fail(identifier: str, times: int) -> list[int]:
    """`times` wrong passwords for `identifier`, each from an address of its own."""
    return [attempt(identifier, address=f"198.51.100.{n}").status_code for n in range(times)]


def events_of(type: str):
    return SecurityEvent.objects.filter(type=type)


# --- the rule ------------------------------------------------------------------------------


def test_the_last_allowed_failure_locks_and_then_the_right_password_is_429_without_a_hash(
    user, failures, generous_address_budget, password_hashes, frozen
):
    answers = [attempt(user.username).status_code for _ in range(failures)]
    password_hashes.clear()

    refused = attempt(user.username, PASSWORD)

    assert answers == [401] * failures
    assert (refused.status_code, refused.json(), refused["Retry-After"]) == (429, LOCKED_BODY, "900")
    assert password_hashes == []
    assert not user.login_sessions.exists()


def test_one_failure_fewer_does_not_lock(user, failures):
    fail(user.username, failures - 1)

    assert attempt(user.username, PASSWORD).status_code == 200


def test_an_unknown_identifier_locks_with_the_very_same_answer(user, failures, frozen):
    fail(user.username, failures)
    fail("nobody", failures)

    known, unknown = attempt(user.username, PASSWORD), attempt("nobody", PASSWORD)

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (429, LOCKED_BODY)
    assert known["Retry-After"] == unknown["Retry-After"] == "900"


def test_failures_from_many_addresses_count_together(user, failures):
    statuses = fail(user.username, failures)  # no address reaches its own budget

    assert statuses == [401] * failures
    assert attempt(user.username, PASSWORD, address="192.0.2.200").status_code == 429


def test_the_identifier_counts_in_any_case_and_unicode_form(failures):
    user = UserFactory(username="adam")
    fail("ADAM", failures - 1)
    fail("\uff41dam", 1)  # fullwidth a

    assert attempt(user.username, PASSWORD).json()["code"] == "account_locked"


def test_the_username_and_the_email_of_one_account_count_apart(user, failures):
    fail(user.username, failures)

    assert attempt(user.email, PASSWORD).status_code == 200
    assert attempt(user.username, PASSWORD).status_code == 429


def test_a_lock_of_one_identifier_leaves_others_alone(user, failures):
    fail("someone-else", failures)

    assert attempt(user.username, PASSWORD).status_code == 200


def test_a_success_in_between_does_not_forget_the_failures(user, failures):
    fail(user.username, failures - 1)
    assert attempt(user.username, PASSWORD).status_code == 200

    fail(user.username, 1)

    assert attempt(user.username, PASSWORD).status_code == 429


# --- the window ------------------------------------------------------------------------------


def test_retry_after_counts_down_the_window(user, failures, frozen):
    fail(user.username, failures)
    frozen.shift(timedelta(minutes=5))

    refused = attempt(user.username, PASSWORD)

    assert refused["Retry-After"] == "600"
    assert refused.json()["detail"].endswith("Expected available in 600 seconds.")


def test_the_window_passing_unlocks(user, failures, settings, frozen):
    fail(user.username, failures)
    frozen.shift(timedelta(seconds=settings.LOCKOUT_WINDOW - 1))
    assert attempt(user.username, PASSWORD).status_code == 429

    frozen.shift(timedelta(seconds=1))

    assert attempt(user.username, PASSWORD).status_code == 200


def test_failures_spread_over_the_window_count_together(user, failures, settings, frozen):
    fail(user.username, failures - 1)
    frozen.shift(timedelta(seconds=settings.LOCKOUT_WINDOW - 1))
    fail(user.username, 1)

    assert attempt(user.username, PASSWORD).status_code == 429


@REDIS_CLOCK
def test_failures_older_than_the_window_no_longer_count(user, failures, settings, frozen):
    fail(user.username, 1)
    frozen.shift(timedelta(seconds=settings.LOCKOUT_WINDOW))
    fail(user.username, failures - 1)

    assert attempt(user.username, PASSWORD).status_code == 200


@REDIS_CLOCK
def test_after_the_window_a_new_lock_takes_as_many_failures(user, failures, settings, frozen):
    fail(user.username, failures)
    frozen.shift(timedelta(seconds=settings.LOCKOUT_WINDOW))

    fail(user.username, failures - 1)
    assert attempt(user.username, PASSWORD).status_code == 200
    fail(user.username, 1)

    assert attempt(user.username, PASSWORD).status_code == 429
    assert events_of("account_locked").count() == 2


@pytest.mark.parametrize(("failures_setting", "window_setting"), [(3, 60), (5, 120)])
def test_the_settings_say_how_many_failures_and_how_long(
    user, settings, frozen, failures_setting, window_setting
):
    settings.LOCKOUT_FAILURES, settings.LOCKOUT_WINDOW = failures_setting, window_setting
    assert fail(user.username, failures_setting) == [401] * failures_setting

    refused = attempt(user.username, PASSWORD)

    assert (refused.status_code, refused["Retry-After"]) == (429, str(window_setting))


# --- the security log --------------------------------------------------------------------


def test_the_lock_is_recorded_once_with_the_user_the_identifier_as_typed_and_the_client(user, failures):
    fail(user.username, failures - 1)
    attempt(user.username.upper(), address="192.0.2.7", HTTP_USER_AGENT="guesser/1.0")
    attempt(user.username, PASSWORD)
    attempt(user.username)

    event = events_of("account_locked").get()
    assert (event.user, event.identifier, event.ip, event.user_agent) == (
        user,
        user.username.upper(),
        "192.0.2.7",
        "guesser/1.0",
    )
    assert event.detail == {"failures": failures, "seconds": 900}


def test_the_lock_of_an_email_names_its_user(user, failures):
    fail(user.email.upper(), failures)

    assert events_of("account_locked").get().user == user


def test_the_lock_of_an_unknown_identifier_is_recorded_without_a_user(failures):
    fail("nobody@example.com", failures)

    event = events_of("account_locked").get()
    assert (event.user, event.identifier) == (None, "nobody@example.com")


def test_a_refused_attempt_is_not_a_failure_to_record(user, failures):
    fail(user.username, failures)

    attempt(user.username)

    assert events_of("login_failed").count() == failures


# --- a password reset ---------------------------------------------------------------------


def reset_password(user):
    user.refresh_from_db()
    fields = {
        "uid": tokens.reset_uid(user),
        "token": tokens.make_reset_token(user),
        "new_password": NEW_PASSWORD,
    }
    return APIClient(REMOTE_ADDR="192.0.2.9").post(PASSWORD_RESET_CONFIRM, fields, HTTP_USER_AGENT="reader/2")


def test_a_password_reset_unlocks_the_username_and_the_email_and_is_recorded(user, failures):
    fail(user.username, failures)
    fail(user.email, failures)

    assert reset_password(user).status_code == 204

    assert attempt(user.username, NEW_PASSWORD).status_code == 200
    assert attempt(user.email, NEW_PASSWORD).status_code == 200
    event = events_of("account_unlocked").get()
    assert (event.user, event.ip, event.user_agent) == (user, "192.0.2.9", "reader/2")


def test_a_password_reset_forgets_failures_short_of_a_lock(user, failures):
    fail(user.username, failures - 1)
    reset_password(user)

    fail(user.username, 1)

    assert attempt(user.username, NEW_PASSWORD).status_code == 200
    assert not events_of("account_unlocked").exists()  # nothing was locked


def test_a_refused_reset_unlocks_nothing(user, failures):
    fail(user.username, failures)

    APIClient().post(
        PASSWORD_RESET_CONFIRM, {"uid": tokens.reset_uid(user), "token": "nope", "new_password": NEW_PASSWORD}
    )

    assert attempt(user.username, PASSWORD).status_code == 429
    assert not events_of("account_unlocked").exists()


# --- the login forms share the count ------------------------------------------------------

LOGIN_FORMS = ["/api-auth/login/", "/admin/login/"]


def form_attempt(path: str, identifier: str, password: str = WRONG, address: str = "203.0.113.9"):
    return Client(REMOTE_ADDR=address).post(path, {"username": identifier, "password": password})


def test_the_api_and_both_login_forms_count_together(failures):
    staff_member = UserFactory(is_staff=True)
    ways = [
        lambda n: attempt(staff_member.username, address=f"198.51.100.{n}"),
        lambda n: form_attempt("/api-auth/login/", staff_member.username, address=f"198.51.100.{n}"),
        lambda n: form_attempt("/admin/login/", staff_member.username, address=f"198.51.100.{n}"),
    ]

    answers = [ways[n % 3](n).status_code for n in range(failures)]

    assert answers == [(401, 200, 200)[n % 3] for n in range(failures)]
    assert attempt(staff_member.username, PASSWORD).status_code == 429


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_a_lock_made_through_the_api_refuses_the_login_forms_without_a_hash(path, failures, password_hashes):
    staff_member = UserFactory(is_staff=True)
    fail(staff_member.username, failures)
    password_hashes.clear()
    browser = Client(REMOTE_ADDR="192.0.2.44")

    refused = browser.post(path, {"username": staff_member.username, "password": PASSWORD})

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    message = f"Too many failed logins for this account. Try again in {refused['Retry-After']} seconds."
    assert message in refused.content.decode()
    assert password_hashes == []
    assert SESSION_KEY not in browser.session


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_a_lock_made_through_a_login_form_refuses_the_api(path, failures):
    staff_member = UserFactory(is_staff=True)
    for n in range(failures):
        form_attempt(path, staff_member.username, address=f"198.51.100.{n}")

    refused = attempt(staff_member.username, PASSWORD)

    assert (refused.status_code, refused.json()["code"]) == (429, "account_locked")
    assert events_of("account_locked").get().user == staff_member


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_a_login_form_without_a_password_counts_no_failure(path, failures):
    staff_member = UserFactory(is_staff=True)
    for n in range(failures):
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(path, {"username": staff_member.username})

    assert form_attempt(path, staff_member.username, PASSWORD).status_code == 302


# --- when the store fails ---------------------------------------------------------------


def test_with_the_cache_down_each_process_still_locks_and_nothing_is_a_500(
    unreachable_cache, user, failures, caplog
):
    with caplog.at_level(logging.WARNING, logger="accounts.lockout"):
        answers = fail(user.username, failures)

    refused = attempt(user.username, PASSWORD)

    assert answers == [401] * failures
    assert (refused.status_code, refused.json()["code"]) == (429, "account_locked")
    assert events_of("account_locked").count() == 1
    warnings = [record for record in caplog.records if record.name == "accounts.lockout"]
    assert warnings and all(record.levelname == "WARNING" and record.exc_info is None for record in warnings)
    said = r"Lockout counts in this process only: its store failed \(ConnectionError: .*127\.0\.0\.1:\d+.*\)"
    assert re.fullmatch(said, warnings[0].getMessage())


def test_with_the_cache_down_a_reset_still_unlocks(unreachable_cache, user, failures):
    fail(user.username, failures)

    assert reset_password(user).status_code == 204

    assert attempt(user.username, NEW_PASSWORD).status_code == 200
    assert events_of("account_unlocked").count() == 1


# --- the count itself ------------------------------------------------------------------------


def test_a_failure_counted_meanwhile_elsewhere_is_not_lost(monkeypatch, settings):
    """Two failures at once: both read the same free slot; the one that loses the add
    takes the next, and both count."""
    store = lockout.SHARED
    slots = [f"{lockout._lock_key('ada')}:{n}" for n in range(2)]
    store.add(slots[0], True, timeout=settings.LOCKOUT_WINDOW)  # the other failure's
    monkeypatch.setattr(store, "get_many", lambda keys, version=None: {})  # read before it was written

    counted = lockout._count_failure(store, "ada")

    monkeypatch.undo()
    assert counted == 2
    assert store.get_many(slots) == {slots[0]: True, slots[1]: True}
