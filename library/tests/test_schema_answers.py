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
from werkzeug.datastructures import Headers, ImmutableMultiDict

from accounts.tests.factories import PASSWORD
from authors.tests.factories import AuthorFactory
from library.tests.helpers import (
    AUTHORS,
    LOGIN,
    LOGOUT,
    LOGOUT_ALL,
    ME,
    PASSWORD_CHANGE,
    REFRESH,
    REGISTER,
    REVOKE,
    SESSIONS,
    USERS,
    VERIFY,
    form_fields,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "an even longer fresh phrase"


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    status: int
    example: str | None
    provoke: Callable

    def __str__(self):
        return f"{self.method.upper()} {self.path} {self.status} {self.provoke.__name__}"


CASES: list[Case] = []


def answers(method: str, path: str, status: int, example: str | None = None):
    """Register the decorated function as the way to make `method path` answer `status`
    (and, if named, the answer its example shows)."""

    def register(provoke):
        CASES.append(Case(method, path, status, example, provoke))
        return provoke

    return register


def exhaust(send) -> object:
    """Send until the budget is spent, the clock stopped so the wait is a round minute;
    the first 429."""
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(100):
            response = send()
            if response.status_code == 429:
                return response
    raise AssertionError("never throttled")


# --- auth ----------------------------------------------------------------------------------

CREDENTIALS = {"username": "ada", "email": "ada@example.com", "password": "a long unguessable phrase"}


@answers("post", REGISTER, 201)
def register(w):
    return w.anonymous.post(REGISTER, CREDENTIALS)


@answers("post", REGISTER, 400, "Username")
def register_a_taken_username(w):
    return w.anonymous.post(REGISTER, {**CREDENTIALS, "username": w.user.username.upper()})


@answers("post", REGISTER, 429, "Throttled")
def register_too_often(w):
    return exhaust(lambda: w.anonymous.post(REGISTER, {}))


@answers("post", LOGIN, 200)
def log_in_by_email(w):
    return w.anonymous.post(LOGIN, {"username": w.user.email, "password": PASSWORD})


@answers("post", LOGIN, 400, "Password")
def log_in_without_a_password(w):
    return w.anonymous.post(LOGIN, {"username": w.user.username})


@answers("post", LOGIN, 401, "InvalidCredentials")
def log_in_with_a_wrong_password(w):
    return w.anonymous.post(LOGIN, {"username": w.user.username, "password": "guess"})


@answers("post", LOGIN, 429, "Throttled")
def log_in_too_often(w):
    return exhaust(lambda: w.anonymous.post(LOGIN, {"username": "nobody", "password": "guess"}))


@answers("post", REFRESH, 200)
def refresh(w):
    return w.anonymous.post(REFRESH, {"refresh": w.user_client.pair.refresh})


@answers("post", REFRESH, 400, "Refresh")
def refresh_without_a_token(w):
    return w.anonymous.post(REFRESH, {})


@answers("post", REFRESH, 401, "TokenNotValid")
def refresh_with_a_rotated_token(w):
    w.anonymous.post(REFRESH, {"refresh": w.user_client.pair.refresh})
    return w.anonymous.post(REFRESH, {"refresh": w.user_client.pair.refresh})


@answers("post", REFRESH, 429, "Throttled")
def refresh_too_often(w):
    return exhaust(lambda: w.anonymous.post(REFRESH, {"refresh": "x"}))


@answers("post", VERIFY, 200, "Valid")
def verify(w):
    return w.anonymous.post(VERIFY, {"token": w.user_client.pair.access})


@answers("post", VERIFY, 400, "Token")
def verify_nothing(w):
    return w.anonymous.post(VERIFY, {})


@answers("post", VERIFY, 401, "TokenNotValid")
def verify_a_revoked_token(w):
    w.user_client.post(LOGOUT_ALL)
    return w.anonymous.post(VERIFY, {"token": w.user_client.pair.access})


@answers("post", REVOKE, 204)
def revoke_a_refresh_token(w):
    return w.user_client.post(REVOKE, {"token": w.user_client.pair.refresh})


@answers("post", REVOKE, 400, "Token")
def revoke_a_malformed_token(w):
    return w.user_client.post(REVOKE, {"token": "not-a-token"})


@answers("post", REVOKE, 403, "PermissionDenied")
def revoke_someone_elses_token(w):
    return w.user_client.post(REVOKE, {"token": w.staff_client.pair.access})


@answers("post", LOGOUT, 204)
def log_out(w):
    return w.user_client.post(LOGOUT, {"refresh": w.user_client.pair.refresh})


@answers("post", LOGOUT, 400, "Refresh")
def log_out_with_a_malformed_refresh_token(w):
    return w.user_client.post(LOGOUT, {"refresh": "not-a-token"})


@answers("post", LOGOUT, 403, "PermissionDenied")
def log_out_with_someone_elses_refresh_token(w):
    return w.user_client.post(LOGOUT, {"refresh": w.staff_client.pair.refresh})


@answers("post", LOGOUT_ALL, 204)
def log_out_everywhere(w):
    return w.user_client.post(LOGOUT_ALL)


@answers("get", SESSIONS, 200)
def list_sessions(w):
    return w.user_client.get(SESSIONS)


@answers("delete", SESSIONS + "{id}/", 204)
def end_a_session(w):
    return w.user_client.delete(f"{SESSIONS}{w.user_client.pair.session.pk}/")


@answers("delete", SESSIONS + "{id}/", 404, "NotFound")
def end_someone_elses_session(w):
    return w.user_client.delete(f"{SESSIONS}{w.staff_client.pair.session.pk}/")


# --- accounts ------------------------------------------------------------------------------


@answers("get", ME, 200)
def read_my_account(w):
    return w.user_client.get(ME)


@answers("patch", ME, 200)
def change_my_name(w):
    return w.user_client.patch(ME, {"first_name": "Ada", "last_name": "King"})


@answers("patch", ME, 400, "Email")
def take_someone_elses_email(w):
    return w.user_client.patch(ME, {"email": w.staff.email})


@answers("delete", ME, 204)
def delete_my_account(w):
    return w.user_client.delete(ME, {"password": PASSWORD})


@answers("delete", ME, 400, "Password")
def delete_my_account_with_a_wrong_password(w):
    return w.user_client.delete(ME, {"password": "guess"})


@answers("delete", ME, 429, "Throttled")
def guess_my_password_by_deleting(w):
    return exhaust(lambda: w.user_client.delete(ME, {"password": "guess"}))


@answers("post", PASSWORD_CHANGE, 200)
def change_my_password(w):
    return w.user_client.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})


