"""Every answer the schema documents, provoked for real and checked against the schema.

Each case below makes the API give one documented answer of one operation. The answer
must validate against the schema (openapi-core), a successful request must be one the
schema allows, and an answer named for an example must be that example, word for
word. Every operation and status the schema documents, and every error example it
shows, needs a case: a new one without its case fails the coverage tests.
"""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
import time_machine
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIResponse
from openapi_core.datatypes import RequestParameters
from openapi_schema_validator import OAS30ReadValidator
from rest_framework.test import APIClient
from werkzeug.datastructures import Headers, ImmutableMultiDict

from accounts import tokens
from accounts.tests.factories import PASSWORD
from authors.tests.factories import AuthorFactory
from library.tests.helpers import (
    AUTHORS,
    EMAIL_VERIFY,
    EMAIL_VERIFY_RESEND,
    EVENTS,
    JWKS,
    LOGIN,
    LOGIN_CODE,
    LOGOUT,
    LOGOUT_ALL,
    ME,
    PASSWORD_CHANGE,
    PASSWORD_RESET,
    PASSWORD_RESET_CONFIRM,
    RECOVERY_CODES,
    REFRESH,
    REGISTER,
    REVOKE,
    SESSIONS,
    TOTP,
    TOTP_CONFIRM,
    TOTP_SETUP,
    USERS,
    VERIFY,
    client_for,
    form_fields,
    totp_code,
    turn_on_totp,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "an even longer fresh phrase"
CSRF = "/api/auth/csrf/"


@dataclass(frozen=True)
class Case:
    """One documented answer, and how to make the API give it."""

    name: str
    method: str
    path: str  # as the schema writes it
    status: int
    provoke: Callable  # (world) -> the test client's response
    example: str | None = None  # the example the answer must be

    def __str__(self):
        # A plain id (patch-api-authors-id-400-a-taken-name): mutmut hands ids back to pytest.
        path = self.path.strip("/").replace("/", "-").replace("{", "").replace("}", "")
        return f"{self.method}-{path}-{self.status}-{self.name.replace(' ', '-')}"


def exhaust(send):
    """Send until the budget is spent, the clock stopped so that the wait is a round
    minute; the first 429."""
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(100):
            response = send()
            if response.status_code == 429:
                return response
    raise AssertionError("never throttled")


def locked_out(w):
    """LOCKOUT_FAILURES wrong passwords for the user's name, each from an address of its
    own, the clock stopped so that the wait is the whole window; then the right one."""
    wrong = {"username": w.user.username, "password": "guess"}
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(w.settings.LOCKOUT_FAILURES):
            APIClient(REMOTE_ADDR=f"198.51.100.{n}").post(LOGIN, wrong)
        return w.anonymous.post(LOGIN, {**wrong, "password": PASSWORD})


def twice(send):
    send()
    return send()


def logged_out(w):
    """The user's client, after logging out everywhere: its tokens are refused."""
    w.user_client.post(LOGOUT_ALL)
    return w.user_client


def with_a_taken_name(method: str):
    def provoke(w):
        AuthorFactory(owner=w.user, name="Anna Burns")
        return getattr(w.user_client, method)(f"{AUTHORS}{w.author.pk}/", {**AUTHOR, "name": "anna burns"})

    return provoke


def with_a_revoked_token(method: str, path: str):
    some_id = str(uuid.uuid4()) if path.startswith(SESSIONS) else "1"
    return lambda w: getattr(logged_out(w), method)(path.replace("{id}", some_id))


def without_a_database(w):
    def refuse():
        raise OperationalError("connection refused")

    w.monkeypatch.setattr(connection, "cursor", refuse)
    return w.anonymous.get(HEALTH)


def probed_by_address(path: str):
    def provoke(w):
        w.settings.DEBUG = False  # in production; DEBUG shows Django's page
        return w.anonymous.get(path, HTTP_HOST="10.0.0.7")

    return provoke


def asked_again(w):
    """The key set asked for again with the ETag of the first answer."""
    etag = w.anonymous.get(JWKS)["ETag"]
    return w.anonymous.get(JWKS, HTTP_IF_NONE_MATCH=etag)


def csrf_cookie_only() -> APIClient:
    """A browser holding the csrftoken cookie, that sends no X-CSRFToken header."""
    browser = APIClient(enforce_csrf_checks=True)
    browser.get(CSRF)
    return browser


def cookie_browser(w) -> APIClient:
    """A browser logged in as the user with the cookie transport (it gets Django's CSRF check)."""
    browser = APIClient(enforce_csrf_checks=True)
    csrf = browser.get(CSRF).json()["csrf_token"]
    credentials = {"username": w.user.username, "password": PASSWORD, "transport": "cookie"}
    assert browser.post(LOGIN, credentials, HTTP_X_CSRFTOKEN=csrf).status_code == 200
    return browser


def mandatory(w):
    """EMAIL_VERIFICATION=mandatory, and the user's address not confirmed."""
    w.settings.EMAIL_VERIFICATION = "mandatory"
    w.user.email_verified_at = None
    w.user.save(update_fields=["email_verified_at"])
    return w


def with_events(w):
    """A failed login naming the user, and a logout of theirs."""
    w.anonymous.post(LOGIN, {"username": w.user.email, "password": "guess"})
    w.user_client.post(LOGOUT)
    w.user_client = client_for(w.user)
    return w


def with_totp(w):
    """The user's second factor on; its secret and recovery codes on `w`."""
    w.secret, w.recovery_codes = turn_on_totp(w.user)
    return w


def mfa_token(w) -> str:
    """The token of the second step of the user's login, their second factor on."""
    login = with_totp(w).anonymous.post(LOGIN, {"username": w.user.username, "password": PASSWORD})
    return login.json()["mfa_token"]


def setup_pending(w):
    """A pending secret (set up, not confirmed) for the user; the secret on `w`."""
    w.secret = w.user_client.post(TOTP_SETUP, {"password": PASSWORD}).json()["secret"]
    return w


def reset_link(w) -> dict:
    w.user.refresh_from_db()  # the token covers last_login, which logging in just moved
    return {
        "uid": tokens.reset_uid(w.user),
        "token": tokens.make_reset_token(w.user),
        "new_password": NEW_PASSWORD,
    }


HEALTH = "/api/health/"
SESSION, USER, AUTHOR_ID = SESSIONS + "{id}/", USERS + "{id}/", AUTHORS + "{id}/"
CREDENTIALS = {"username": "ada", "email": "ada@example.com", "password": "a long unguessable phrase"}
AUTHOR = {"name": "Anna Burns", "book": "Milkman", "country": "United Kingdom", "booker_prize": True}
WRONG_CHANGE = {"old_password": "guess", "new_password": NEW_PASSWORD}
NOT_A_CODE = "not-a-code"  # neither a TOTP code nor a recovery code, at any time
BOTH_WRONG = {"password": "guess", "code": NOT_A_CODE}

# One row a documented answer: what, where, which status, how, and the example it must be.
# fmt: off
CASES = [
    # --- auth
    Case("register", "post", REGISTER, 201, lambda w: w.anonymous.post(REGISTER, CREDENTIALS)),
    Case("a taken username", "post", REGISTER, 400, lambda w: w.anonymous.post(REGISTER, {**CREDENTIALS, "username": w.user.username.upper()}), "Username"),
    Case("too often", "post", REGISTER, 429, lambda w: exhaust(lambda: w.anonymous.post(REGISTER, {})), "Throttled"),
    Case("mandatory verification", "post", REGISTER, 202, lambda w: mandatory(w).anonymous.post(REGISTER, CREDENTIALS)),
    Case("an unconfirmed address", "post", LOGIN, 403, lambda w: mandatory(w).anonymous.post(LOGIN, {"username": w.user.username, "password": PASSWORD}), "EmailNotVerified"),
    Case("by email", "post", LOGIN, 200, lambda w: w.anonymous.post(LOGIN, {"username": w.user.email, "password": PASSWORD})),
    Case("no password", "post", LOGIN, 400, lambda w: w.anonymous.post(LOGIN, {"username": w.user.username}), "Password"),
    Case("a wrong password", "post", LOGIN, 401, lambda w: w.anonymous.post(LOGIN, {"username": w.user.username, "password": "guess"}), "InvalidCredentials"),
    Case("too often", "post", LOGIN, 429, lambda w: exhaust(lambda: w.anonymous.post(LOGIN, {"username": "nobody", "password": "guess"})), "Throttled"),
    Case("a locked account", "post", LOGIN, 429, locked_out, "AccountLocked"),
    Case("refresh", "post", REFRESH, 200, lambda w: w.anonymous.post(REFRESH, {"refresh": w.user_client.pair.refresh})),
    Case("no token", "post", REFRESH, 400, lambda w: w.anonymous.post(REFRESH, {}), "Refresh"),
    Case("a rotated token", "post", REFRESH, 401, lambda w: twice(lambda: w.anonymous.post(REFRESH, {"refresh": w.user_client.pair.refresh})), "TokenNotValid"),
    Case("too often", "post", REFRESH, 429, lambda w: exhaust(lambda: w.anonymous.post(REFRESH, {"refresh": "x"})), "Throttled"),
    Case("verify", "post", VERIFY, 200, lambda w: w.anonymous.post(VERIFY, {"token": w.user_client.pair.access}), "Valid"),
    Case("nothing", "post", VERIFY, 400, lambda w: w.anonymous.post(VERIFY, {}), "Token"),
    Case("a revoked token", "post", VERIFY, 401, lambda w: w.anonymous.post(VERIFY, {"token": logged_out(w).pair.access}), "TokenNotValid"),
    Case("a refresh token", "post", REVOKE, 204, lambda w: w.user_client.post(REVOKE, {"token": w.user_client.pair.refresh})),
    Case("a malformed token", "post", REVOKE, 400, lambda w: w.user_client.post(REVOKE, {"token": "not-a-token"}), "Token"),
    Case("someone else's", "post", REVOKE, 403, lambda w: w.user_client.post(REVOKE, {"token": w.staff_client.pair.access}), "PermissionDenied"),
    Case("log out", "post", LOGOUT, 204, lambda w: w.user_client.post(LOGOUT, {"refresh": w.user_client.pair.refresh})),
    Case("a malformed refresh token", "post", LOGOUT, 400, lambda w: w.user_client.post(LOGOUT, {"refresh": "not-a-token"}), "Refresh"),
    Case("someone else's", "post", LOGOUT, 403, lambda w: w.user_client.post(LOGOUT, {"refresh": w.staff_client.pair.refresh}), "PermissionDenied"),
    Case("everywhere", "post", LOGOUT_ALL, 204, lambda w: w.user_client.post(LOGOUT_ALL)),
    Case("ask", "post", PASSWORD_RESET, 202, lambda w: w.anonymous.post(PASSWORD_RESET, {"email": w.user.email})),
    Case("no address", "post", PASSWORD_RESET, 400, lambda w: w.anonymous.post(PASSWORD_RESET, {}), "Email"),
    Case("too often", "post", PASSWORD_RESET, 429, lambda w: exhaust(lambda: w.anonymous.post(PASSWORD_RESET, {})), "Throttled"),
    Case("set", "post", PASSWORD_RESET_CONFIRM, 204, lambda w: w.anonymous.post(PASSWORD_RESET_CONFIRM, reset_link(w))),
    Case("a bad link", "post", PASSWORD_RESET_CONFIRM, 400, lambda w: w.anonymous.post(PASSWORD_RESET_CONFIRM, {**reset_link(w), "token": "nope"}), "Token"),
    Case("confirm", "post", EMAIL_VERIFY, 200, lambda w: w.anonymous.post(EMAIL_VERIFY, {"key": tokens.make_verification_key(w.user, w.user.email)})),
    Case("a tampered key", "post", EMAIL_VERIFY, 400, lambda w: w.anonymous.post(EMAIL_VERIFY, {"key": "not-a-key"}), "Key"),
    Case("ask again", "post", EMAIL_VERIFY_RESEND, 202, lambda w: w.anonymous.post(EMAIL_VERIFY_RESEND, {"email": w.user.email})),
    Case("no address", "post", EMAIL_VERIFY_RESEND, 400, lambda w: w.anonymous.post(EMAIL_VERIFY_RESEND, {}), "Email"),
    Case("too often", "post", EMAIL_VERIFY_RESEND, 429, lambda w: exhaust(lambda: w.anonymous.post(EMAIL_VERIFY_RESEND, {})), "Throttled"),
    Case("second factor on", "post", LOGIN, 202, lambda w: with_totp(w).anonymous.post(LOGIN, {"username": w.user.username, "password": PASSWORD})),
    Case("a right code", "post", LOGIN_CODE, 200, lambda w: w.anonymous.post(LOGIN_CODE, {"mfa_token": mfa_token(w), "code": totp_code(w.secret)})),
    Case("a wrong code", "post", LOGIN_CODE, 400, lambda w: w.anonymous.post(LOGIN_CODE, {"mfa_token": mfa_token(w), "code": NOT_A_CODE}), "Code"),
    Case("an access token", "post", LOGIN_CODE, 400, lambda w: w.anonymous.post(LOGIN_CODE, {"mfa_token": w.user_client.pair.access, "code": "123456"}), "MfaToken"),
    Case("too often", "post", LOGIN_CODE, 429, lambda w: exhaust(lambda: w.anonymous.post(LOGIN_CODE, {})), "Throttled"),
    Case("in cookies", "post", LOGIN, 200, lambda w: w.anonymous.post(LOGIN, {"username": w.user.username, "password": PASSWORD, "transport": "cookie"})),
    Case("from the cookie without the CSRF header", "post", REFRESH, 403, lambda w: cookie_browser(w).post(REFRESH, {}), "CsrfFailed"),
    Case("with cookies without the CSRF header", "post", LOGOUT, 403, lambda w: cookie_browser(w).post(LOGOUT, {}), "CsrfFailed"),
    Case("cookies without the CSRF header", "post", LOGIN, 403, lambda w: csrf_cookie_only().post(LOGIN, {"username": w.user.username, "password": PASSWORD, "transport": "cookie"}), "CsrfFailed"),
    Case("cookies without the CSRF header", "post", LOGIN_CODE, 403, lambda w: csrf_cookie_only().post(LOGIN_CODE, {"mfa_token": mfa_token(w), "code": totp_code(w.secret), "transport": "cookie"}), "CsrfFailed"),
    Case("a token", "get", CSRF, 200, lambda w: w.anonymous.get(CSRF)),
    Case("too often", "get", CSRF, 429, lambda w: exhaust(lambda: w.anonymous.get(CSRF)), "Throttled"),
    Case("set up", "post", TOTP_SETUP, 200, lambda w: w.user_client.post(TOTP_SETUP, {"password": PASSWORD})),
    Case("a wrong password", "post", TOTP_SETUP, 400, lambda w: w.user_client.post(TOTP_SETUP, {"password": "guess"}), "Password"),
    Case("already on", "post", TOTP_SETUP, 400, lambda w: with_totp(w).user_client.post(TOTP_SETUP, {"password": PASSWORD}), "NonFieldErrors"),
    Case("guessing", "post", TOTP_SETUP, 429, lambda w: exhaust(lambda: w.user_client.post(TOTP_SETUP, {"password": "guess"})), "Throttled"),
    Case("turn on", "post", TOTP_CONFIRM, 200, lambda w: w.user_client.post(TOTP_CONFIRM, {"code": totp_code(setup_pending(w).secret)})),
    Case("a wrong code", "post", TOTP_CONFIRM, 400, lambda w: setup_pending(w).user_client.post(TOTP_CONFIRM, {"code": NOT_A_CODE}), "Code"),
    Case("nothing set up", "post", TOTP_CONFIRM, 400, lambda w: w.user_client.post(TOTP_CONFIRM, {"code": "123456"}), "NonFieldErrors"),
    Case("guessing", "post", TOTP_CONFIRM, 429, lambda w: exhaust(lambda: w.user_client.post(TOTP_CONFIRM, {"code": NOT_A_CODE})), "Throttled"),
    Case("turn off", "delete", TOTP, 204, lambda w: with_totp(w).user_client.delete(TOTP, {"password": PASSWORD, "code": w.recovery_codes[0]})),
    Case("a wrong code", "delete", TOTP, 400, lambda w: with_totp(w).user_client.delete(TOTP, {"password": PASSWORD, "code": NOT_A_CODE}), "Code"),
    Case("already off", "delete", TOTP, 400, lambda w: w.user_client.delete(TOTP, {"password": PASSWORD, "code": "123456"}), "NonFieldErrors"),
    Case("guessing", "delete", TOTP, 429, lambda w: exhaust(lambda: w.user_client.delete(TOTP, BOTH_WRONG)), "Throttled"),
    Case("renew", "post", RECOVERY_CODES, 200, lambda w: with_totp(w).user_client.post(RECOVERY_CODES, {"password": PASSWORD, "code": totp_code(w.secret)})),
    Case("a wrong code", "post", RECOVERY_CODES, 400, lambda w: with_totp(w).user_client.post(RECOVERY_CODES, {"password": PASSWORD, "code": NOT_A_CODE}), "Code"),
    Case("second factor off", "post", RECOVERY_CODES, 400, lambda w: w.user_client.post(RECOVERY_CODES, {"password": PASSWORD, "code": "123456"}), "NonFieldErrors"),
    Case("guessing", "post", RECOVERY_CODES, 429, lambda w: exhaust(lambda: w.user_client.post(RECOVERY_CODES, BOTH_WRONG)), "Throttled"),
    Case("the keys", "get", JWKS, 200, lambda w: w.anonymous.get(JWKS)),
    Case("unchanged", "get", JWKS, 304, asked_again),
    Case("fetched by address", "get", JWKS, 400, probed_by_address(JWKS), "BadRequest"),
    Case("list", "get", SESSIONS, 200, lambda w: w.user_client.get(SESSIONS)),
    Case("name one", "patch", SESSION, 200, lambda w: w.user_client.patch(f"{SESSIONS}{w.user_client.pair.session.pk}/", {"name": "Ada's phone"})),
    Case("a control character", "patch", SESSION, 400, lambda w: w.user_client.patch(f"{SESSIONS}{w.user_client.pair.session.pk}/", {"name": "Ada's\nphone"}), "Name"),
    Case("someone else's", "patch", SESSION, 404, lambda w: w.user_client.patch(f"{SESSIONS}{w.staff_client.pair.session.pk}/", {"name": "Mine now"}), "NotFound"),
    Case("end one", "delete", SESSION, 204, lambda w: w.user_client.delete(f"{SESSIONS}{w.user_client.pair.session.pk}/")),
    Case("someone else's", "delete", SESSION, 404, lambda w: w.user_client.delete(f"{SESSIONS}{w.staff_client.pair.session.pk}/"), "NotFound"),
    Case("filtered", "get", EVENTS, 200, lambda w: with_events(w).user_client.get(f"{EVENTS}?type=login_failed&type=logout&created_after=2026-01-01T00:00:00Z")),
    Case("as staff, by user", "get", EVENTS, 200, lambda w: with_events(w).staff_client.get(EVENTS, {"user": w.user.username})),
    Case("an unknown type", "get", EVENTS, 400, lambda w: w.user_client.get(EVENTS, {"type": "bogus"}), "Type"),
    Case("not a time", "get", EVENTS, 400, lambda w: w.user_client.get(EVENTS, {"created_after": "yesterday"}), "CreatedAfter"),
    Case("a user, not staff", "get", EVENTS, 400, lambda w: w.user_client.get(EVENTS, {"user": w.staff.username}), "User"),
    # --- accounts
    Case("read", "get", ME, 200, lambda w: w.user_client.get(ME)),
    Case("a new name", "patch", ME, 200, lambda w: w.user_client.patch(ME, {"first_name": "Ada", "last_name": "King"})),
    Case("someone else's email", "patch", ME, 400, lambda w: w.user_client.patch(ME, {"email": w.staff.email}), "Email"),
    Case("a new email without a code", "patch", ME, 400, lambda w: with_totp(w).user_client.patch(ME, {"email": "new@example.com", "password": PASSWORD}), "Code"),
    Case("guessing", "patch", ME, 429, lambda w: exhaust(lambda: w.user_client.patch(ME, {"email": "new@example.com", "password": "guess"})), "Throttled"),
    Case("a wrong code", "delete", ME, 400, lambda w: with_totp(w).user_client.delete(ME, {"password": PASSWORD, "code": NOT_A_CODE}), "Code"),
    Case("a wrong code", "post", PASSWORD_CHANGE, 400, lambda w: with_totp(w).user_client.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "code": NOT_A_CODE}), "Code"),
    Case("delete", "delete", ME, 204, lambda w: w.user_client.delete(ME, {"password": PASSWORD})),
    Case("a wrong password", "delete", ME, 400, lambda w: w.user_client.delete(ME, {"password": "guess"}), "Password"),
    Case("guessing", "delete", ME, 429, lambda w: exhaust(lambda: w.user_client.delete(ME, {"password": "guess"})), "Throttled"),
    Case("change", "post", PASSWORD_CHANGE, 200, lambda w: w.user_client.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})),
    Case("a wrong password", "post", PASSWORD_CHANGE, 400, lambda w: w.user_client.post(PASSWORD_CHANGE, WRONG_CHANGE), "OldPassword"),
    Case("guessing", "post", PASSWORD_CHANGE, 429, lambda w: exhaust(lambda: w.user_client.post(PASSWORD_CHANGE, WRONG_CHANGE)), "Throttled"),
    Case("as a user", "get", USERS, 200, lambda w: w.user_client.get(USERS)),
    Case("as staff", "get", USERS, 200, lambda w: w.staff_client.get(USERS)),
    Case("as a user", "get", USER, 200, lambda w: w.user_client.get(f"{USERS}{w.staff.pk}/")),
    Case("as staff", "get", USER, 200, lambda w: w.staff_client.get(f"{USERS}{w.user.pk}/")),
    Case("nobody", "get", USER, 404, lambda w: w.user_client.get(f"{USERS}999999/"), "NotFound"),
    Case("deactivate", "patch", USER, 200, lambda w: w.staff_client.patch(f"{USERS}{w.user.pk}/", {"is_active": False})),
    Case("deactivate yourself", "patch", USER, 400, lambda w: w.staff_client.patch(f"{USERS}{w.staff.pk}/", {"is_active": False}), "NonFieldErrors"),
    Case("not staff", "patch", USER, 403, lambda w: w.user_client.patch(f"{USERS}{w.staff.pk}/", {"is_active": False}), "PermissionDenied"),
    Case("nobody", "patch", USER, 404, lambda w: w.staff_client.patch(f"{USERS}999999/", {"is_active": False}), "NotFound"),
    Case("delete", "delete", USER, 204, lambda w: w.staff_client.delete(f"{USERS}{w.user.pk}/")),
    Case("delete yourself", "delete", USER, 400, lambda w: w.staff_client.delete(f"{USERS}{w.staff.pk}/"), "NonFieldErrors"),
    Case("not staff", "delete", USER, 403, lambda w: w.user_client.delete(f"{USERS}{w.staff.pk}/"), "PermissionDenied"),
    Case("nobody", "delete", USER, 404, lambda w: w.staff_client.delete(f"{USERS}999999/"), "NotFound"),
    # --- authors
    Case("filtered searched ordered", "get", AUTHORS, 200, lambda w: w.user_client.get(AUTHORS, {"booker_prize": "true", "search": "sally", "ordering": "-name"})),
    Case("a boolean that is not", "get", AUTHORS, 400, lambda w: w.user_client.get(AUTHORS, {"booker_prize": "maybe"}), "BookerPrize"),
    Case("an unknown order", "get", AUTHORS, 400, lambda w: w.user_client.get(AUTHORS, {"ordering": "bogus"}), "Ordering"),
    Case("add", "post", AUTHORS, 201, lambda w: w.user_client.post(AUTHORS, AUTHOR)),
    Case("add twice", "post", AUTHORS, 400, lambda w: twice(lambda: w.user_client.post(AUTHORS, AUTHOR)), "Name"),
    Case("the winners", "delete", AUTHORS, 200, lambda w: w.user_client.delete(f"{AUTHORS}?booker_prize=true")),
    Case("nothing named", "delete", AUTHORS, 400, lambda w: w.user_client.delete(AUTHORS), "NonFieldErrors"),
    Case("a typo", "delete", AUTHORS, 400, lambda w: w.user_client.delete(f"{AUTHORS}?contry=Peru"), "Contry"),
    Case("read", "get", AUTHOR_ID, 200, lambda w: w.user_client.get(f"{AUTHORS}{w.author.pk}/")),
    Case("replace", "put", AUTHOR_ID, 200, lambda w: w.user_client.put(f"{AUTHORS}{w.author.pk}/", AUTHOR)),
    Case("change", "patch", AUTHOR_ID, 200, lambda w: w.user_client.patch(f"{AUTHORS}{w.author.pk}/", {"booker_prize": False})),
    Case("delete", "delete", AUTHOR_ID, 204, lambda w: w.user_client.delete(f"{AUTHORS}{w.author.pk}/")),
    Case("a taken name", "put", AUTHOR_ID, 400, with_a_taken_name("put"), "Name"),
    Case("a taken name", "patch", AUTHOR_ID, 400, with_a_taken_name("patch"), "Name"),
    # --- health
    Case("up", "get", HEALTH, 200, lambda w: w.anonymous.get(HEALTH), "Healthy"),
    Case("probed by address", "get", HEALTH, 400, probed_by_address(HEALTH), "BadRequest"),
    Case("no database", "get", HEALTH, 503, without_a_database, "Down"),
]
# fmt: on

