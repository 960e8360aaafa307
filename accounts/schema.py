"""The OpenAPI documentation of accounts' views, each applied to its view in one line,
and how our authentication classes appear in the schema (imported in apps.ready)."""

from django.conf import settings
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiRequest,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers

from library.schema import (
    FORBIDDEN,
    INVALID_PAGE,
    NO_CONTENT,
    PASSWORD_THROTTLED,
    THROTTLED,
    UNAUTHORIZED,
    UNKNOWN_HOST,
    Error,
    error,
    forbidden,
    invalid,
    not_found,
    operation,
    post,
)
from library.validators import no_control_characters

from . import lockout, mfa, recovery, sessions, tokens, verification
from .email_serializers import VerifiedEmailSerializer
from .event_serializers import SecurityEventSerializer
from .filters import ONLY_STAFF_NAME_A_USER
from .mfa_serializers import (
    MFA_CHALLENGE_EXAMPLE,
    BothFactorsSerializer,
    MfaChallengeSerializer,
    RecoveryCodesSerializer,
    TotpSetupSerializer,
)
from .models import EMAIL_TAKEN, USERNAME_TAKEN
from .serializers import (
    COOKIE_TOKENS_EXAMPLE,
    PAIR_EXAMPLE,
    PUBLIC_USER_EXAMPLE,
    STAFF_USER_EXAMPLE,
    CookieTokensSerializer,
    CsrfTokenSerializer,
    DeleteAccountSerializer,
    LoginSessionNameSerializer,
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

    def get_security_definition(self, auto_schema):
        return {
            **super().get_security_definition(auto_schema),
            "description": (
                "An access token from POST /api/auth/token/ (or /api/auth/token/refresh/), sent as "
                "`Authorization: Bearer <access>`. It works until it expires (JWT_ACCESS_MINUTES, "
                "15 by default) or is revoked; then refresh, or log in again."
            ),
        }


class AccessCookieScheme(OpenApiAuthenticationExtension):
    """The cookie transport's access token (accounts/cookies.py), for browsers."""

    target_class = "accounts.authentication.AccessCookieAuthentication"
    name = "jwtCookieAuth"
    priority = 0

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.JWT_COOKIE_ACCESS,
            "description": (
                'The access token in the HttpOnly cookie set by a login with `"transport": "cookie"`; '
                "read only when no Authorization header is sent. A POST, PUT, PATCH or DELETE also needs "
                "Django's CSRF check: the `csrftoken` cookie and its value (or the login answer's "
                "`csrf_token`) in the X-CSRFToken header, else 403 `CSRF Failed: ...`."
            ),
        }


class BrowserSessionScheme(SessionScheme):
    """Django's session cookie, described: it is the browsable API's, not a client's."""

    priority = 0

    def get_security_definition(self, auto_schema):
        return {
            **super().get_security_definition(auto_schema),
            "description": (
                "The browsable API's and the admin's login (/api-auth/login/, /admin/login/); "
                "a write also needs Django's CSRF token. API clients use the bearer token."
            ),
        }


class CredentialsInBodyScheme(OpenApiAuthenticationExtension):
    """Login, refresh and verify take their credentials in the body: no security scheme."""

    target_class = "accounts.authentication.CredentialsInBody"
    name = []

    def get_security_requirement(self, auto_schema):
        return None

    def get_security_definition(self, auto_schema):
        return []


class UserViewField(OpenApiSerializerFieldExtension):
    """A UserView is a one-value enum: what makes each of User's shapes exclusive."""

    target_class = "accounts.serializers.UserView"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "enum": [self.target.view]}


def user_by_role(many: bool = False) -> PolymorphicProxySerializer:
    """What GET /users/ answers: staff see StaffUser, everyone else PublicUser; `view` says which."""
    return PolymorphicProxySerializer(
        component_name="User",
        serializers={"public": PublicUserSerializer, "staff": StaffUserSerializer},
        resource_type_field_name="view",
        many=many,
    )


