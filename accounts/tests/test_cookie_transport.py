"""The cookie transport (accounts/cookies.py): tokens in HttpOnly cookies, CSRF on use."""

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import LoginSession
from accounts.tests.factories import PASSWORD
from authors.models import Author
from library.tests.helpers import (
    AUTHORS,
    LOGIN,
    LOGIN_CODE,
    LOGOUT,
    LOGOUT_ALL,
    ME,
    PASSWORD_CHANGE,
    REFRESH,
    SESSIONS,
    USERS,
    totp_code,
    turn_on_totp,
)

pytestmark = pytest.mark.django_db

CSRF = "/api/auth/csrf/"
TOKEN_COOKIES = {"access_token", "refresh_token", "refresh_token_logout"}
AUTHOR = {"name": "Anna Burns", "book": "Milkman", "country": "United Kingdom"}


def browser() -> APIClient:
    """A client that keeps cookies and, like a browser, gets Django's CSRF check; it has
    asked for a CSRF token (`client.csrf`), as a page does before a cookie login."""
    client = APIClient(enforce_csrf_checks=True)
    client.csrf = client.get(CSRF).json()["csrf_token"]
    return client


def cookie_login(client: APIClient, user):
    credentials = {"username": user.username, "password": PASSWORD, "transport": "cookie"}
    return client.post(LOGIN, credentials, HTTP_X_CSRFTOKEN=client.csrf)


def logged_in_browser(user) -> APIClient:
    client = browser()
    response = cookie_login(client, user)
    assert response.status_code == 200
    client.csrf = response.json()["csrf_token"]
    return client


def set_cookies(response) -> dict:
    return {name: morsel for name, morsel in response.cookies.items()}


# --- login -------------------------------------------------------------------------------------


@time_machine.travel("2026-11-22 18:00Z", tick=False)
def test_a_cookie_login_sets_httponly_token_cookies_and_answers_only_expiries(user):
    response = cookie_login(browser(), user)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_expires_at", "refresh_expires_at", "csrf_token"}
    cookies = set_cookies(response)
    assert TOKEN_COOKIES | {"csrftoken"} <= set(cookies)
    for name in TOKEN_COOKIES:
        assert cookies[name]["httponly"] is True
        assert cookies[name]["samesite"] == "Lax"
        assert cookies[name]["secure"] == ""
        assert cookies[name].value not in body.values()
    assert cookies["access_token"]["path"] == "/api/"
    assert cookies["refresh_token"]["path"] == "/api/auth/token/refresh/"
    assert cookies["refresh_token_logout"]["path"] == "/api/auth/logout/"
    assert cookies["access_token"]["max-age"] == 15 * 60
    assert cookies["refresh_token"]["max-age"] == 7 * 24 * 3600
    assert LoginSession.objects.filter(user=user, revoked_at=None).count() == 1


def test_cookies_are_secure_over_https_and_samesite_is_configurable(user, settings):
    settings.HTTPS = True
    settings.JWT_COOKIE_SAMESITE = "Strict"

    client = APIClient(enforce_csrf_checks=True)
    csrf = client.get(CSRF, secure=True).json()["csrf_token"]
    credentials = {"username": user.username, "password": PASSWORD, "transport": "cookie"}
    response = client.post(
        LOGIN, credentials, secure=True, HTTP_X_CSRFTOKEN=csrf, HTTP_REFERER="https://testserver/"
    )

    cookies = set_cookies(response)
    assert all(cookies[name]["secure"] is True for name in TOKEN_COOKIES)
    assert all(cookies[name]["samesite"] == "Strict" for name in TOKEN_COOKIES)


def test_the_body_transport_stays_the_default_and_sets_no_token_cookie(user):
    response = browser().post(LOGIN, {"username": user.username, "password": PASSWORD})

    assert set(response.json()) == {"access", "refresh"}
    assert not TOKEN_COOKIES & set(response.cookies)


def test_an_unknown_transport_is_refused(user):
    response = browser().post(LOGIN, {"username": user.username, "password": PASSWORD, "transport": "url"})

    assert response.status_code == 400
    assert "transport" in response.json()
    assert not LoginSession.objects.filter(user=user).exists()