# What every operation that needs a login answers to a revoked token, what each list
# answers past its last page, and what an author id answers when it is someone else's.
WITH_LOGIN = [
    *[("post", path) for path in (REVOKE, LOGOUT, LOGOUT_ALL, PASSWORD_CHANGE, AUTHORS)],
    *[("post", path) for path in (TOTP_SETUP, TOTP_CONFIRM, RECOVERY_CODES)],
    *[("get", path) for path in (SESSIONS, EVENTS, ME, USERS, USER, AUTHORS, AUTHOR_ID)],
    *[("patch", path) for path in (SESSION, ME, USER, AUTHOR_ID)],
    *[("delete", path) for path in (SESSION, ME, USER, AUTHORS, AUTHOR_ID, TOTP)],
    ("put", AUTHOR_ID),
]
CASES += [
    Case("a revoked token", method, path, 401, with_a_revoked_token(method, path), "TokenNotValid")
    for method, path in WITH_LOGIN
]
CASES += [
    Case(
        "past the last page",
        "get",
        path,
        404,
        lambda w, path=path: w.user_client.get(path, {"page": 9}),
        "NotFound",
    )
    for path in (SESSIONS, EVENTS, USERS, AUTHORS)
]
CASES += [
    Case(
        "someone else's",
        method,
        AUTHOR_ID,
        404,
        lambda w, method=method: getattr(w.user_client, method)(f"{AUTHORS}{AuthorFactory().pk}/", AUTHOR),
        "NotFound",
    )
    for method in ("get", "put", "patch", "delete")
]