TOKENS = OpenApiResponse(
    response=PolymorphicProxySerializer(
        component_name="Tokens",
        serializers=[TokenPairSerializer, CookieTokensSerializer],
        resource_type_field_name=None,
    ),
    description="`transport: body`: the pair. `transport: cookie`: the tokens are in HttpOnly cookies "
    "(Set-Cookie); the body holds their expiry times and the CSRF token.",
    examples=[PAIR_EXAMPLE, COOKIE_TOKENS_EXAMPLE],
)
SET_COOKIE = OpenApiParameter(
    "Set-Cookie",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description="With the cookie transport: `access_token` (HttpOnly, Path=/api/, Max-Age of the access "
    "token), `refresh_token` (HttpOnly, Path=/api/auth/token/refresh/) and `refresh_token_logout` (HttpOnly, "
    "Path=/api/auth/logout/) with the refresh token's Max-Age, and `csrftoken`; SameSite=Lax "
    "(JWT_COOKIE_SAMESITE), Secure with DJANGO_HTTPS=true.",
)
CLEAR_COOKIES = OpenApiParameter(
    "Set-Cookie",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[204],
    description="If the request carried the token cookies (or asked `transport: cookie`): each is deleted "
    "(expired, empty).",
)
TOKENS_DESCRIPTION = " `transport: cookie` puts the tokens in HttpOnly cookies instead (see Set-Cookie); the body then holds their expiry times and a CSRF token. A login or second step asking for cookies needs the X-CSRFToken header (from GET /api/auth/csrf/)."


def pair(bad_request: dict, refused: OpenApiResponse) -> dict:
    """The answers of the operations that hand out a token pair (log in, refresh)."""
    return {200: TOKENS, 400: invalid(bad_request), 401: refused, 429: THROTTLED}


ACCEPTED = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="The token would be accepted.",
    examples=[OpenApiExample("Valid", value={}, response_only=True)],
)
KEY_SET = OpenApiResponse(
    response=inline_serializer(
        "KeySet",
        {"keys": serializers.ListField(child=serializers.DictField(), help_text="The public keys, as JWKs.")},
    ),
    description="The public keys that verify our tokens, the newest first.",
    examples=[
        OpenApiExample(
            "EdDSA",
            value={
                "keys": [
                    {
                        "kty": "OKP",
                        "crv": "Ed25519",
                        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                        "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
                        "alg": "EdDSA",
                        "use": "sig",
                    }
                ]
            },
            response_only=True,
        ),
        OpenApiExample("HS256", value={"keys": []}, response_only=True),
    ],
)
NOT_MODIFIED = OpenApiResponse(description="The If-None-Match ETag is current; no body.")
USER_EXAMPLES = [PUBLIC_USER_EXAMPLE, STAFF_USER_EXAMPLE]
USER_FIELDS = (
    "Public fields only; staff also see email, names, flags and last login. `view` says which shape this is."
)
BAD_CREDENTIALS = error(
    "The username or email and the password do not name an active account.",
    "No active account found with the given credentials.",
    "invalid_credentials",
)
SESSION_OVER = error(
    "Not the session's latest refresh token: the session has ended (or was already); log in again.",
    sessions.SESSION_OVER,
    "token_not_valid",
)
REFUSED = error(
    "The token would be refused: malformed, expired, revoked, or its user inactive.",
    "Token has been revoked, or its user is inactive or gone.",
    "token_not_valid",
)
NO_SUCH_USER = not_found("User")
CONTROL_CHARACTERS = no_control_characters.message

# --- answers of the endpoints that work by mail -------------------------------------------
Accepted = inline_serializer("Accepted", {"detail": serializers.CharField(help_text="What happens next.")})


def accepted(description: str, detail: str) -> OpenApiResponse:
    return OpenApiResponse(
        response=Accepted,
        description=description,
        examples=[OpenApiExample("Accepted", value={"detail": detail}, response_only=True)],
    )


