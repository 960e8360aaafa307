"""What the test modules share: the API's paths and the ways to build a client.

Test modules import from here (and from the apps' factories), never from each other;
conftest.py turns the clients into fixtures per role.
"""

from pathlib import Path

from rest_framework.test import APIClient

from accounts import sessions

BASE_DIR = Path(__file__).resolve().parent.parent.parent

REGISTER = "/api/auth/register/"
LOGIN = "/api/auth/token/"
REFRESH = "/api/auth/token/refresh/"
VERIFY = "/api/auth/token/verify/"
REVOKE = "/api/auth/token/revoke/"
LOGOUT = "/api/auth/logout/"
LOGOUT_ALL = "/api/auth/logout-all/"
SESSIONS = "/api/auth/sessions/"
ME = "/api/accounts/me/"
PASSWORD_CHANGE = "/api/accounts/me/password/"
USERS = "/api/accounts/users/"
AUTHORS = "/api/authors/"


def client_with_authorization(value: str) -> APIClient:
    """An API client that sends `Authorization: <value>` with every request."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=value)
    return client


def bearer_client(access: str) -> APIClient:
    """An API client that presents the access token `access`."""
    return client_with_authorization(f"Bearer {access}")


def client_for(user) -> APIClient:
    """An API client holding a fresh login session of `user`; the pair is on `client.pair`."""
    pair = sessions.start_session(user=user, user_agent="pytest")
    client = bearer_client(pair.access)
    client.pair = pair
    return client


def author_names(response) -> list[str]:
    """The names on a page of GET /api/authors/, in the order given."""
    return [author["name"] for author in response.json()["results"]]
