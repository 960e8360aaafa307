"""The session login forms (the browsable API's and the admin's) spend the API's login budget."""

import itertools
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory
from accounts.throttles import ClientAddressThrottle

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"
LOGIN_FORMS = ["/api-auth/login/", "/admin/login/"]


@pytest.fixture
def login_budget(settings) -> int:
    return int(settings.THROTTLE_RATES["login"].split("/")[0])


@pytest.fixture
def staff_member():
    return UserFactory(is_staff=True)  # the admin's form lets staff only in


def credentials(user, password=PASSWORD) -> dict:
    return {"username": user.username, "password": password}


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_login_form_within_the_budget_logs_in(path, staff_member):
    browser = Client(REMOTE_ADDR=ADDRESS)

    response = browser.post(path, credentials(staff_member))

    assert response.status_code == 302
    assert browser.session[SESSION_KEY] == str(staff_member.pk)


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_login_form_over_the_budget_answers_429_with_a_message_and_hashes_nothing(
    path, staff_member, login_budget, password_hashes
):
    browser = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(login_budget):
        assert browser.post(path, credentials(staff_member, "a guess")).status_code == 200
    password_hashes.clear()

    refused = browser.post(path, credentials(staff_member))

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    # The page names the same wait as the header, in seconds.
    assert (
        f"Too many login attempts from your address. Try again in {refused['Retry-After']} seconds." in page
    )
    assert password_hashes == []  # the right password, and it was not even looked at
    assert SESSION_KEY not in browser.session


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_showing_the_login_form_spends_nothing(path, staff_member, login_budget):
    browser = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(login_budget + 1):
        assert browser.get(path).status_code == 200

    assert browser.post(path, credentials(staff_member)).status_code == 302


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_login_form_over_the_budget_still_serves_other_addresses(path, staff_member, login_budget):
    attacker, neighbour = Client(REMOTE_ADDR=ADDRESS), Client(REMOTE_ADDR="198.51.100.4")
    for _ in range(login_budget + 1):
        attacker.post(path, {"username": "someone-else", "password": "a guess"})  # not locking staff_member

    assert neighbour.post(path, credentials(staff_member)).status_code == 302


def test_api_and_form_attempts_from_one_address_share_one_budget(staff_member, login_budget, password_hashes):
    api, browser = APIClient(REMOTE_ADDR=ADDRESS), Client(REMOTE_ADDR=ADDRESS)
    wrong = credentials(staff_member, "a guess")
    attempts = [  # (how, what a wrong password answers within the budget)
        (lambda: api.post("/api/auth/token/", wrong), 401),
        (lambda: browser.post("/api-auth/login/", wrong), 200),
        (lambda: browser.post("/admin/login/", wrong), 200),
    ]
    # Round-robin over the three until the budget is spent, then once more each.
    rounds = list(itertools.islice(itertools.cycle(attempts), login_budget + len(attempts)))

    answers = [attempt().status_code for attempt, _ in rounds]

    expected = [within for _, within in rounds[:login_budget]] + [429] * len(attempts)
    assert answers == expected
    assert len(password_hashes) == login_budget  # one hash per attempt let through, none after


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_login_form_answers_a_deactivated_accounts_right_password_as_a_wrong_one(path, staff_member):
    staff_member.is_active = False
    staff_member.save(update_fields=["is_active"])
    browser = Client(REMOTE_ADDR=ADDRESS)

    response = browser.post(path, credentials(staff_member))

    # Nothing tells the page's reader that the account exists and is deactivated.
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please enter" in page and "correct" in page  # what a wrong password is told
    assert "inactive" not in page
    assert SESSION_KEY not in browser.session


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_login_form_refuses_an_address_over_a_budget_lowered_since(path, staff_member, login_budget):
    """A deploy lowers the login budget while the shared store still counts the attempts
    made under the old one: the address is over the new budget, DRF's throttle has no wait
    to give for that, and the form still refuses it, asking for a second."""
    attempts = [time.time()] * (login_budget + 1)
    caches["throttles"].set(
        ClientAddressThrottle.cache_format % {"scope": "login", "ident": "127.0.0.1"}, attempts
    )

    response = Client().post(path, credentials(staff_member))

    assert (response.status_code, response["Retry-After"]) == (429, "1")
