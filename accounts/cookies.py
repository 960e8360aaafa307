"""The cookie transport: a browser's tokens in HttpOnly cookies, CSRF-checked on use.

A client asks for it with `"transport": "cookie"` at login (or at the second step of a
login with TOTP on), with the X-CSRFToken header of GET /api/auth/csrf/ (no login CSRF).
The answer then sets:

- the access token in ACCESS_COOKIE, sent to every path under /api/;
- the refresh token in REFRESH_COOKIE, sent only to the refresh and logout paths;
- Django's `csrftoken` cookie (rotated, as Django's own login does), its value also in
  the body as `csrf_token` for a front-end on another host, which cannot read the cookie.

Both token cookies are HttpOnly (page JavaScript never reads a token), `Secure` with
DJANGO_HTTPS=true, SameSite JWT_COOKIE_SAMESITE, and live as long as their tokens. The
body carries the expiry times, never a token. Whatever a request reads from a cookie
must pass Django's CSRF check (accounts/authentication.py for the access cookie, here
for the refresh cookie), and a token read from a cookie is only ever answered in a
cookie, so script on the page cannot move it into the open. The revocation rules do not
change: a cookie's token is checked like a header's (accounts/access.py).
"""

from datetime import UTC, datetime

import jwt as pyjwt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.middleware.csrf import get_token, rotate_token
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response

from .serializers import TokenPairSerializer

BODY, COOKIE = "body", "cookie"
ACCESS_PATH = "/api/"
REFRESH_PATHS = ("/api/auth/token/refresh/", "/api/auth/logout/")


def access_cookie() -> str:
    return settings.JWT_COOKIE_ACCESS


def refresh_cookie(path: str) -> str:
    """A cookie holds one path, so the refresh token goes in one cookie per path it is sent to."""
    suffix = "" if path == REFRESH_PATHS[0] else "_logout"
    return settings.JWT_COOKIE_REFRESH + suffix


def enforce_csrf(request) -> None:
    """Django's CSRF check (csrftoken cookie and X-CSRFToken header, and the Origin), as
    DRF's SessionAuthentication applies it; a 403 on failure."""
    SessionAuthentication().enforce_csrf(request)


def check_login(request, transport: str) -> None:
    """A login that asks for cookies is CSRF-checked, before its password is: else another
    site's form could log a browser into the attacker's account (login CSRF). The page gets
    its token from GET /api/auth/csrf/ first."""
    if transport == COOKIE:
        enforce_csrf(request)


def tokens_answer(request, pair, transport: str, *, new_login: bool = False) -> Response:
    """The answer that hands out `pair`: in the body, or in cookies with only expiries in the body."""
    if transport != COOKIE:
        return Response(TokenPairSerializer(pair).data)
    access_expires, refresh_expires = _expiry(pair.access), _expiry(pair.refresh)
    if new_login:
        rotate_token(request)  # a new login gets a new CSRF secret, as Django's login does (no fixation)
    response = Response(
        {
            "access_expires_at": access_expires,
            "refresh_expires_at": refresh_expires,
            **csrf_token(request),
        }
    )
    _set(response, access_cookie(), pair.access, access_expires, ACCESS_PATH)
    for path in REFRESH_PATHS:
        _set(response, refresh_cookie(path), pair.refresh, refresh_expires, path)
    return response


def csrf_token(request) -> dict:
    """The CSRF token for the X-CSRFToken header; the answer sets the csrftoken cookie too."""
    return {"csrf_token": get_token(request)}


def transport_of(request) -> str:
    """How a signed-in request carried its access token: `cookie` or `body` (the header)."""
    from .authentication import AccessCookieAuthentication  # it imports this module

    return COOKIE if isinstance(request.successful_authenticator, AccessCookieAuthentication) else BODY


def refresh_token(request, body: dict) -> tuple[str, str]:
    """The refresh token of a refresh or logout, and the transport of its answer: the
    body's token as asked, or else the refresh cookie's (CSRF-checked), answered in cookies."""
    if body.get("refresh"):
        return body["refresh"], body.get("transport", BODY)
    cookie = request.COOKIES.get(refresh_cookie(request.path)) if request.path in REFRESH_PATHS else None
    if not cookie:
        return "", body.get("transport", BODY)
    enforce_csrf(request)
    return cookie, COOKIE


def required(raw_refresh: str) -> str:
    if not raw_refresh:
        raise ValidationError({"refresh": ["This field is required."]})
    return raw_refresh


def uses_cookies(request) -> bool:
    """Whether this request came with our token cookies (then its answer clears or renews them)."""
    names = [access_cookie(), *(refresh_cookie(path) for path in REFRESH_PATHS)]
    return any(name in request.COOKIES for name in names)


def cleared(request, response: Response, transport: str = BODY) -> Response:
    """`response`, deleting the token cookies in the caller's browser if it uses them
    (logout, logout-all, account deleted); other clients get no Set-Cookie."""
    if transport != COOKIE and not uses_cookies(request):
        return response
    response.delete_cookie(access_cookie(), path=ACCESS_PATH, samesite=settings.JWT_COOKIE_SAMESITE)
    for path in REFRESH_PATHS:
        response.delete_cookie(refresh_cookie(path), path=path, samesite=settings.JWT_COOKIE_SAMESITE)
    return response


def _set(response: Response, name: str, token: str, expires: datetime, path: str) -> None:
    response.set_cookie(
        name,
        token,
        max_age=max(0, int((expires - datetime.now(tz=UTC)).total_seconds())),
        path=path,
        secure=settings.HTTPS,
        httponly=True,
        samesite=settings.JWT_COOKIE_SAMESITE,
    )


def _expiry(raw: str) -> datetime:
    # A token we have just signed: its own exp is the truth, whatever key signed it.
    exp = pyjwt.decode(raw, options={"verify_signature": False})["exp"]
    return datetime.fromtimestamp(exp, tz=UTC)
