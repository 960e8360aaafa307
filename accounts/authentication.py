from rest_framework_simplejwt.authentication import JWTAuthentication

from . import tokens


class RevocableJWTAuthentication(JWTAuthentication):
    """SimpleJWT's bearer authentication, with our revocation rules on every request."""

    def get_user(self, validated_token):
        return tokens.user_for_access(validated_token)
