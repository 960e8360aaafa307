from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from . import jwt, mfa, selectors, verification
from .models import EMAIL_TAKEN, USERNAME_TAKEN, LoginSession, User, username_validator

# Shapes only: the examples in the API docs are not real tokens.
ACCESS_EXAMPLE = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.signature"
CSRF_TOKEN_EXAMPLE = "k3Jd9xQ2mVb7LpT4sWc8yZ1nH6rF0aEuG5oI2tRqXw3vB8nM4cD7eY1uP9jK6sLh"  # noqa: S105 (an example)
REFRESH_EXAMPLE = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.signature"

PUBLIC_USER_EXAMPLE = OpenApiExample(
    "As a user sees it",
    value={"id": 7, "username": "ada", "date_joined": "2026-11-22T18:00:00Z", "view": "public"},
    response_only=True,
)
STAFF_USER_EXAMPLE = OpenApiExample(
    "As staff see it",
    value={
        **PUBLIC_USER_EXAMPLE.value,
        "view": "staff",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "is_active": True,
        "is_staff": False,
        "last_login": "2026-11-22T18:10:00Z",
    },
    response_only=True,
)

# Long enough for any passphrase or password manager; short enough that a 100 KB
# "password" is refused before anything hashes it.
PASSWORD_MAX_LENGTH = 256


def password_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        max_length=PASSWORD_MAX_LENGTH,
        trim_whitespace=False,
        style={"input_type": "password"},
        **kwargs,
    )


def transport_field() -> serializers.ChoiceField:
    """Where the answer puts the tokens: `body` (the default) or `cookie` (accounts/cookies.py)."""
    return serializers.ChoiceField(
        choices=["body", "cookie"],
        required=False,  # `body` when absent (no schema default: generated clients would require it)
        write_only=True,
        help_text="`body`: the tokens in the answer. `cookie`: in HttpOnly cookies, for a browser; the "
        "answer then carries their expiry times and a CSRF token instead.",
    )


def second_factor_code(**kwargs) -> serializers.CharField:
    """The `code` beside a password, needed while the second factor is on."""
    help_text = "With the second factor on: a code from your authenticator app, or a recovery code."
    return serializers.CharField(write_only=True, max_length=32, **{"help_text": help_text, **kwargs})


class UniqueIdentityMixin:
    """Usernames and emails are unique whatever their case, on create and on change."""

    # (This docstring is the schema's description of the serializers that use it.) An
    # early, friendlier 400 than the insert's; accounts.services handles the race.

    def validate_username(self, value: str) -> str:
        if selectors.username_taken(value, excluding=self.instance):
            raise serializers.ValidationError(USERNAME_TAKEN)
        return value

    def validate_email(self, value: str) -> str:
        if selectors.email_taken(value, excluding=self.instance):
            raise serializers.ValidationError(EMAIL_TAKEN)
        return value


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Register",
            value={
                "username": "ada",
                "email": "ada@example.com",
                "password": "a long unguessable phrase",
                "first_name": "Ada",
                "last_name": "Lovelace",
            },
            request_only=True,
        )
    ]
)
class RegisterSerializer(UniqueIdentityMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150, validators=[username_validator])
    email = serializers.EmailField(max_length=254)
    password = password_field()
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)

    def validate_email(self, value: str) -> str:
        if verification.registration_hides_taken_addresses():
            return value  # a taken address is answered like a new one (services.register_user)
        return super().validate_email(value)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Registered",
            value={
                "id": 7,
                "username": "ada",
                "email": "ada@example.com",
                "date_joined": "2026-11-22T18:00:00Z",
            },
            response_only=True,
        )
    ]
)
class RegisteredUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "date_joined"]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample("New name", value={"first_name": "Ada", "last_name": "King"}, request_only=True),
        OpenApiExample(
            "Profile",
            value={
                "id": 7,
                "username": "ada",
                "email": "ada@example.com",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "date_joined": "2026-11-22T18:00:00Z",
                "email_verified": True,
                "pending_email": None,
                "mfa_enabled": False,
            },
            response_only=True,
        ),
    ]
)
class MeSerializer(UniqueIdentityMixin, serializers.ModelSerializer):
    email = serializers.EmailField(
        max_length=254, help_text="A new address takes effect once confirmed from a link mailed to it."
    )
    email_verified = serializers.BooleanField(read_only=True)
    mfa_enabled = serializers.SerializerMethodField(help_text="Whether the second factor (TOTP) is on.")
    password = password_field(
        required=False, help_text="With the second factor on: needed to change `email`."
    )
    code = second_factor_code(required=False)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "date_joined",
            "email_verified",
            "pending_email",
            "mfa_enabled",
            "password",
            "code",
        ]
        read_only_fields = ["id", "date_joined", "pending_email"]
        # Uniqueness is checked case-insensitively above; the model's exact-case
        # validator would only repeat the query.
        extra_kwargs = {"username": {"validators": [username_validator]}}

    def get_mfa_enabled(self, user: User) -> bool:
        return mfa.enabled(user)


@extend_schema_serializer(
    examples=[OpenApiExample("Confirm", value={"password": "a long unguessable phrase"}, request_only=True)]
)
class DeleteAccountSerializer(serializers.Serializer):
    password = password_field(help_text="Your current password, to confirm.")
    code = second_factor_code(required=False)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Change",
            value={
                "old_password": "a long unguessable phrase",
                "new_password": "an even longer fresh phrase",
            },
            request_only=True,
        )
    ]
)
class PasswordChangeSerializer(serializers.Serializer):
    old_password = password_field()
    new_password = password_field()
    code = second_factor_code(required=False)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "By email",
            value={"username": "ada@example.com", "password": "a long unguessable phrase"},
            request_only=True,
        )
    ]
)
class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="Your username or your email address.")
    password = password_field()
    transport = transport_field()