def test_with_totp_on_the_password_step_sets_no_cookie_and_the_second_step_does(user):
    secret, _ = turn_on_totp(user)
    client = browser()
    challenge = cookie_login(client, user)
    assert challenge.status_code == 202
    assert not TOKEN_COOKIES & set(challenge.cookies)

    response = client.post(
        LOGIN_CODE,
        {"mfa_token": challenge.json()["mfa_token"], "code": totp_code(secret), "transport": "cookie"},
        HTTP_X_CSRFTOKEN=client.csrf,
    )

    assert response.status_code == 200
    assert "access" not in response.json()
    assert set(response.cookies) >= TOKEN_COOKIES
    assert client.get(ME).json()["username"] == user.username


def test_the_csrf_endpoint_sets_the_cookie_and_answers_its_token(api_client):
    response = browser().get(CSRF)

    assert response.status_code == 200
    assert response.json()["csrf_token"]
    assert "csrftoken" in response.cookies


def test_a_cookie_login_without_the_csrf_header_is_refused_before_the_password(user):
    client = browser()

    response = client.post(LOGIN, {"username": user.username, "password": "guess", "transport": "cookie"})

    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")
    assert not TOKEN_COOKIES & set(response.cookies)
    assert not user.security_events.exists()  # no failed login: the password was never looked at


def test_a_cookie_second_step_without_the_csrf_header_is_refused_and_keeps_the_challenge(user):
    secret, _ = turn_on_totp(user)
    client = browser()
    mfa_token = cookie_login(client, user).json()["mfa_token"]
    step = {"mfa_token": mfa_token, "code": totp_code(secret), "transport": "cookie"}

    refused = client.post(LOGIN_CODE, step)
    accepted = client.post(LOGIN_CODE, step, HTTP_X_CSRFTOKEN=client.csrf)

    assert refused.status_code == 403
    assert accepted.status_code == 200


# --- authentication and CSRF ----------------------------------------------------------------------


def test_the_access_cookie_authenticates_a_safe_request_without_csrf(user):
    client = logged_in_browser(user)

    response = client.get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == user.username


def test_a_cookie_write_without_the_csrf_header_is_refused_and_changes_nothing(user):
    client = logged_in_browser(user)

    response = client.post(AUTHORS, AUTHOR)

    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")
    assert not Author.objects.exists()


def test_a_cookie_write_with_a_wrong_csrf_header_is_refused(user):
    client = logged_in_browser(user)

    response = client.post(AUTHORS, AUTHOR, HTTP_X_CSRFTOKEN="x" * 64)

    assert response.status_code == 403
    assert not Author.objects.exists()


def test_a_cookie_write_with_the_csrf_header_goes_through(user):
    client = logged_in_browser(user)

    response = client.post(AUTHORS, AUTHOR, HTTP_X_CSRFTOKEN=client.csrf)

    assert response.status_code == 201
    assert Author.objects.get().owner == user


def test_a_cookie_write_from_an_untrusted_origin_is_refused(user):
    client = logged_in_browser(user)

    response = client.post(AUTHORS, AUTHOR, HTTP_X_CSRFTOKEN=client.csrf, HTTP_ORIGIN="http://evil.example")

    assert response.status_code == 403
    assert not Author.objects.exists()


def test_the_header_wins_over_the_cookie_and_needs_no_csrf(user, staff):
    client = logged_in_browser(user)
    staff_pair = APIClient().post(LOGIN, {"username": staff.username, "password": PASSWORD}).json()

    response = client.post(AUTHORS, AUTHOR, HTTP_AUTHORIZATION=f"Bearer {staff_pair['access']}")

    assert response.status_code == 201
    assert Author.objects.get().owner == staff


def test_an_invalid_access_cookie_is_a_401(user):
    client = browser()
    client.cookies["access_token"] = "not-a-token"

    response = client.get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_stale_access_cookie_does_not_get_in_the_way_of_a_login(user):
    client = browser()
    client.cookies["access_token"] = "not-a-token"

    response = cookie_login(client, user)

    assert response.status_code == 200


def test_an_ended_session_refuses_its_access_cookie(user, user_client):
    client = logged_in_browser(user)
    session = LoginSession.objects.filter(user=user).latest("created_at")

    user_client.delete(f"{SESSIONS}{session.pk}/")

    assert client.get(ME).status_code == 401


def test_a_deactivated_user_is_refused_at_once(user, staff_client):
    client = logged_in_browser(user)

    staff_client.patch(f"{USERS}{user.pk}/", {"is_active": False})

    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


# --- refresh ---------------------------------------------------------------------------------------