REGISTRATION_ACCEPTED = accepted(
    "EMAIL_VERIFICATION=mandatory: the same answer whether or not the address already has an account "
    "(its owner is told by mail). Confirm the address from the mailed link, then log in.",
    verification.REGISTRATION_ACCEPTED,
)
RESET_ACCEPTED = accepted(
    "The same answer whether or not an account has this address; only an account's address gets a link.",
    recovery.RESET_REQUESTED,
)
RESEND_ACCEPTED = accepted(
    "The same answer whether or not an account waits for this address to be confirmed.",
    verification.RESEND_ACCEPTED,
)
MAIL_THROTTLED = error(
    "Too many requests from this client address, or for this email address (whoever asks); the "
    "Retry-After header says when to try again.",
    "Request was throttled. Expected available in 60 seconds.",
    "throttled",
)
INVALID_RESET_LINK = invalid(
    {"token": [tokens.INVALID_RESET_LINK]},
    description="On `token`: the link is invalid, has expired or was used. On `new_password`: Django's "
    "password validators refuse it.",
)
INVALID_KEY = invalid(
    {"key": [tokens.INVALID_KEY]},
    description="On `key`: the link is invalid or was used; or has expired (the message then says so).",
)
EMAIL_NOT_VERIFIED = error(
    "EMAIL_VERIFICATION=mandatory: the password is right, but the address is not confirmed yet. No "
    "tokens; POST /api/auth/email/verify/resend/ mails a new link.",
    verification.EMAIL_NOT_VERIFIED,
    "email_not_verified",
)

CSRF_FAILED = OpenApiExample(
    "csrf_failed",
    value={"detail": "CSRF Failed: CSRF token missing.", "code": "permission_denied"},
    response_only=True,
)
REFRESH_CSRF_FAILED = OpenApiResponse(
    response=Error,
    description="The refresh token came from its cookie, without the X-CSRFToken header (or with a wrong one, "
    "or from an Origin not in DJANGO_CSRF_TRUSTED_ORIGINS).",
    examples=[CSRF_FAILED],
)
LOGIN_FORBIDDEN = OpenApiResponse(
    response=Error,
    description="`email_not_verified`: EMAIL_VERIFICATION=mandatory, the password is right but the address is not "
    "confirmed yet (no tokens; POST /api/auth/email/verify/resend/ mails a new link). `csrf_failed`: "
    "`transport: cookie` without the X-CSRFToken header (GET /api/auth/csrf/ first), checked before the password.",
    examples=[*EMAIL_NOT_VERIFIED.examples, CSRF_FAILED],
)
LOGIN_CODE_CSRF_FAILED = OpenApiResponse(
    response=Error,
    description="`transport: cookie` without the X-CSRFToken header (GET /api/auth/csrf/ first); the mfa_token "
    "is not spent.",
    examples=[CSRF_FAILED],
)
LOGOUT_FORBIDDEN = OpenApiResponse(
    response=Error,
    description="The refresh token is another user's; or the cookie transport's CSRF check failed.",
    examples=[*forbidden("That refresh token belongs to another user.").examples, CSRF_FAILED],
)

LOGIN_REFUSED_FOR_NOW = OpenApiResponse(
    response=Error,
    description="Refused before the password is looked at, for one of two reasons that `code` tells apart; "
    "Retry-After says when to try again. `throttled`: too many login attempts from this client address "
    "(THROTTLE_LOGIN). `account_locked`: LOCKOUT_FAILURES wrong passwords for this username or email within "
    "LOCKOUT_WINDOW seconds, from any addresses; its logins are refused for LOCKOUT_WINDOW, or until the "
    "password is reset. The same answer whether or not the name has an account.",
    examples=[
        *THROTTLED.examples,
        OpenApiExample(
            "account_locked",
            value={
                "detail": f"{lockout.LOCKED} Expected available in 900 seconds.",
                "code": "account_locked",
            },
            response_only=True,
        ),
    ],
)
SECOND_STEP = OpenApiResponse(
    response=MfaChallengeSerializer,
    description="The password is right and the second factor is on: no tokens yet. POST the mfa_token with a "
    "code to /api/auth/token/mfa/ within expires_in seconds.",
    examples=[OpenApiExample("Second step", value=MFA_CHALLENGE_EXAMPLE, response_only=True)],
)
WRONG_PASSWORD = {"password": ["Your password was entered incorrectly."]}
CODE_REFUSED = {"code": [mfa.WRONG_CODE]}

# One row an operation: summary, description, answers (and what else differs).
# fmt: off

