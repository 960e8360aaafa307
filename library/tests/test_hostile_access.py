"""Every endpoint, called anonymously, as a user and as staff.

`{id}` always names another user's object. A new endpoint that is not in RULES fails
`test_every_endpoint_has_a_rule`, so nobody adds one without deciding who may call it.
"""

import pytest
from rest_framework.test import APIClient

from accounts import sessions
from accounts.tests.factories import UserFactory
from authors.tests.factories import AuthorFactory
from library.tests.helpers import client_for

pytestmark = pytest.mark.django_db

# (method, path): (anonymous, user, staff), each called with an empty JSON object.
RULES = {
    ("post", "/api/auth/register/"): (400, 400, 400),
    ("post", "/api/auth/token/"): (400, 400, 400),
    ("post", "/api/auth/token/refresh/"): (400, 400, 400),
    ("post", "/api/auth/token/verify/"): (400, 400, 400),
    ("get", "/api/auth/csrf/"): (200, 200, 200),
    ("post", "/api/auth/token/revoke/"): (401, 400, 400),
    ("post", "/api/auth/password-reset/"): (400, 400, 400),
    ("post", "/api/auth/password-reset/confirm/"): (400, 400, 400),
    ("post", "/api/auth/email/verify/"): (400, 400, 400),
    ("post", "/api/auth/email/verify/resend/"): (400, 400, 400),
    ("post", "/api/auth/token/mfa/"): (400, 400, 400),
    ("post", "/api/auth/mfa/totp/setup/"): (401, 400, 400),
    ("post", "/api/auth/mfa/totp/confirm/"): (401, 400, 400),
    ("delete", "/api/auth/mfa/totp/"): (401, 400, 400),
    ("post", "/api/auth/mfa/recovery-codes/"): (401, 400, 400),
    ("post", "/api/auth/logout/"): (401, 204, 204),
    ("post", "/api/auth/logout-all/"): (401, 204, 204),
    ("get", "/api/auth/sessions/"): (401, 200, 200),
    ("patch", "/api/auth/sessions/{id}/"): (401, 404, 404),  # staff rename only their own
    ("delete", "/api/auth/sessions/{id}/"): (401, 404, 404),
    ("get", "/api/auth/events/"): (401, 200, 200),
    ("get", "/api/accounts/me/"): (401, 200, 200),
    ("patch", "/api/accounts/me/"): (401, 200, 200),
    ("delete", "/api/accounts/me/"): (401, 400, 400),
    ("post", "/api/accounts/me/password/"): (401, 400, 400),
    ("get", "/api/accounts/users/"): (401, 200, 200),
    ("get", "/api/accounts/users/{id}/"): (401, 200, 200),
    ("patch", "/api/accounts/users/{id}/"): (401, 403, 200),
    ("delete", "/api/accounts/users/{id}/"): (401, 403, 204),
    ("get", "/api/authors/"): (401, 200, 200),
    ("post", "/api/authors/"): (401, 400, 400),
    ("delete", "/api/authors/"): (401, 400, 400),  # no filter and no all=true: nothing goes
    ("get", "/api/authors/{id}/"): (401, 404, 200),
    ("put", "/api/authors/{id}/"): (401, 404, 400),
    ("patch", "/api/authors/{id}/"): (401, 404, 200),
    ("delete", "/api/authors/{id}/"): (401, 404, 204),
    ("get", "/api/auth/jwks/"): (200, 200, 200),
    ("get", "/api/health/"): (200, 200, 200),
}
# Pages outside the schema: open to all.
PAGES = ["/api/", "/api/schema/", "/api/docs/", "/api/redoc/"]
ROLES = ["anonymous", "user", "staff"]


def client_as(role: str) -> APIClient:
    return APIClient() if role == "anonymous" else client_for(UserFactory(is_staff=role == "staff"))


def test_every_endpoint_has_a_rule(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}

    assert operations == set(RULES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), list(RULES), ids=[f"{m} {p}" for m, p in RULES])
def test_endpoint_answers_each_role_as_the_rules_say(role, method, path):
    victim = UserFactory()
    ids = {
        "sessions": sessions.start_session(user=victim).session.pk,
        "users": victim.pk,
        "authors": AuthorFactory(owner=victim).pk,
    }
    kind = next((k for k in ids if f"/{k}/{{id}}" in path), None)
    url = path.replace("{id}", str(ids[kind])) if kind else path
    client = client_as(role)

    response = getattr(client, method)(url, {}, format="json")

    assert response.status_code == RULES[(method, path)][ROLES.index(role)], response.content
    if response.status_code != 204:
        assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PAGES)
def test_pages_are_open_to_every_role(role, path):
    client = client_as(role)

    assert client.get(path).status_code == 200