@answers("post", PASSWORD_CHANGE, 400, "OldPassword")
def change_my_password_with_a_wrong_one(w):
    return w.user_client.post(PASSWORD_CHANGE, {"old_password": "guess", "new_password": NEW_PASSWORD})


@answers("post", PASSWORD_CHANGE, 429, "Throttled")
def guess_my_password_by_changing_it(w):
    return exhaust(
        lambda: w.user_client.post(PASSWORD_CHANGE, {"old_password": "guess", "new_password": NEW_PASSWORD})
    )


@answers("get", USERS, 200)
def list_users_as_a_user(w):
    return w.user_client.get(USERS)


@answers("get", USERS, 200)
def list_users_as_staff(w):
    return w.staff_client.get(USERS)


@answers("get", USERS + "{id}/", 200)
def read_a_user_as_a_user(w):
    return w.user_client.get(f"{USERS}{w.staff.pk}/")


@answers("get", USERS + "{id}/", 200)
def read_a_user_as_staff(w):
    return w.staff_client.get(f"{USERS}{w.user.pk}/")


@answers("get", USERS + "{id}/", 404, "NotFound")
def read_a_user_who_is_not_there(w):
    return w.user_client.get(f"{USERS}999999/")


@answers("patch", USERS + "{id}/", 200)
def deactivate_a_user(w):
    return w.staff_client.patch(f"{USERS}{w.user.pk}/", {"is_active": False})


@answers("patch", USERS + "{id}/", 400, "NonFieldErrors")
def deactivate_myself(w):
    return w.staff_client.patch(f"{USERS}{w.staff.pk}/", {"is_active": False})


@answers("patch", USERS + "{id}/", 403, "PermissionDenied")
def deactivate_a_user_without_being_staff(w):
    return w.user_client.patch(f"{USERS}{w.staff.pk}/", {"is_active": False})


@answers("patch", USERS + "{id}/", 404, "NotFound")
def deactivate_a_user_who_is_not_there(w):
    return w.staff_client.patch(f"{USERS}999999/", {"is_active": False})


@answers("delete", USERS + "{id}/", 204)
def delete_a_user(w):
    return w.staff_client.delete(f"{USERS}{w.user.pk}/")


@answers("delete", USERS + "{id}/", 400, "NonFieldErrors")
def delete_myself_as_staff(w):
    return w.staff_client.delete(f"{USERS}{w.staff.pk}/")


@answers("delete", USERS + "{id}/", 403, "PermissionDenied")
def delete_a_user_without_being_staff(w):
    return w.user_client.delete(f"{USERS}{w.staff.pk}/")


@answers("delete", USERS + "{id}/", 404, "NotFound")
def delete_a_user_who_is_not_there(w):
    return w.staff_client.delete(f"{USERS}999999/")


# --- authors -------------------------------------------------------------------------------

AUTHOR = {"name": "Anna Burns", "book": "Milkman", "country": "United Kingdom", "booker_prize": True}


@answers("get", AUTHORS, 200)
def list_authors_filtered_searched_and_ordered(w):
    AuthorFactory.create_batch(3, owner=w.user, booker_prize=True)
    return w.user_client.get(AUTHORS, {"booker_prize": "true", "search": "author", "ordering": "-name"})


@answers("get", AUTHORS, 400, "BookerPrize")
def list_authors_by_a_boolean_that_is_not(w):
    return w.user_client.get(AUTHORS, {"booker_prize": "maybe"})


