from rest_framework.authentication import BaseAuthentication
from rest_framework_simplejwt.authentication import JWTAuthentication

from . import tokens


class RevocableJWTAuthentication(JWTAuthentication):
    """SimpleJWT's bearer authentication, with our revocation rules on every request."""

    def get_user(self, validated_token):
        return tokens.user_for_access(validated_token)


class CredentialsInBody(BaseAuthentication):
    """For login, refresh and verify: credentials come in the body, never the header.

    It authenticates nobody, so a stale bearer header cannot get in the way, and it names
    the Bearer scheme so that failures answer 401 (DRF answers 403 without a scheme).
    """

    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return JWTAuthentication().authenticate_header(request)
