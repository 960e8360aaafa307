"""The OpenAPI documentation of accounts' views, each applied to its view in one line,
and how our authentication classes appear in the schema (imported in apps.ready)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema_view,
)

from library.schema import (
    BAD_REQUEST,
    FORBIDDEN,
    INVALID_PAGE,
    NO_CONTENT,
    NOT_FOUND,
    PASSWORD_THROTTLED,
    THROTTLED,
    UNAUTHORIZED,
    operation,
    post,
)

from .serializers import (
    PUBLIC_USER_EXAMPLE,
    STAFF_USER_EXAMPLE,
    DeleteAccountSerializer,
    LoginSessionSerializer,
    MeSerializer,
    PublicUserSerializer,
    RegisteredUserSerializer,
    StaffUserSerializer,
    TokenPairSerializer,
)

# --- authentication schemes -------------------------------------------------------------


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


def user_by_role(many: bool = False) -> PolymorphicProxySerializer:
    """What GET /users/ answers: staff see StaffUser, everyone else PublicUser."""
    return PolymorphicProxySerializer(
        component_name="User",
        serializers=[PublicUserSerializer, StaffUserSerializer],
        resource_type_field_name=None,
        many=many,
    )


TOKEN_PAIR = {200: TokenPairSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED, 429: THROTTLED}
ACCEPTED = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="The token would be accepted.",
    examples=[OpenApiExample("Valid", value={}, response_only=True)],
)
USER_EXAMPLES = [PUBLIC_USER_EXAMPLE, STAFF_USER_EXAMPLE]
USER_FIELDS = "Public fields only; staff also see email, names, flags and last login."

# One row an operation: summary, description, answers (and what else differs).
# fmt: off

# --- auth: registration, tokens, logout, sessions -----------------------------------------
REGISTER = post("Register", "Create an account. Unknown fields such as is_staff are ignored.", {201: RegisteredUserSerializer, 400: BAD_REQUEST, 429: THROTTLED})
LOGIN = post("Log in (obtain a token pair)", "Exchange a username or email and a password for an access and a refresh token. Each login is a session, listed at /api/auth/sessions/.", TOKEN_PAIR)
REFRESH = post("Refresh (rotate) a token pair", "Exchange a refresh token for a new pair. The old refresh token stops working; presenting it again ends its whole login session.", TOKEN_PAIR)
VERIFY = post("Verify a token", "200 with an empty object if the token would be accepted right now.", {200: ACCEPTED, 400: BAD_REQUEST, 401: UNAUTHORIZED})
REVOKE = post("Revoke a token", "Revoke one access token, or a refresh token and with it its login session. Idempotent. Staff may revoke anyone's token.", {204: NO_CONTENT, 400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN})
LOGOUT = post("Log out", "End the session of the bearer access token, and of the refresh token if one is given: both stop working.", {204: NO_CONTENT, 400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN})
LOGOUT_ALL = post("Log out everywhere", "Every token issued to you so far stops working.", {204: NO_CONTENT, 401: UNAUTHORIZED}, request=None)
SESSIONS = extend_schema_view(
    list=operation("List your live login sessions", "The session this request comes from is marked current.", {200: LoginSessionSerializer(many=True), 401: UNAUTHORIZED, 404: INVALID_PAGE}),
    destroy=operation("End a login session", "Its refresh token and every access token issued in it stop working.", {204: NO_CONTENT, 401: UNAUTHORIZED, 404: NOT_FOUND}),
)

# --- accounts: your own, and users for staff ----------------------------------------------
ME = extend_schema_view(
    get=operation("Your account", "The profile of the user the token belongs to.", {200: MeSerializer, 401: UNAUTHORIZED}),
    patch=operation("Change your account", "Username and email stay unique whatever their case.", {200: MeSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED}),
    delete=operation("Delete your account", "Confirm with your password. Your authors go too, and your tokens stop working.", {204: NO_CONTENT, 400: BAD_REQUEST, 401: UNAUTHORIZED, 429: PASSWORD_THROTTLED}, request=DeleteAccountSerializer),
)
PASSWORD_CHANGE = post("Change your password", "Every earlier token stops working; the answer is a fresh pair.", {200: TokenPairSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED, 429: PASSWORD_THROTTLED})
USERS = extend_schema_view(
    list=operation("List users", USER_FIELDS, {200: user_by_role(many=True), 401: UNAUTHORIZED, 404: INVALID_PAGE}, examples=USER_EXAMPLES),
    retrieve=operation("One user", USER_FIELDS, {200: user_by_role(), 401: UNAUTHORIZED, 404: NOT_FOUND}, examples=USER_EXAMPLES),
    partial_update=operation("Activate, deactivate, promote or demote a user (staff)", "Deactivating takes effect on that user's very next request.", {200: StaffUserSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND}),
    destroy=operation("Delete a user (staff)", "The user, their authors and their sessions go. Staff delete their own account at /me/.", {204: NO_CONTENT, 400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND}),
)
# fmt: on
