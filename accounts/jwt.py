"""Our tokens as SimpleJWT makes them: the token classes, the claims we add, and
SimpleJWT's outstanding and blacklisted tables, kept in step for the admin.

This is the one module that knows SimpleJWT's API. The session rules
(accounts/sessions.py) speak of sessions, users and token ids; what goes wrong here
comes out as accounts.errors.InvalidToken.
"""

import re
import uuid
from datetime import datetime

from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token, UntypedToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from .errors import ExpiredToken, InvalidToken

SESSION_CLAIM = "sid"
USER_CLAIM = api_settings.USER_ID_CLAIM
JTI_CLAIM = api_settings.JTI_CLAIM
ACCESS = AccessToken.token_type
REFRESH = RefreshToken.token_type

USER_ID = re.compile(r"[0-9]{1,18}")


class SessionRefreshToken(RefreshToken):
    """A refresh token judged by its session, not by SimpleJWT's blacklist lookup.

    The blacklist would refuse a rotated token before the session rules could see the reuse.
    """

    def check_blacklist(self) -> None:
        pass


def new_refresh(user_id: int, session_id: uuid.UUID) -> RefreshToken:
    """A signed refresh token of `user_id` in session `session_id`; its access token
    (`.access_token`) carries the same claims."""
    refresh = SessionRefreshToken()
    refresh[USER_CLAIM] = str(user_id)
    refresh[SESSION_CLAIM] = str(session_id)
    return refresh


def decode(raw: str, token_class: type[Token] = UntypedToken) -> Token:
    """Check the signature, expiry and (for a typed class) the kind of `raw`."""
    try:
        return token_class(raw)
    except ExpiredTokenError as error:
        raise ExpiredToken(str(error)) from None
    except TokenError as error:
        raise InvalidToken(str(error)) from None


def decode_refresh(raw: str) -> Token:
    return decode(raw, SessionRefreshToken)


def kind(token: Token) -> str | None:
    """ACCESS, REFRESH, or whatever else a validly signed token claims to be."""
    return token.get(api_settings.TOKEN_TYPE_CLAIM)


def expiry(token: Token) -> datetime:
    return datetime_from_epoch(token["exp"])


def issued_at(token: Token) -> datetime:
    return token.current_time


def claim_user(token: Token) -> int:
    value = token.get(USER_CLAIM)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not USER_ID.fullmatch(str(value)):
        raise InvalidToken("Token has no valid user id.")
    return int(value)


def claim_session(token: Token) -> uuid.UUID:
    try:
        return uuid.UUID(str(token[SESSION_CLAIM]))
    except (KeyError, ValueError):
        raise InvalidToken("Token has no valid session id.") from None


def claim_jti(token: Token) -> str:
    value = token.get(JTI_CLAIM)
    if not isinstance(value, str) or not value:
        raise InvalidToken("Token has no valid id.")
    return value


def record_issued(refresh: RefreshToken, user_id: int) -> None:
    """List a new refresh token among SimpleJWT's outstanding tokens (for the admin)."""
    OutstandingToken.objects.create(
        user_id=user_id,
        jti=refresh[JTI_CLAIM],
        token="",  # The signed token is a credential; the admin needs only its id.
        created_at=refresh.current_time,
        expires_at=expiry(refresh),
    )


def record_blacklisted(jtis: list[str]) -> None:
    """Mark refresh tokens as blacklisted in SimpleJWT's table (for the admin)."""
    outstanding = OutstandingToken.objects.filter(jti__in=jtis)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