@answers("get", AUTHORS, 400, "Ordering")
def list_authors_in_an_unknown_order(w):
    return w.user_client.get(AUTHORS, {"ordering": "bogus"})


@answers("post", AUTHORS, 201)
def add_an_author(w):
    return w.user_client.post(AUTHORS, AUTHOR)


@answers("post", AUTHORS, 400, "Name")
def add_an_author_twice(w):
    w.user_client.post(AUTHORS, AUTHOR)
    return w.user_client.post(AUTHORS, {**AUTHOR, "name": "ANNA BURNS"})


@answers("delete", AUTHORS, 200)
def delete_the_winners(w):
    AuthorFactory.create_batch(2, owner=w.user, booker_prize=True)
    return w.user_client.delete(f"{AUTHORS}?booker_prize=true")


@answers("delete", AUTHORS, 400, "NonFieldErrors")
def delete_without_saying_what(w):
    return w.user_client.delete(AUTHORS)


@answers("delete", AUTHORS, 400, "Contry")
def delete_with_a_typo(w):
    return w.user_client.delete(f"{AUTHORS}?contry=Peru")


@answers("get", AUTHORS + "{id}/", 200)
def read_an_author(w):
    return w.user_client.get(f"{AUTHORS}{w.author.pk}/")


@answers("put", AUTHORS + "{id}/", 200)
def replace_an_author(w):
    return w.user_client.put(f"{AUTHORS}{w.author.pk}/", AUTHOR)


@answers("patch", AUTHORS + "{id}/", 200)
def change_an_author(w):
    return w.user_client.patch(f"{AUTHORS}{w.author.pk}/", {"booker_prize": True})


@answers("delete", AUTHORS + "{id}/", 204)
def delete_an_author(w):
    return w.user_client.delete(f"{AUTHORS}{w.author.pk}/")


def rename_to_a_taken_name(method):
    def provoke(w):
        AuthorFactory(owner=w.user, name="Anna Burns")
        return getattr(w.user_client, method)(f"{AUTHORS}{w.author.pk}/", {**AUTHOR, "name": "anna burns"})

    provoke.__name__ = f"{method}_an_author_to_a_taken_name"
    return provoke


for method in ("put", "patch"):
    answers(method, AUTHORS + "{id}/", 400, "Name")(rename_to_a_taken_name(method))


def someone_elses_author(method):
    def provoke(w):
        return getattr(w.user_client, method)(f"{AUTHORS}{AuthorFactory().pk}/", AUTHOR)

    provoke.__name__ = f"{method}_someone_elses_author"
    return provoke


for method in ("get", "put", "patch", "delete"):
    answers(method, AUTHORS + "{id}/", 404, "NotFound")(someone_elses_author(method))


# --- health --------------------------------------------------------------------------------


@answers("get", "/api/health/", 200, "Healthy")
def health(w):
    return w.anonymous.get("/api/health/")


@answers("get", "/api/health/", 400, "BadRequest")
def health_probed_by_address(w):
    w.settings.DEBUG = False
    return w.anonymous.get("/api/health/", HTTP_HOST="10.0.0.7")


@answers("get", "/api/health/", 503, "Down")
def health_without_a_database(w):
    def refuse():
        raise OperationalError("connection refused")

    w.monkeypatch.setattr(connection, "cursor", refuse)
    return w.anonymous.get("/api/health/")


# --- what every operation that needs a login answers ---------------------------------------

WITH_LOGIN = [
    ("post", REVOKE),
    ("post", LOGOUT),
    ("post", LOGOUT_ALL),
    ("get", SESSIONS),
    ("delete", SESSIONS + "{id}/"),
    ("get", ME),
    ("patch", ME),
    ("delete", ME),
    ("post", PASSWORD_CHANGE),
    ("get", USERS),
    ("get", USERS + "{id}/"),
    ("patch", USERS + "{id}/"),
    ("delete", USERS + "{id}/"),
    ("get", AUTHORS),
    ("post", AUTHORS),
    ("delete", AUTHORS),
    ("get", AUTHORS + "{id}/"),
    ("put", AUTHORS + "{id}/"),
    ("patch", AUTHORS + "{id}/"),
    ("delete", AUTHORS + "{id}/"),
]


def with_a_revoked_token(method, path):
    some_id = str(uuid.uuid4()) if path.startswith(SESSIONS) else "1"

    def provoke(w):
        w.user_client.post(LOGOUT_ALL)
        return getattr(w.user_client, method)(path.replace("{id}", some_id))

    provoke.__name__ = "with_a_revoked_token"
    return provoke


def past_the_last_page(path):
    def provoke(w):
        return w.user_client.get(path, {"page": 9})

    provoke.__name__ = "past_the_last_page"
    return provoke


for method, path in WITH_LOGIN:
    answers(method, path, 401, "TokenNotValid")(with_a_revoked_token(method, path))
for path in (SESSIONS, USERS, AUTHORS):
    answers("get", path, 404, "NotFound")(past_the_last_page(path))


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
        author=AuthorFactory(owner=user, name="Sally Rooney"),
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

    assert list(schemes) == ["jwtAuth", "cookieAuth"]
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
