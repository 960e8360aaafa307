"""The OpenAPI documentation of accounts' views, each applied to its view in one line,
and how our authentication classes appear in the schema (imported in apps.ready)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)

from library.schema import (
    BAD_REQUEST,
    FORBIDDEN,
    INVALID_PAGE,
    NO_CONTENT,
    NOT_FOUND,
    THROTTLED,
    UNAUTHORIZED,
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


# --- auth: registration, tokens, logout -------------------------------------------------

REGISTER = extend_schema_view(
    post=extend_schema(
        tags=["auth"],
        summary="Register",
        description="Create an account. Unknown fields such as is_staff are ignored.",
        responses={201: RegisteredUserSerializer, 400: BAD_REQUEST, 429: THROTTLED},
    )
)

LOGIN = extend_schema_view(
    post=extend_schema(
        tags=["auth"],
        summary="Log in (obtain a token pair)",
        description=(
            "Exchange a username or email and a password for an access and a refresh "
            "token. Each login is a session, listed at /api/auth/sessions/."
        ),
        responses={
            200: TokenPairSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            429: THROTTLED,
        },
    )
)

REFRESH = extend_schema_view(
    post=extend_schema(
        tags=["auth"],
        summary="Refresh (rotate) a token pair",
        description=(
            "Exchange a refresh token for a new pair. The old refresh token stops "
            "working; presenting it again ends its whole login session."
        ),
        responses={
            200: TokenPairSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            429: THROTTLED,
        },
    )
)

VERIFY = extend_schema_view(
    post=extend_schema(
        tags=["auth"],
        summary="Verify a token",
        description="200 with an empty object if the token would be accepted right now.",
        responses={
            200: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="The token would be accepted.",
                examples=[OpenApiExample("Valid", value={}, response_only=True)],
            ),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
        },
    )
)

REVOKE = extend_schema_view(
    post=extend_schema(
        tags=["auth"],
        summary="Revoke a token",
        description=(
            "Revoke one access token, or a refresh token and with it its login session. "
            "Idempotent. Staff may revoke anyone's token."
        ),
        responses={
            204: NO_CONTENT,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
        },
    )
)

LOGOUT = extend_schema_view(
    post=extend_schema(
        tags=["auth"],
        summary="Log out",
        description=(
            "End the session of the bearer access token, and of the refresh token if "
            "one is given: both stop working."
        ),
        responses={
            204: NO_CONTENT,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
        },
    )
)

LOGOUT_ALL = extend_schema_view(
    post=extend_schema(
        tags=["auth"],
        summary="Log out everywhere",
        description="Every token issued to you so far stops working.",
        request=None,
        responses={204: NO_CONTENT, 401: UNAUTHORIZED},
    )
)

SESSIONS = extend_schema_view(
    list=extend_schema(
        tags=["auth"],
        summary="List your live login sessions",
        description="The session this request comes from is marked current.",
        responses={200: LoginSessionSerializer(many=True), 401: UNAUTHORIZED, 404: INVALID_PAGE},
    ),
    destroy=extend_schema(
        tags=["auth"],
        summary="End a login session",
        description="Its refresh token and every access token issued in it stop working.",
        responses={204: NO_CONTENT, 401: UNAUTHORIZED, 404: NOT_FOUND},
    ),
)

# --- accounts: your own, and users for staff ---------------------------------------------

ME = extend_schema_view(
    get=extend_schema(
        tags=["accounts"],
        summary="Your account",
        description="The profile of the user the token belongs to.",
        responses={200: MeSerializer, 401: UNAUTHORIZED},
    ),
    patch=extend_schema(
        tags=["accounts"],
        summary="Change your account",
        description="Username and email stay unique whatever their case.",
        responses={200: MeSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    ),
    delete=extend_schema(
        tags=["accounts"],
        summary="Delete your account",
        description="Confirm with your password. Your authors go too, and your tokens stop working.",
        request=DeleteAccountSerializer,
        responses={204: NO_CONTENT, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    ),
)

PASSWORD_CHANGE = extend_schema_view(
    post=extend_schema(
        tags=["accounts"],
        summary="Change your password",
        description="Every earlier token stops working; the answer is a fresh pair.",
        responses={200: TokenPairSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    )
)


def user_by_role(many: bool = False) -> PolymorphicProxySerializer:
    """What GET /users/ answers: staff see StaffUser, everyone else PublicUser."""
    return PolymorphicProxySerializer(
        component_name="User",
        serializers=[PublicUserSerializer, StaffUserSerializer],
        resource_type_field_name=None,
        many=many,
    )


USER_EXAMPLES = [PUBLIC_USER_EXAMPLE, STAFF_USER_EXAMPLE]
USER_DESCRIPTION = "Public fields only; staff also see email, names, flags and last login."

USERS = extend_schema_view(
    list=extend_schema(
        tags=["accounts"],
        summary="List users",
        examples=USER_EXAMPLES,
        description=USER_DESCRIPTION,
        responses={200: user_by_role(many=True), 401: UNAUTHORIZED, 404: INVALID_PAGE},
    ),
    retrieve=extend_schema(
        tags=["accounts"],
        summary="One user",
        description=USER_DESCRIPTION,
        examples=USER_EXAMPLES,
        responses={200: user_by_role(), 401: UNAUTHORIZED, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        tags=["accounts"],
        summary="Activate, deactivate, promote or demote a user (staff)",
        description="Deactivating takes effect on that user's very next request.",
        responses={
            200: StaffUserSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    ),
    destroy=extend_schema(
        tags=["accounts"],
        summary="Delete a user (staff)",
        description="The user, their authors and their sessions go. Staff delete their own account at /me/.",
        responses={
            204: NO_CONTENT,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    ),
)