def test_refresh_from_the_cookie_needs_the_csrf_header(user):
    client = logged_in_browser(user)
    old_refresh = client.cookies["refresh_token"].value

    response = client.post(REFRESH, {})

    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")
    assert client.cookies["refresh_token"].value == old_refresh


def test_refresh_from_the_cookie_rotates_the_cookies(user):
    client = logged_in_browser(user)
    old_access, old_refresh = client.cookies["access_token"].value, client.cookies["refresh_token"].value

    response = client.post(REFRESH, {}, HTTP_X_CSRFTOKEN=client.csrf)

    assert response.status_code == 200
    assert set(response.json()) == {"access_expires_at", "refresh_expires_at", "csrf_token"}
    assert client.cookies["access_token"].value != old_access
    assert client.cookies["refresh_token"].value != old_refresh
    assert client.cookies["refresh_token_logout"].value == client.cookies["refresh_token"].value
    assert client.get(ME).status_code == 200


def test_a_refresh_cookie_is_answered_in_cookies_even_when_the_body_is_asked_for(user):
    client = logged_in_browser(user)

    response = client.post(REFRESH, {"transport": "body"}, HTTP_X_CSRFTOKEN=client.csrf)

    assert response.status_code == 200
    assert "refresh" not in response.json()
    assert "access" not in response.json()


def test_a_rotated_refresh_cookie_replayed_ends_the_session(user):
    client = logged_in_browser(user)
    old_refresh = client.cookies["refresh_token"].value
    client.post(REFRESH, {}, HTTP_X_CSRFTOKEN=client.csrf)
    client.cookies["refresh_token"] = old_refresh

    response = client.post(REFRESH, {}, HTTP_X_CSRFTOKEN=client.csrf)

    assert response.status_code == 401
    assert not LoginSession.objects.filter(user=user, revoked_at=None).exists()


def test_refresh_without_a_token_or_cookie_asks_for_one():
    response = browser().post(REFRESH, {})

    assert response.status_code == 400
    assert response.json()["refresh"] == ["This field is required."]


def test_a_body_refresh_may_ask_for_cookies(user):
    pair = APIClient().post(LOGIN, {"username": user.username, "password": PASSWORD}).json()

    response = browser().post(REFRESH, {"refresh": pair["refresh"], "transport": "cookie"})

    assert response.status_code == 200
    assert "access" not in response.json()
    assert set(response.cookies) >= TOKEN_COOKIES


# --- logout, password change, account deletion -----------------------------------------------------


def test_logout_with_cookies_ends_the_session_and_deletes_the_cookies(user):
    client = logged_in_browser(user)
    access = client.cookies["access_token"].value

    response = client.post(LOGOUT, {}, HTTP_X_CSRFTOKEN=client.csrf)

    assert response.status_code == 204
    assert all(response.cookies[name].value == "" for name in TOKEN_COOKIES)
    assert all(response.cookies[name]["max-age"] == 0 for name in TOKEN_COOKIES)
    assert not LoginSession.objects.filter(user=user, revoked_at=None).exists()
    client.cookies["access_token"] = access
    assert client.get(ME).status_code == 401


def test_logout_with_cookies_needs_the_csrf_header(user):
    client = logged_in_browser(user)

    response = client.post(LOGOUT, {})

    assert response.status_code == 403
    assert LoginSession.objects.filter(user=user, revoked_at=None).exists()


def test_a_header_logout_sets_no_cookie(user, user_client):
    response = user_client.post(LOGOUT, {})

    assert response.status_code == 204
    assert not response.cookies


def test_logout_everywhere_deletes_this_browsers_cookies(user):
    client = logged_in_browser(user)

    response = client.post(LOGOUT_ALL, HTTP_X_CSRFTOKEN=client.csrf)

    assert response.status_code == 204
    assert all(response.cookies[name].value == "" for name in TOKEN_COOKIES)
    assert not LoginSession.objects.filter(user=user, revoked_at=None).exists()


def test_a_cookie_password_change_answers_fresh_cookies(user):
    client = logged_in_browser(user)
    old_access = client.cookies["access_token"].value
    change = {"old_password": PASSWORD, "new_password": "an even longer fresh phrase"}

    response = client.post(PASSWORD_CHANGE, change, HTTP_X_CSRFTOKEN=client.csrf)

    assert response.status_code == 200
    assert "access" not in response.json()
    assert client.cookies["access_token"].value != old_access
    assert client.get(ME).status_code == 200
    client.cookies["access_token"] = old_access
    assert client.get(ME).status_code == 401