# --- auth: registration, tokens, logout, sessions -----------------------------------------
REGISTER = post("Register", "Create an account. Unknown fields such as is_staff are ignored. The address is mailed a link to confirm it (unless EMAIL_VERIFICATION=none); with EMAIL_VERIFICATION=mandatory the answer is 202, and the same for an address that already has an account.", {201: RegisteredUserSerializer, 202: REGISTRATION_ACCEPTED, 400: invalid({"username": [USERNAME_TAKEN]}), 429: THROTTLED})
LOGIN = post("Log in (obtain a token pair)", "Exchange a username or email and a password for an access and a refresh token. Each login is a session, listed at /api/auth/sessions/. With the second factor on, the answer is 202 with an mfa_token instead, and the session starts at /api/auth/token/mfa/. Limited per client address, and per username or email (account lockout: see 429)." + TOKENS_DESCRIPTION + " With the second factor on, `transport` is given at the second step.", {**pair({"password": ["This field is required."]}, BAD_CREDENTIALS), 202: SECOND_STEP, 403: LOGIN_FORBIDDEN, 429: LOGIN_REFUSED_FOR_NOW}, parameters=[SET_COOKIE])
LOGIN_CODE = post("Log in, second step (a TOTP or recovery code)", "With the mfa_token of the password step and a code from the authenticator app (or a recovery code, which is then spent): the token pair, and the login session starts. The mfa_token works once, for 5 minutes, and dies at the 5th wrong code; wrong codes are also limited per account." + TOKENS_DESCRIPTION, {200: TOKENS, 400: invalid(CODE_REFUSED, {"mfa_token": [mfa.LOGIN_OVER]}, description="On `code`: wrong, expired or already used; try another. On `mfa_token`: expired, spent, or too many wrong codes; log in again."), 403: LOGIN_CODE_CSRF_FAILED, 429: THROTTLED}, parameters=[SET_COOKIE])
REFRESH = post("Refresh (rotate) a token pair", "Exchange a refresh token for a new pair. The old refresh token stops working; presenting it again ends its whole login session." + TOKENS_DESCRIPTION + " Without `refresh` in the body, the refresh cookie is used (with the X-CSRFToken header), and the answer is always in cookies.", {**pair({"refresh": ["This field is required."]}, SESSION_OVER), 403: REFRESH_CSRF_FAILED}, parameters=[SET_COOKIE])
CSRF = extend_schema_view(get=operation("Get a CSRF token", "For a browser using the cookie transport, after a page reload: the token to send as the X-CSRFToken header with every POST, PUT, PATCH and DELETE; the answer also sets the csrftoken cookie. Limited per client address with the refresh (THROTTLE_REFRESH).", {200: CsrfTokenSerializer, 429: THROTTLED}))
VERIFY = post("Verify a token", "200 with an empty object if the token would be accepted right now.", {200: ACCEPTED, 400: invalid({"token": ["This field is required."]}), 401: REFUSED})
REVOKE = post("Revoke a token", "Revoke one access token, or a refresh token and with it its login session. Idempotent. Staff may revoke anyone's token.", {204: NO_CONTENT, 400: invalid({"token": ["Token is malformed or its signature is invalid."]}), 401: UNAUTHORIZED, 403: forbidden("You can only revoke your own tokens.")})
LOGOUT = post("Log out", "End the session of the access token (header or cookie), and of the refresh token if one is given (in the body, or the refresh cookie): both stop working. With the cookie transport, the answer deletes the cookies.", {204: NO_CONTENT, 400: invalid({"refresh": ["Not a valid refresh token."]}), 401: UNAUTHORIZED, 403: LOGOUT_FORBIDDEN}, parameters=[CLEAR_COOKIES])
LOGOUT_ALL = post("Log out everywhere", "Every token issued to you so far stops working; this browser's token cookies are deleted.", {204: NO_CONTENT, 401: UNAUTHORIZED}, request=None, parameters=[CLEAR_COOKIES])
SESSIONS = extend_schema_view(
    list=operation("List your live login sessions", "The session this request comes from is marked current. Each has a name: yours, or until you give one, a name made from its user agent. You hold at most MAX_SESSIONS_PER_USER (50) at once: a login beyond it ends the least recently used one.", {200: LoginSessionSerializer(many=True), 401: UNAUTHORIZED, 404: INVALID_PAGE}),
    partial_update=operation("Name a login session", "Give one of your live sessions a name you will recognise (\"Ada's phone\"), in place of the one its user agent gave it.", {200: LoginSessionSerializer, 400: invalid({"name": [CONTROL_CHARACTERS]}, description="On `name`: empty, longer than 100 characters, or holding a control character."), 401: UNAUTHORIZED, 404: not_found("LoginSession")}, request=LoginSessionNameSerializer),
    destroy=operation("End a login session", "Its refresh token and every access token issued in it stop working.", {204: NO_CONTENT, 401: UNAUTHORIZED, 404: not_found("LoginSession")}),
)

