"""How a request proves who it is: DRF authentication classes (wiring for accounts/access.py)."""

from rest_framework.authentication import BaseAuthentication
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from . import access, errors


class RevocableJWTAuthentication(JWTAuthentication):
    """SimpleJWT's bearer authentication, with our revocation rules on every request."""

    def get_user(self, validated_token):
        try:
            return access.user_for_access(validated_token)
        except errors.InvalidToken as refused:
            # DRF's own error, so the request is marked unauthenticated before it fails.
            raise InvalidToken(refused.message) from None


class CredentialsInBody(BaseAuthentication):
    """For login, refresh and verify: credentials come in the body, never the header.

    It authenticates nobody, so a stale bearer header cannot get in the way, and it names
    the Bearer scheme so that failures answer 401 (DRF answers 403 without a scheme).
    """

    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return JWTAuthentication().authenticate_header(request)