def test_a_header_password_change_still_answers_the_pair(user, user_client):
    change = {"old_password": PASSWORD, "new_password": "an even longer fresh phrase"}

    response = user_client.post(PASSWORD_CHANGE, change)

    assert set(response.json()) == {"access", "refresh"}
    assert not response.cookies


def test_deleting_the_account_deletes_the_cookies(user):
    client = logged_in_browser(user)

    response = client.delete(ME, {"password": PASSWORD}, HTTP_X_CSRFTOKEN=client.csrf)

    assert response.status_code == 204
    assert all(response.cookies[name].value == "" for name in TOKEN_COOKIES)
    assert not type(user).objects.filter(pk=user.pk).exists()


@time_machine.travel("2026-11-22 18:00Z", tick=False)
def test_the_answer_gives_the_tokens_expiry_times(user):
    response = cookie_login(browser(), user)

    assert response.json()["access_expires_at"] == "2026-11-22T18:15:00Z"
    assert response.json()["refresh_expires_at"] == "2026-11-29T18:00:00Z"


# --- cross-origin ------------------------------------------------------------------------------------


def test_no_origin_is_allowed_by_default(user, settings):
    response = browser().get(CSRF, HTTP_ORIGIN="http://127.0.0.1:5173")

    assert "access-control-allow-origin" not in response.headers


def test_a_listed_origin_may_read_answers_with_credentials(settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://127.0.0.1:5173"]

    response = browser().get(CSRF, HTTP_ORIGIN="http://127.0.0.1:5173")

    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:5173"
    assert response.headers["access-control-allow-credentials"] == "true"


def test_an_unlisted_origin_gets_no_cors_headers(settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://127.0.0.1:5173"]

    response = browser().get(CSRF, HTTP_ORIGIN="http://127.0.0.1:6000")

    assert "access-control-allow-origin" not in response.headers


def test_logout_reads_the_refresh_cookie_and_checks_csrf_even_behind_a_header(user, user_client):
    client = logged_in_browser(user)
    client.credentials(HTTP_AUTHORIZATION=user_client._credentials["HTTP_AUTHORIZATION"])

    refused = client.post(LOGOUT, {})
    response = client.post(LOGOUT, {}, HTTP_X_CSRFTOKEN=client.csrf)

    assert refused.status_code == 403
    assert response.status_code == 204
    assert not LoginSession.objects.filter(user=user, revoked_at=None).exists()  # both sessions


def test_a_refresh_cookie_only_counts_on_its_own_path(user):
    client = logged_in_browser(user)
    client.cookies.pop("refresh_token")

    response = client.post(REFRESH, {}, HTTP_X_CSRFTOKEN=client.csrf)

    assert response.status_code == 400
    assert response.json()["refresh"] == ["This field is required."]


def test_a_cross_site_logout_deletes_each_cookie_where_it_was_set(user, settings):
    # A browser deletes a cookie only by its name and path, and a front-end on another site
    # gets its cookies (and their deletions) only as SameSite=None; Secure.
    settings.HTTPS = True
    settings.JWT_COOKIE_SAMESITE = "None"
    https = {"secure": True, "HTTP_REFERER": "https://testserver/"}
    client = APIClient(enforce_csrf_checks=True)
    csrf = client.get(CSRF, secure=True).json()["csrf_token"]
    credentials = {"username": user.username, "password": PASSWORD, "transport": "cookie"}
    login = client.post(LOGIN, credentials, HTTP_X_CSRFTOKEN=csrf, **https)

    response = client.post(LOGOUT, {}, HTTP_X_CSRFTOKEN=login.json()["csrf_token"], **https)

    assert response.status_code == 204
    set_at, deleted = set_cookies(login), set_cookies(response)
    for name in TOKEN_COOKIES:
        assert deleted[name].value == ""
        assert deleted[name]["max-age"] == 0
        assert deleted[name]["path"] == set_at[name]["path"]
        assert deleted[name]["samesite"] == "None"
        assert deleted[name]["secure"] is True


def test_a_logout_that_asks_for_the_cookie_transport_deletes_the_cookies(user, user_client):
    response = user_client.post(LOGOUT, {"transport": "cookie"})

    assert response.status_code == 204
    assert all(response.cookies[name].value == "" for name in TOKEN_COOKIES)
    assert not LoginSession.objects.filter(user=user, revoked_at=None).exists()