# --- auth: the second factor ---------------------------------------------------------------
TOTP_SETUP = post("Set up the second factor (TOTP)", "Confirm with your password. The answer is a new secret for an authenticator app (as text, otpauth:// URL and QR code); it is pending until confirmed with a first code, and replaces any earlier pending one.", {200: TotpSetupSerializer, 400: invalid(WRONG_PASSWORD, {"non_field_errors": [mfa.ALREADY_ON]}), 401: UNAUTHORIZED, 429: PASSWORD_THROTTLED})
TOTP_CONFIRM = post("Turn the second factor on", "With the code the app shows for the pending secret. The answer is ten recovery codes, shown this once; each works once in place of a TOTP code.", {200: RecoveryCodesSerializer, 400: invalid(CODE_REFUSED, {"non_field_errors": [mfa.NOT_SET_UP]}), 401: UNAUTHORIZED, 429: PASSWORD_THROTTLED})
TOTP = extend_schema_view(delete=operation("Turn the second factor off", "With both factors: your password and a TOTP or recovery code. The secret and the recovery codes are deleted.", {204: NO_CONTENT, 400: invalid(CODE_REFUSED, {"non_field_errors": [mfa.NOT_ON]}, description="On `password` or `code`: missing or wrong."), 401: UNAUTHORIZED, 429: PASSWORD_THROTTLED}, request=OpenApiRequest(BothFactorsSerializer)))
RECOVERY_CODES = post("Renew your recovery codes", "With both factors. Ten new codes, shown this once; every code of the old set stops working.", {200: RecoveryCodesSerializer, 400: invalid(CODE_REFUSED, {"non_field_errors": [mfa.NOT_ON]}, description="On `password` or `code`: missing or wrong."), 401: UNAUTHORIZED, 429: PASSWORD_THROTTLED})

# --- auth: password reset and email verification, by mail ------------------------------------
PASSWORD_RESET = post("Ask for a password reset", "Mails a link to set a new password to this address, if it is an account's. The answer, and the work the request does, are the same either way. The link works once, for PASSWORD_RESET_TIMEOUT (an hour). Limited per client address and per address asked for.", {202: RESET_ACCEPTED, 400: invalid({"email": ["This field is required."]}), 429: MAIL_THROTTLED})
PASSWORD_RESET_CONFIRM = post("Set a new password from a reset link", "Takes the link's uid and token. The password is set, every session of the user ends (all their tokens stop working), the link is spent, and the address gets a notice.", {204: NO_CONTENT, 400: INVALID_RESET_LINK})
EMAIL_VERIFY = post("Confirm an email address", "Takes the key of the mailed link: the account's address is verified, or its pending new address replaces the old one. A key works once, for EMAIL_VERIFICATION_TIMEOUT (three days).", {200: VerifiedEmailSerializer, 400: INVALID_KEY})
EMAIL_VERIFY_RESEND = post("Mail a new confirmation link", "For an account whose own address is not confirmed yet; the answer is the same for any address. (A pending new address gets a new link by PATCH /api/accounts/me/ again.) Limited like the password reset.", {202: RESEND_ACCEPTED, 400: invalid({"email": ["This field is required."]}), 429: MAIL_THROTTLED})

