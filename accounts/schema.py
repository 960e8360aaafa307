"""How our authentication classes appear in the OpenAPI schema (imported in apps.ready)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class RevocableJWTScheme(SimpleJWTScheme):
    """The bearer scheme behind Swagger UI's Authorize button."""

    target_class = "accounts.authentication.RevocableJWTAuthentication"


class CredentialsInBodyScheme(OpenApiAuthenticationExtension):
    """Login, refresh and verify take their credentials in the body: no security scheme."""

    target_class = "accounts.authentication.CredentialsInBody"
    name = []

    def get_security_requirement(self, auto_schema):
        return None

    def get_security_definition(self, auto_schema):
        return []
