"""How a request proves who it is: DRF authentication classes (wiring for accounts/access.py)."""

from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from . import access, cookies, errors, jwt


class RevocableJWTAuthentication(JWTAuthentication):
    """SimpleJWT's bearer authentication, with our revocation rules on every request.

    The token's claims (request.auth) come from jwt.access_claims, SimpleJWT's rules
    without its token objects; a token it refuses goes through SimpleJWT's own check,
    for its exact answer."""

    def get_validated_token(self, raw_token):
        try:
            return jwt.access_claims(raw_token)
        except errors.InvalidToken:
            return super().get_validated_token(raw_token)

    def get_user(self, validated_token):
        try:
            return access.user_for_access(validated_token)
        except errors.InvalidToken as refused:
            # DRF's own error, so the request is marked unauthenticated before it fails.
            raise InvalidToken(refused.message) from None


class AccessCookieAuthentication(RevocableJWTAuthentication):
    """The same access token from the HttpOnly cookie of the cookie transport
    (accounts/cookies.py), read when no Authorization header came (that class runs
    first). An unsafe method must pass Django's CSRF check, as with a session cookie."""

    def authenticate(self, request):
        raw = request.COOKIES.get(settings.JWT_COOKIE_ACCESS)
        if not raw:
            return None
        validated = self.get_validated_token(raw.encode())
        user = self.get_user(validated)
        cookies.enforce_csrf(request)  # after the token: a stale cookie is a 401, not a 403
        return user, validated


class CredentialsInBody(BaseAuthentication):
    """For login, refresh and verify: credentials come in the body, never the header.

    It authenticates nobody, so a stale bearer header cannot get in the way, and it names
    the Bearer scheme so that failures answer 401 (DRF answers 403 without a scheme).
    """

    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return JWTAuthentication().authenticate_header(request)