# --- the checks ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict:
    # Made as `make schema` makes it; the server is whatever answered the request.
    return {**SchemaGenerator().get_schema(request=None, public=True), "servers": [{"url": "/"}]}


@pytest.fixture(scope="module")
def openapi(schema) -> OpenAPI:
    return OpenAPI.from_dict(json.loads(json.dumps(schema)))


@pytest.fixture
def w(user, user_client, staff, staff_client, api_client, settings, monkeypatch):
    """The world a case acts in: a user and a staff member logged in, and an author."""
    return SimpleNamespace(
        user=user,
        user_client=user_client,
        staff=staff,
        staff_client=staff_client,
        anonymous=api_client,
        author=AuthorFactory(owner=user, name="Sally Rooney", booker_prize=True),
        settings=settings,
        monkeypatch=monkeypatch,
    )


class SentRequest:
    """The request the test client sent, as openapi-core reads one: the path is found
    from the schema's paths, never from Django's URL patterns."""

    def __init__(self, request):
        host = request.META.get("HTTP_HOST") or request.META["SERVER_NAME"]
        self.host_url = f"{request.scheme}://{host}"  # even one Django refused
        self.path = request.path
        self.method = request.method.lower()
        self.body = request.body or None
        self.content_type = request.META.get("CONTENT_TYPE", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(
                [(name, value) for name in request.GET for value in request.GET.getlist(name)]
            ),
            header=Headers(request.headers.items()),
            cookie=ImmutableMultiDict(request.COOKIES),
        )