# The two shapes of a token answer, shown on each serializer and on the answer that is
# either (accounts/schema.py).
PAIR_EXAMPLE = OpenApiExample(
    "Pair", value={"access": ACCESS_EXAMPLE, "refresh": REFRESH_EXAMPLE}, response_only=True
)
COOKIE_TOKENS_EXAMPLE = OpenApiExample(
    "In cookies",
    value={
        "access_expires_at": "2026-11-22T18:15:00Z",
        "refresh_expires_at": "2026-11-29T18:00:00Z",
        "csrf_token": CSRF_TOKEN_EXAMPLE,
    },
    response_only=True,
)


@extend_schema_serializer(examples=[PAIR_EXAMPLE])
class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)


@extend_schema_serializer(examples=[COOKIE_TOKENS_EXAMPLE])
class CookieTokensSerializer(serializers.Serializer):
    """The tokens went into HttpOnly cookies; this is what a page may know of them."""

    access_expires_at = serializers.DateTimeField(read_only=True)
    refresh_expires_at = serializers.DateTimeField(read_only=True)
    csrf_token = serializers.CharField(
        read_only=True,
        help_text="Send it back as the X-CSRFToken header with every POST, PUT, PATCH and DELETE "
        "(the same as the csrftoken cookie, for a front-end on another host that cannot read it).",
    )


@extend_schema_serializer(
    examples=[OpenApiExample("Token", value={"csrf_token": CSRF_TOKEN_EXAMPLE}, response_only=True)]
)
class CsrfTokenSerializer(serializers.Serializer):
    csrf_token = serializers.CharField(
        read_only=True, help_text="Send it back as the X-CSRFToken header with every unsafe request."
    )


@extend_schema_serializer(
    examples=[OpenApiExample("Refresh", value={"refresh": REFRESH_EXAMPLE}, request_only=True)]
)
class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(
        max_length=4096,
        required=False,
        help_text="Required unless the refresh cookie of the cookie transport is sent (then the answer "
        "is in cookies, and the X-CSRFToken header is needed).",
    )
    transport = transport_field()


@extend_schema_serializer(
    examples=[OpenApiExample("A token", value={"token": ACCESS_EXAMPLE}, request_only=True)]
)
class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=4096, help_text="An access or a refresh token.")


@extend_schema_serializer(
    examples=[OpenApiExample("With refresh", value={"refresh": REFRESH_EXAMPLE}, request_only=True)]
)
class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(
        max_length=4096,
        required=False,
        help_text="Also end the session of this refresh token (or of the refresh cookie's, if sent).",
    )
    transport = transport_field()


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Session",
            value={
                "id": "3f2b9c1e-6a57-4c1b-9d2e-0f6c1a2b3c4d",
                "created_at": "2026-11-22T18:00:00Z",
                "expires_at": "2026-11-29T18:00:00Z",
                "last_used_at": "2026-11-22T18:10:00Z",
                "name": "Ada's phone",
                "user_agent": "Shelf/2.0 (iPhone)",
                "ip": "203.0.113.7",
                "current": True,
            },
            response_only=True,
        )
    ]
)
class LoginSessionSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="Whether this request comes from it.")

    class Meta:
        model = LoginSession
        fields = [
            "id",
            "created_at",
            "expires_at",
            "last_used_at",
            "name",
            "user_agent",
            "ip",
            "current",
        ]
        read_only_fields = fields

    def get_current(self, session: LoginSession) -> bool:
        token = self.context["request"].auth
        return token is not None and token.get(jwt.SESSION_CLAIM) == str(session.pk)


@extend_schema_serializer(
    examples=[OpenApiExample("Rename", value={"name": "Ada's phone"}, request_only=True)]
)
class LoginSessionNameSerializer(serializers.ModelSerializer):
    """A session's new name: up to 100 characters, none of them a control character."""

    class Meta:
        model = LoginSession
        fields = ["name"]


class UserView(serializers.Field):
    """Which view of a user an answer is, `public` or `staff`: the User schema's
    discriminator, so that a client tells the two shapes apart without guessing."""

    def __init__(self, view: str):
        self.view = view
        super().__init__(read_only=True, source="*", help_text="`public` or `staff`: which fields follow.")

    def to_representation(self, user) -> str:
        return self.view


@extend_schema_serializer(examples=[PUBLIC_USER_EXAMPLE])
class PublicUserSerializer(serializers.ModelSerializer):
    view = UserView("public")

    class Meta:
        model = User
        fields = ["id", "username", "date_joined", "view"]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        STAFF_USER_EXAMPLE,
        OpenApiExample("Deactivate", value={"is_active": False}, request_only=True),
    ]
)
class StaffUserSerializer(serializers.ModelSerializer):
    view = UserView("staff")

    class Meta:
        model = User
        fields = [
            *PublicUserSerializer.Meta.fields,
            "email",
            "first_name",
            "last_name",
            "is_active",
            "is_staff",
            "last_login",
        ]
        # Staff change who may log in and who is staff; everything else is the user's own.
        read_only_fields = [name for name in fields if name not in ("is_active", "is_staff")]
        extra_kwargs = {
            "is_active": {"help_text": "Whether the user may log in; false ends their sessions at once."},
            "is_staff": {"help_text": "Staff manage users; only a superuser changes who is staff."},
        }