# --- accounts: your own, and users for staff ----------------------------------------------
ME = extend_schema_view(
    get=operation("Your account", "The profile of the user the token belongs to.", {200: MeSerializer, 401: UNAUTHORIZED}),
    patch=operation("Change your account", "Username and email stay unique whatever their case. A new email waits in pending_email, and `email` stays, until the new address is confirmed from the link mailed to it; the old address is told. With the second factor on, a new email needs `password` and `code` too.", {200: MeSerializer, 400: invalid({"email": [EMAIL_TAKEN]}, {"code": [mfa.CODE_REQUIRED]}), 401: UNAUTHORIZED, 429: PASSWORD_THROTTLED}),
    delete=operation("Delete your account", "Confirm with your password (and, with the second factor on, a code). Your authors go too, and your tokens stop working; this browser's token cookies are deleted.", {204: NO_CONTENT, 400: invalid(WRONG_PASSWORD, CODE_REFUSED), 401: UNAUTHORIZED, 429: PASSWORD_THROTTLED}, request=OpenApiRequest(DeleteAccountSerializer), parameters=[CLEAR_COOKIES]),
)
PASSWORD_CHANGE = post("Change your password", "With the second factor on, a code too. Every earlier token stops working; the answer is a fresh pair: in the body, or, when the request came with the access cookie, in fresh cookies (the body then holds their expiry times).", {200: TOKENS, 400: invalid({"old_password": ["Your old password was entered incorrectly."]}, CODE_REFUSED), 401: UNAUTHORIZED, 429: PASSWORD_THROTTLED}, parameters=[SET_COOKIE])
USERS = extend_schema_view(
    list=operation("List users", USER_FIELDS, {200: user_by_role(many=True), 401: UNAUTHORIZED, 404: INVALID_PAGE}, examples=USER_EXAMPLES),
    retrieve=operation("One user", USER_FIELDS, {200: user_by_role(), 401: UNAUTHORIZED, 404: NO_SUCH_USER}, examples=USER_EXAMPLES),
    partial_update=operation("Activate, deactivate, promote or demote a user (staff)", "Deactivating takes effect on that user's very next request. Staff act on accounts that are not staff; only superusers change is_staff or act on staff.", {200: StaffUserSerializer, 400: invalid({"non_field_errors": ["You cannot deactivate or demote your own account."]}), 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NO_SUCH_USER}, request=StaffUserSerializer),
    destroy=operation("Delete a user (staff)", "The user, their authors and their sessions go. Staff delete their own account at /me/.", {204: NO_CONTENT, 400: invalid({"non_field_errors": ["Delete your own account at /api/accounts/me/."]}), 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NO_SUCH_USER}),
)

# --- auth: the security log ---------------------------------------------------------------
BAD_EVENT_QUERY = invalid(
    {"type": ["Select a valid choice. bogus is not one of the available choices."]},
    {"created_after": ["Enter a valid date/time."]},
    {"user": [ONLY_STAFF_NAME_A_USER]},
    description="A filter value is invalid: an unknown type, a time that is not ISO 8601, or `user` from someone who is not staff.",
)
EVENTS = extend_schema_view(
    get=operation("Your security log", "Your own events, newest first, paginated: logins (and failed ones naming your account), sessions and tokens ended, password, address and flag changes, each with its time, client and session. `identifier` shows only what names your own account. Staff may name another user with `user`. Events older than the server keeps (manage.py prune_events, 180 days by default) are gone.", {200: SecurityEventSerializer(many=True), 400: BAD_EVENT_QUERY, 401: UNAUTHORIZED, 404: INVALID_PAGE}),
)
# --- auth: the public keys other services check our tokens with ---------------------------
JWKS = extend_schema_view(get=operation("The token signing keys (JWK Set)", "The public keys of the keyring as an RFC 7517 JWK Set, each with `kid`, `alg` and `use`; also served at /.well-known/jwks.json. A service checks our access tokens with them offline (a revoked token stays accepted until it expires; POST /api/auth/token/verify/ sees revocation at once). Empty with HS256, whose key is a shared secret. Cacheable: Cache-Control max-age and an ETag (If-None-Match answers 304).", {200: KEY_SET, 304: NOT_MODIFIED, 400: UNKNOWN_HOST}))
UNDOCUMENTED = extend_schema(exclude=True)
# fmt: on