def documented_answers(schema) -> set[tuple[str, str, int]]:
    return {
        (method, path, int(status))
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for status in operation["responses"]
    }


def error_examples(schema) -> set[tuple[str, str, int, str]]:
    return {
        (method, path, int(status), name)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for status, answer in operation["responses"].items()
        if int(status) >= 400
        for name in answer.get("content", {}).get("application/json", {}).get("examples", {})
    }


def test_every_documented_answer_has_a_case(schema):
    provoked = {(case.method, case.path, case.status) for case in CASES}

    assert documented_answers(schema) - provoked == set()
    assert provoked - documented_answers(schema) == set()


def test_every_error_example_has_a_case(schema):
    provoked = {(case.method, case.path, case.status, case.example) for case in CASES}

    assert error_examples(schema) - provoked == set()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_real_answer_is_the_documented_one(case, w, schema, openapi):
    response = case.provoke(w)

    assert response.status_code == case.status, response.content.decode()[:500]
    request = SentRequest(response.wsgi_request)
    operation = schema["paths"][case.path][case.method]
    openapi.validate_response(request, DjangoOpenAPIResponse(response))
    if case.status < 300:
        openapi.validate_request(request)
        assert request.body is None or "requestBody" in operation, "a body the schema does not mention"
    if case.example:
        example = operation["responses"][str(case.status)]["content"]["application/json"]["examples"]
        assert response.json() == example[case.example]["value"]


