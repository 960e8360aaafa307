"""What holds across the API: error shape, health, docs, throttling, settings."""

import json
import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import LoginSession
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import BASE_DIR, LOGIN, REFRESH

pytestmark = pytest.mark.django_db


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/nope/", "/api/authors/1/extra/", "/api/authors", "/api/x"])
def test_unknown_api_paths_answer_json_404(api_client, method, path):
    response = getattr(api_client, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unknown_api_paths_answer_json_404_even_with_a_session_cookie(user, method):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)

    response = getattr(browser, method)("/api/authors/0.5/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_csrf_failures_under_api_answer_json(user):
    from django.test import RequestFactory

    from library.views import csrf_failure

    response = csrf_failure(RequestFactory().post("/api/whatever/"), reason="CSRF cookie not set.")

    assert response.status_code == 403
    assert json.loads(response.content) == {
        "detail": "CSRF failed: CSRF cookie not set.",
        "code": "csrf_failed",
    }


def test_unknown_api_paths_answer_json_to_browsers_too(api_client):
    response = api_client.get("/api/nope/", HTTP_ACCEPT="text/html")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.fixture
def failing_client(user_client, settings, monkeypatch):
    """A user's client whose author list raises a ZeroDivisionError, with DEBUG off and
    the 500 answered as in production rather than raised into the test."""
    from authors.views import AuthorViewSet

    settings.DEBUG = False
    monkeypatch.setattr(AuthorViewSet, "list", lambda *a, **k: 1 / 0)
    user_client.raise_request_exception = False
    return user_client


def test_server_errors_under_api_answer_json(failing_client):
    response = failing_client.get("/api/authors/", {"search": "x"})  # a search: the query set's path

    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred.", "code": "server_error"}
    assert "ZeroDivisionError" not in response.content.decode()


def test_a_server_error_is_logged_with_its_own_traceback(failing_client, caplog):
    failing_client.get("/api/authors/")

    [error] = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert error.exc_info[0] is ZeroDivisionError  # the operator sees the fault, not the handler's


def test_bad_host_under_api_answers_json_400(api_client, settings):
    settings.DEBUG = False

    response = api_client.get("/api/health/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_malformed_json_is_400_in_the_usual_shape(user_client):
    response = user_client.generic("POST", "/api/authors/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_method_not_allowed_is_405_json(user_client):
    response = user_client.put("/api/authors/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_database_outage_during_a_request_is_503(user_client, monkeypatch):
    def unreachable():
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", unreachable)

    response = user_client.get("/api/authors/")

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response["Retry-After"] == "5"


def test_a_database_error_while_the_database_answers_is_no_outage(user_client, settings, monkeypatch):
    from authors import selectors

    def too_large(user):
        raise OperationalError("Expression tree is too large (maximum depth 1000)")

    settings.DEBUG = False
    monkeypatch.setattr(selectors, "authors_visible_to", too_large)
    user_client.raise_request_exception = False

    response = user_client.get("/api/authors/", {"search": "x"})  # a search: the query set's path

    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred.", "code": "server_error"}


# --- health and root -----------------------------------------------------------------


def test_health_is_ok_without_auth(api_client):
    response = api_client.get("/api/health/")

    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


def test_health_is_503_when_the_database_is_unreachable(api_client, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = api_client.get("/api/health/")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_site_root_redirects_to_the_api(api_client):
    response = api_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/api/"


def test_api_root_lists_the_endpoints(api_client):
    response = api_client.get("/api/")

    assert response.status_code == 200
    assert {"authors", "register", "token", "sessions", "me", "users", "docs"} <= set(response.json())


def test_browser_login_page_and_admin_are_served(api_client):
    assert api_client.get("/api-auth/login/").status_code == 200
    assert api_client.get("/admin/login/").status_code == 200


# --- schema and docs -----------------------------------------------------------------


def test_schema_is_valid_and_has_no_warnings():
    out = StringIO()

    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)

    assert '"openapi"' in out.getvalue()


def test_schema_matches_the_committed_copy():
    """docs/openapi.yaml is what client developers diff between releases; a change to the
    schema is deliberate. Regenerate: `make schema`."""
    out = StringIO()

    call_command("spectacular", "--format", "openapi", stdout=out)

    assert out.getvalue() == (BASE_DIR / "docs" / "openapi.yaml").read_text()


def test_schema_describes_every_endpoint_with_real_bodies(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]

    expected = {
        "/api/auth/register/": {"post"},
        "/api/auth/token/": {"post"},
        "/api/auth/token/refresh/": {"post"},
        "/api/auth/token/verify/": {"post"},
        "/api/auth/token/revoke/": {"post"},
        "/api/auth/logout/": {"post"},
        "/api/auth/logout-all/": {"post"},
        "/api/auth/sessions/": {"get"},
        "/api/auth/sessions/{id}/": {"delete"},
        "/api/accounts/me/": {"get", "patch", "delete"},
        "/api/accounts/me/password/": {"post"},
        "/api/accounts/users/": {"get"},
        "/api/accounts/users/{id}/": {"get", "patch", "delete"},
        "/api/authors/": {"get", "post", "delete"},
        "/api/authors/{id}/": {"get", "put", "patch", "delete"},
        "/api/health/": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    login = paths["/api/auth/token/"]["post"]
    assert {"200", "400", "401", "429"} <= set(login["responses"])
    assert login["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/LoginRequest")
    assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"
    list_params = {p["name"] for p in paths["/api/authors/"]["get"]["parameters"]}
    assert {"country", "booker_prize", "search", "ordering", "page", "page_size", "owner"} <= list_params


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_assets_from_this_server(api_client, path):
    response = api_client.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html and "unpkg" not in html


# --- throttling ----------------------------------------------------------------------


def test_login_storm_from_one_address_is_throttled_without_writes(settings):
    user = UserFactory()
    attacker, legitimate = APIClient(REMOTE_ADDR="203.0.113.9"), APIClient(REMOTE_ADDR="198.51.100.4")
    limit = int(settings.THROTTLE_RATES["login"].split("/")[0])
    settings.LOCKOUT_FAILURES = limit + 1  # the account's own limit is accounts/tests/test_lockout.py's
    for _ in range(limit):
        attacker.post("/api/auth/token/", {"username": user.username, "password": "guess"})

    blocked = attacker.post("/api/auth/token/", {"username": user.username, "password": PASSWORD})

    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    assert int(blocked["Retry-After"]) > 0
    assert not LoginSession.objects.exists()  # the right password, but nothing was written
    assert (
        legitimate.post("/api/auth/token/", {"username": user.username, "password": PASSWORD}).status_code
        == 200
    )


def test_spoofed_forwarded_for_does_not_escape_the_throttle(settings):
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    limit = int(settings.THROTTLE_RATES["register"].split("/")[0])
    answers = [
        client.post("/api/auth/register/", {}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(limit + 1)
    ]

    assert answers == [400] * limit + [429]


def test_refresh_is_throttled(settings):
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    limit = int(settings.THROTTLE_RATES["refresh"].split("/")[0])

    answers = [
        client.post("/api/auth/token/refresh/", {"refresh": "x"}).status_code for _ in range(limit + 1)
    ]

    assert answers[-1] == 429 and set(answers[:-1]) == {401}


# --- settings ------------------------------------------------------------------------


def test_every_operation_is_documented_with_examples(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    gaps = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            if not (operation.get("summary") and operation.get("description")):
                gaps.append(f"{where}: summary or description")
            if not set(operation["tags"]) <= {"auth", "accounts", "authors", "health"}:
                gaps.append(f"{where}: tags {operation['tags']}")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if "requestBody" in operation and "examples" not in body:
                gaps.append(f"{where}: request example")
            for status, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json")
                if status not in ("204", "304") and "examples" not in (content or {}):
                    gaps.append(f"{where}: {status} example")
            if (
                not any(status.startswith("4") for status in operation["responses"])
                and path != "/api/health/"
            ):
                gaps.append(f"{where}: no error responses")

    assert gaps == []


# --- caching -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/api/auth/token/", "login"),
        ("post", "/api/auth/token/refresh/", "refresh"),
        ("post", "/api/accounts/me/password/", "password"),
        ("get", "/api/accounts/me/", None),
        ("get", "/api/auth/sessions/", None),
        ("get", "/api/authors/", None),
        ("get", "/api/accounts/users/", None),
    ],
)
def test_answers_with_credentials_or_personal_data_are_never_stored(user, user_client, method, path, body):
    bodies = {
        "login": {"username": user.username, "password": PASSWORD},
        "refresh": {"refresh": user_client.pair.refresh},
        "password": {"old_password": PASSWORD, "new_password": "an even longer fresh phrase"},
    }
    client = APIClient() if body in ("login", "refresh") else user_client

    response = getattr(client, method)(path, bodies.get(body), format="json")

    assert response.status_code == 200
    assert "no-store" in cache_directives(response)
    assert response["Pragma"] == "no-cache"


def test_errors_under_the_api_are_not_stored_either(api_client):
    response = api_client.post("/api/auth/token/", {"username": "nobody", "password": "wrong"})

    assert response.status_code == 401
    assert "no-store" in cache_directives(response)


def cache_directives(response) -> list[str]:
    """Cache-Control's directives as a cache reads them ("no-store=x" is not no-store)."""
    return [directive.strip() for directive in response["Cache-Control"].split(",")]


def test_health_may_be_cached(api_client):
    assert "Cache-Control" not in api_client.get("/api/health/")


def test_an_unforeseen_integrity_error_is_a_409_to_retry(user_client, monkeypatch):
    from django.db import IntegrityError

    from authors import services

    def race(**kwargs):
        raise IntegrityError("UNIQUE constraint failed")

    monkeypatch.setattr(services, "create_author", race)

    response = user_client.post("/api/authors/", {"name": "N", "book": "B", "country": "C"})

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_djangos_permission_denied_from_a_service_is_a_403_with_its_message(user_client, monkeypatch):
    from django.core.exceptions import PermissionDenied

    from authors import services

    def refuse(**kwargs):
        raise PermissionDenied("Not in this library.")

    monkeypatch.setattr(services, "create_author", refuse)

    response = user_client.post("/api/authors/", {"name": "N", "book": "B", "country": "C"})

    assert response.status_code == 403
    assert response.json() == {"detail": "Not in this library.", "code": "permission_denied"}


def test_an_authentication_error_is_a_401_naming_the_bearer_scheme(api_client, user):
    """RFC 9110: a 401 says how to authenticate. The services' authentication errors
    (bad credentials, a refused token) become DRF's 401, with its header."""
    refused = [
        api_client.post(LOGIN, {"username": user.username, "password": "not the password"}),
        api_client.post(REFRESH, {"refresh": "not.a.token"}),
    ]

    assert [(answer.status_code, answer["WWW-Authenticate"]) for answer in refused] == [
        (401, 'Bearer realm="api"'),
        (401, 'Bearer realm="api"'),
    ]


def test_an_authentication_error_in_a_view_without_a_scheme_is_a_403(rf):
    """As DRF answers its own: with no scheme to name, a 401 could not say how to
    authenticate, so the refusal is a 403 (library.api)."""
    from rest_framework.views import APIView

    from accounts.errors import InvalidToken

    class Open(APIView):
        authentication_classes = []
        permission_classes = []

        def get(self, request):
            raise InvalidToken("Token is invalid")

    response = Open.as_view()(rf.get("/api/open/"))

    assert (response.status_code, response.data) == (
        403,
        {"detail": "Token is invalid", "code": "token_not_valid"},
    )
    assert "WWW-Authenticate" not in response
