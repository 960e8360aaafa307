"""Our tokens as SimpleJWT makes them: the token classes, the claims we add, how they
are signed and checked with the keyring, and SimpleJWT's outstanding and blacklisted
tables, kept in step for the admin.

This is the one module that knows SimpleJWT's API. The session rules
(accounts/sessions.py) speak of sessions, users and token ids; what goes wrong here
comes out as accounts.errors.InvalidToken.
"""

import base64
import binascii
import functools
import json
import re
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import jwt as pyjwt
from django.db import connections, router
from django.utils import timezone
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import (
    ExpiredTokenError,
    TokenBackendError,
    TokenBackendExpiredToken,
    TokenError,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token, UntypedToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from library import sql

from . import keyring
from .errors import ExpiredToken, InvalidToken

SESSION_CLAIM = "sid"
USER_CLAIM = api_settings.USER_ID_CLAIM
JTI_CLAIM = api_settings.JTI_CLAIM
TYPE_CLAIM = api_settings.TOKEN_TYPE_CLAIM
ACCESS = AccessToken.token_type
REFRESH = RefreshToken.token_type

# A token's claims: SimpleJWT's Token, or the dict access_claims() gives.
Claims = Token | Mapping[str, Any]

USER_ID = re.compile(r"[0-9]{1,18}")
# The header fields a token of ours has. Any other (`jku`, `x5u`, `jwk`, `x5c`, `crit`...)
# asks the verifier to trust a key or a rule from the token itself: refused, never followed.
HEADER_FIELDS = {"alg", "typ", "kid"}
INVALID, EXPIRED = "Token is invalid", "Token is expired"


class KeyringBackend(TokenBackend):
    """SimpleJWT's token backend, signing with the keyring's current key and verifying
    with the key a token names (`kid`), in that key's own algorithm only."""

    def encode(self, payload: dict[str, Any]) -> str:
        key = keyring.signing_key()
        return pyjwt.encode(payload, key.signing, algorithm=key.algorithm, headers={"kid": key.kid})

    def decode(self, token: str | bytes, verify: bool = True) -> dict[str, Any]:
        # SimpleJWT answers every refusal as "Token is invalid" (or expired), whatever
        # the backend says; so do we.
        header = _unverified_header(token)
        key = keyring.verifying_key(header.get("kid"))
        if key is None or not set(header) <= HEADER_FIELDS:
            raise TokenBackendError(INVALID)
        try:
            # That key's own algorithm only: a token naming another (`none`, HS256 with a
            # public key as its secret...) is refused here.
            return pyjwt.decode(
                token,
                key.verifying,
                algorithms=[key.algorithm],
                leeway=self.get_leeway(),
                options={"verify_signature": verify},
            )
        except pyjwt.ExpiredSignatureError as error:
            raise TokenBackendExpiredToken(EXPIRED) from error
        except pyjwt.InvalidTokenError as error:
            raise TokenBackendError(INVALID) from error


def _unverified_header(token: str | bytes) -> dict[str, Any]:
    """The header, read only to choose the key: PyJWT then checks the whole token again,
    its `alg` included. (PyJWT's own get_unverified_header validates every segment, which
    doubled the cost of checking a token.)"""
    try:
        segment = (token.decode() if isinstance(token, bytes) else token).partition(".")[0]
        header = json.loads(base64.urlsafe_b64decode(segment + "=="))  # extra padding is ignored
    except (ValueError, TypeError, binascii.Error):
        raise TokenBackendError(INVALID) from None
    if not isinstance(header, dict):
        raise TokenBackendError(INVALID)
    return header


# The algorithm given here is SimpleJWT's setting, which nothing reads: each key has its own.
BACKEND = KeyringBackend(api_settings.ALGORITHM, leeway=api_settings.LEEWAY)


class SignedAccessToken(AccessToken):
    """An access token signed and checked by the keyring."""

    _token_backend = BACKEND


class SignedUntypedToken(UntypedToken):
    _token_backend = BACKEND


class SessionRefreshToken(RefreshToken):
    """A refresh token judged by its session, not by SimpleJWT's blacklist lookup.

    The blacklist would refuse a rotated token before the session rules could see the reuse.
    """

    _token_backend = BACKEND
    access_token_class = SignedAccessToken

    def check_blacklist(self) -> None:
        pass


def new_refresh(user_id: int, session_id: uuid.UUID) -> RefreshToken:
    """A signed refresh token of `user_id` in session `session_id`; its access token
    (`.access_token`) carries the same claims."""
    refresh = SessionRefreshToken()
    refresh[USER_CLAIM] = str(user_id)
    refresh[SESSION_CLAIM] = str(session_id)
    return refresh


def decode(raw: str, token_class: type[Token] = SignedUntypedToken) -> Token:
    """Check the signature, expiry and (for a typed class) the kind of `raw`."""
    try:
        return token_class(raw)
    except ExpiredTokenError as error:
        raise ExpiredToken(str(error)) from None
    except TokenError as error:
        raise InvalidToken(str(error)) from None


def decode_refresh(raw: str) -> Token:
    return decode(raw, SessionRefreshToken)


def access_claims(raw: str | bytes) -> Mapping[str, Any]:
    """The claims of `raw` if SignedAccessToken would accept it, else InvalidToken.

    The same rules (the keyring's signature and expiry check, an `exp` and a `jti`, the
    access type) without building SimpleJWT's token objects, which cost more than the
    signature check itself on every authenticated request. A refusal says no more than
    "Token is invalid": a caller that must tell why asks SimpleJWT (decode()).
    """
    checked = _CHECKED.get(raw)
    if checked is not None:
        claims, kid = checked
        if claims["exp"] > time.time() - BACKEND.get_leeway().total_seconds() and keyring.verifying_key(kid):
            return claims
        _CHECKED.pop(raw, None)
    try:
        header, claims = _unverified_header(raw), BACKEND.decode(raw)
    except TokenBackendError:
        raise InvalidToken(INVALID) from None
    # PyJWT has checked `exp` if there is one; SimpleJWT requires one.
    if "exp" not in claims or JTI_CLAIM not in claims or claims.get(TYPE_CLAIM) != ACCESS:
        raise InvalidToken(INVALID)
    if len(_CHECKED) >= CHECKED_TOKENS:
        _CHECKED.clear()
    claims = MappingProxyType(claims)
    _CHECKED[raw] = (claims, header["kid"])
    return claims


# Access tokens whose signature this process has checked, by their text, with their key
# id. A client sends the same access token with each request of its lifetime, and PyJWT's
# checks (its key preparation above all) were most of what authentication cost (~150 us
# a request). A token is only let in once verified, and each use still checks its expiry
# and that its key still verifies, so a dropped key refuses its tokens as before; the
# revocation check (accounts/access.py) is on every request either way. Read-only claims;
# at most CHECKED_TOKENS, then emptied; each process has its own.
CHECKED_TOKENS = 4096
_CHECKED: dict[str | bytes, tuple[Mapping[str, Any], str]] = {}


def kind(token: Token) -> str | None:
    """ACCESS, REFRESH, or whatever else a validly signed token claims to be."""
    return token.get(TYPE_CLAIM)


def expiry(token: Token) -> datetime:
    return datetime_from_epoch(token["exp"])


def issued_at(token: Token) -> datetime:
    return token.current_time


def claim_user(token: Claims) -> int:
    value = token.get(USER_CLAIM)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not USER_ID.fullmatch(str(value)):
        raise InvalidToken("Token has no valid user id.")
    return int(value)


def claim_session(token: Claims) -> uuid.UUID:
    try:
        return uuid.UUID(str(token[SESSION_CLAIM]))
    except (KeyError, ValueError):
        raise InvalidToken("Token has no valid session id.") from None


def claim_jti(token: Claims) -> str:
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
    """Mark refresh tokens as blacklisted in SimpleJWT's table (for the admin).

    One INSERT ... SELECT, which the ORM has not, since every refresh does this: a token
    without an outstanding row is skipped, one already blacklisted stays as it was."""
    if not jtis:
        return
    using = router.db_for_write(BlacklistedToken)
    connection = connections[using]
    listed = functools.partial(sql.column, using, BlacklistedToken)
    outstanding = functools.partial(sql.column, using, OutstandingToken)
    params = {f"jti{n}": jti for n, jti in enumerate(jtis)}
    now = BlacklistedToken._meta.get_field("blacklisted_at").get_db_prep_value(timezone.now(), connection)
    ids = ", ".join(f"%({name})s" for name in params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {sql.table(using, BlacklistedToken)} ({listed('token')}, {listed('blacklisted_at')})"  # noqa: S608
            f" SELECT o.{outstanding('id')}, %(now)s FROM {sql.table(using, OutstandingToken)} o"
            f" WHERE o.{outstanding('jti')} IN ({ids}) ON CONFLICT ({listed('token')}) DO NOTHING",
            {**params, "now": now},
        )