@pytest.mark.parametrize("role, shape", [("user", "PublicUser"), ("staff", "StaffUser")])
def test_a_user_answer_matches_one_shape_only(role, shape, user_client, staff_client, staff, schema):
    # Two shapes that both match an answer: strict validators refuse it, and a generated
    # client parses a staff answer as whichever it tries first.
    client = {"user": user_client, "staff": staff_client}[role]
    answer = client.get(f"{USERS}{staff.pk}/").json()

    def matches(name: str) -> bool:
        component = {"allOf": [{"$ref": f"#/components/schemas/{name}"}], "components": schema["components"]}
        return OAS30ReadValidator(component).is_valid(answer)

    assert [name for name in ("PublicUser", "StaffUser") if matches(name)] == [shape]


def test_the_served_schema_names_the_host_that_served_it(api_client):
    response = api_client.get("/api/schema/?format=json", HTTP_HOST="127.0.0.1:8123")

    assert response.json()["servers"] == [{"url": "http://127.0.0.1:8123"}]


def test_the_bearer_scheme_comes_first_and_says_how(api_client):
    schemes = api_client.get("/api/schema/?format=json").json()["components"]["securitySchemes"]

    assert list(schemes) == ["jwtAuth", "cookieAuth", "jwtCookieAuth"]
    assert "Authorization: Bearer" in schemes["jwtAuth"]["description"]


def test_request_bodies_are_documented_as_json_only(schema):
    media_types = {
        media_type
        for item in schema["paths"].values()
        for operation in item.values()
        for media_type in operation.get("requestBody", {}).get("content", {})
    }

    assert media_types == {"application/json"}


def test_the_browsable_api_still_takes_its_html_form(user):
    browser = Client()
    browser.force_login(user)
    form = form_fields(browser.get(AUTHORS, HTTP_ACCEPT="text/html").content.decode())
    form |= {"name": ["Bernardine Evaristo"], "book": ["Girl, Woman, Other"], "country": ["United Kingdom"]}

    response = browser.post(AUTHORS, form, HTTP_ACCEPT="text/html")  # multipart, as the browser sends it

    assert response.status_code == 201
    assert user.authors.get().name == "Bernardine Evaristo"
