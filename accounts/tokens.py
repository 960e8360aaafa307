"""The token lifecycle: issue, rotate, verify, revoke, and the check on each request.

Every login starts a `LoginSession`; its refresh and access tokens carry the session's
id in the `sid` claim. The rules, in the order a client meets them:

- Login issues a pair and a session. Only the session's latest refresh token can be
  exchanged; the exchange (rotation) swaps it atomically for a new one.
- Presenting a refresh token that is no longer the session's latest is reuse of a
  rotated (possibly stolen) token: the whole session ends.
- An access token is accepted while its user exists and is active, its session has not
  ended, and its own id has not been revoked. That is one indexed query, the same one
  that loads the user, so a revocation is seen on the very next request by every
  process that shares the database.
- Revoking an access token revokes that token only. Revoking a refresh token, logging
  out or deleting a session ends the session: its refresh and every access token issued
  in it stop working. Logging out everywhere ends all of a user's sessions.

SimpleJWT's outstanding and blacklisted token tables are kept in step (a refresh token
is outstanding when issued and blacklisted when rotated or its session ends) so staff
can read them in the admin; the signed token itself is never stored.
"""

import functools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework_simplejwt.exceptions import (
    ExpiredTokenError,
    InvalidToken,
    TokenError,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)
from rest_framework_simplejwt.tokens import (
    AccessToken,
    RefreshToken,
    Token,
    UntypedToken,
)
from rest_framework_simplejwt.utils import datetime_from_epoch

from .models import LoginSession, RevokedAccessToken, User

SESSION_CLAIM = "sid"
USER_ID = re.compile(r"[0-9]{1,18}")
USER_CLAIM = api_settings.USER_ID_CLAIM
JTI_CLAIM = api_settings.JTI_CLAIM


class SessionRefreshToken(RefreshToken):
    """A refresh token judged by its session, not by SimpleJWT's blacklist lookup.

    The blacklist would refuse a rotated token before `rotate` could see the reuse.
    """

    def check_blacklist(self) -> None:
        pass


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    session: LoginSession


# --- issue and rotate ----------------------------------------------------------------


def start_session(*, user: User, user_agent: str = "", ip: str | None = None) -> TokenPair:
    """Log `user` in: a new login session and its first token pair."""
    session_id = uuid.uuid4()
    refresh = _new_refresh(user.pk, session_id)
    with transaction.atomic():
        session = LoginSession.objects.create(
            id=session_id,
            user=user,
            refresh_jti=refresh[JTI_CLAIM],
            expires_at=_expiry(refresh),
            user_agent=(user_agent or "")[:255],
            ip=ip,
        )
        _outstand(refresh, user.pk)
        User.objects.filter(pk=user.pk).update(last_login=refresh.current_time)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh), session=session)


def rotate(raw_refresh: str) -> TokenPair:
    """Exchange the session's latest refresh token for a new pair; reuse ends the session."""
    refresh = _decode(raw_refresh, SessionRefreshToken)
    session_id, user_id = _claim_session(refresh), _claim_user(refresh)
    new_refresh = _new_refresh(user_id, session_id)
    with transaction.atomic():
        # Compare-and-swap: of any number of concurrent exchanges of one token, exactly
        # one matches the old id; every other one finds it gone. The UPDATE filters only
        # on the session's own columns, so PostgreSQL re-checks them on the row it locks.
        active = User.objects.filter(pk=user_id, is_active=True).exists()
        swapped = active and (
            LoginSession.objects.live()
            .filter(pk=session_id, refresh_jti=refresh[JTI_CLAIM])
            .update(
                refresh_jti=new_refresh[JTI_CLAIM],
                expires_at=_expiry(new_refresh),
                last_used_at=new_refresh.current_time,
            )
        )
        if swapped:
            _outstand(new_refresh, user_id)
            _blacklist([refresh[JTI_CLAIM]])
    if not swapped:
        end_sessions(LoginSession.objects.filter(pk=session_id))
        raise InvalidToken("Refresh token was already used, revoked or expired; log in again.")
    session = LoginSession.objects.get(pk=session_id)
    return TokenPair(access=str(new_refresh.access_token), refresh=str(new_refresh), session=session)


# --- check -------------------------------------------------------------------------


def user_for_access(token: Token) -> User:
    """The user an access token speaks for, or InvalidToken if it must be refused."""
    session_id, user_id, jti = _claim_session(token), _claim_user(token), _claim_jti(token)
    params = [user_id, True, LoginSession._meta.pk.get_db_prep_value(session_id, connection), jti]
    user = next(iter(User.objects.raw(_access_check_sql(connection.vendor), params)), None)
    if user is None:
        raise InvalidToken("Token has been revoked, or its user is inactive or gone.")
    return user


@functools.cache
def _access_check_sql(vendor: str) -> str:
    """The check on every request, as one statement: the active user, if the token's
    session is live and the token itself not revoked. Written as SQL because the ORM
    spends ~0.7 ms building this query on each request; the lookup itself takes ~10 us."""
    quote = connection.ops.quote_name
    user, session, revoked = User._meta, LoginSession._meta, RevokedAccessToken._meta
    columns = ", ".join(f"u.{quote(field.column)}" for field in user.concrete_fields)
    # Only identifiers from the models go into the text; every value is a parameter.
    return (
        f"SELECT {columns} FROM {quote(user.db_table)} u"  # noqa: S608
        f" WHERE u.{quote(user.pk.column)} = %s AND u.{quote('is_active')} = %s"
        f" AND EXISTS (SELECT 1 FROM {quote(session.db_table)} s WHERE s.{quote(session.pk.column)} = %s"
        f" AND s.{quote('user_id')} = u.{quote(user.pk.column)} AND s.{quote('revoked_at')} IS NULL)"
        f" AND NOT EXISTS (SELECT 1 FROM {quote(revoked.db_table)} r WHERE r.{quote('jti')} = %s)"
    )


def verify(raw_token: str) -> None:
    """Raise InvalidToken unless `raw_token` would be accepted right now."""
    token = _decode(raw_token, UntypedToken)
    kind = token.get(api_settings.TOKEN_TYPE_CLAIM)
    if kind == AccessToken.token_type:
        user_for_access(token)
    elif kind == RefreshToken.token_type:
        current = LoginSession.objects.live().filter(
            pk=_claim_session(token),
            refresh_jti=_claim_jti(token),
            user_id=_claim_user(token),
            user__is_active=True,
        )
        if not current.exists():
            raise InvalidToken("Refresh token was already used, revoked or expired.")
    else:
        raise InvalidToken("Token has an unknown type.")


# --- revoke --------------------------------------------------------------------------


def revoke(raw_token: str, *, by: User) -> None:
    """Revoke one token on behalf of `by`, who must own it or be staff. Idempotent."""
    try:
        token = UntypedToken(raw_token)
    except ExpiredTokenError:
        return  # An expired token is already refused; nothing is left to revoke.
    except TokenError:
        raise ValidationError({"token": ["Token is malformed or its signature is invalid."]}) from None
    try:
        owner_id, session_id, jti = (
            _claim_user(token),
            _claim_session(token),
            _claim_jti(token),
        )
    except InvalidToken:
        raise ValidationError({"token": ["Token lacks the claims of this API's tokens."]}) from None
    if owner_id != by.pk and not by.is_staff:
        raise PermissionDenied("You can only revoke your own tokens.")
    kind = token.get(api_settings.TOKEN_TYPE_CLAIM)
    if kind == RefreshToken.token_type:
        end_sessions(LoginSession.objects.filter(pk=session_id, refresh_jti=jti))
    elif kind == AccessToken.token_type:
        RevokedAccessToken.objects.bulk_create(
            [RevokedAccessToken(jti=jti, expires_at=_expiry(token))],
            ignore_conflicts=True,
        )
    else:
        raise ValidationError({"token": ["Token is neither an access nor a refresh token."]})


def log_out(*, user: User, access: Token | None, raw_refresh: str | None = None) -> None:
    """End the session of the bearer access token, and that of `raw_refresh` if given.

    The refresh token must be `user`'s; an expired one has no session left to end.
    """
    session_ids = [_claim_session(access)] if access is not None else []
    if raw_refresh:
        try:
            refresh = SessionRefreshToken(raw_refresh)
        except ExpiredTokenError:
            refresh = None
        except TokenError:
            raise ValidationError({"refresh": ["Not a valid refresh token."]}) from None
        if refresh is not None:
            if _claim_user(refresh) != user.pk:
                raise PermissionDenied("That refresh token belongs to another user.")
            session_ids.append(_claim_session(refresh))
    end_sessions(LoginSession.objects.filter(pk__in=session_ids, user=user))


def end_sessions(sessions: QuerySet[LoginSession]) -> int:
    """End the given sessions: their refresh and access tokens stop working at once."""
    with transaction.atomic():
        open_sessions = sessions.filter(revoked_at__isnull=True)
        refresh_jtis = list(open_sessions.values_list("refresh_jti", flat=True))
        ended = open_sessions.update(revoked_at=timezone.now())
        _blacklist(refresh_jtis)
    return ended


def end_all_sessions(user: User) -> int:
    """Log `user` out everywhere: every token issued to them so far stops working."""
    return end_sessions(LoginSession.objects.filter(user=user))


def prune_expired(
    *, batch_size: int = 5000, on_batch: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Delete records that can no longer matter because the tokens they govern expired.

    Deletes run in batches so that no single statement holds the tables for long;
    `on_batch(table, rows)` hears of each one.
    """
    now = timezone.now()
    expired = {
        "sessions": LoginSession.objects.filter(expires_at__lte=now),
        "revoked access tokens": RevokedAccessToken.objects.filter(expires_at__lte=now),
        "outstanding tokens": OutstandingToken.objects.filter(expires_at__lte=now),
    }
    return {
        table: _delete_in_batches(
            rows, batch_size, lambda count, table=table: on_batch and on_batch(table, count)
        )
        for table, rows in expired.items()
    }


# --- internals -----------------------------------------------------------------------


def _new_refresh(user_id: int, session_id: uuid.UUID) -> RefreshToken:
    refresh = SessionRefreshToken()
    refresh[USER_CLAIM] = str(user_id)
    refresh[SESSION_CLAIM] = str(session_id)
    return refresh


def _outstand(refresh: RefreshToken, user_id: int) -> None:
    OutstandingToken.objects.create(
        user_id=user_id,
        jti=refresh[JTI_CLAIM],
        token="",  # The signed token is a credential; the admin needs only its id.
        created_at=refresh.current_time,
        expires_at=_expiry(refresh),
    )


def _blacklist(jtis: list[str]) -> None:
    outstanding = OutstandingToken.objects.filter(jti__in=jtis)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


def _decode(raw: str, token_class: type[Token]) -> Token:
    try:
        return token_class(raw)
    except TokenError as error:
        raise InvalidToken(str(error)) from None


def _expiry(token: Token) -> datetime:
    return datetime_from_epoch(token["exp"])


def _claim_user(token: Token) -> int:
    value = token.get(USER_CLAIM)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not USER_ID.fullmatch(str(value)):
        raise InvalidToken("Token has no valid user id.")
    return int(value)


def _claim_session(token: Token) -> uuid.UUID:
    try:
        return uuid.UUID(str(token[SESSION_CLAIM]))
    except (KeyError, ValueError):
        raise InvalidToken("Token has no valid session id.") from None


def _claim_jti(token: Token) -> str:
    value = token.get(JTI_CLAIM)
    if not isinstance(value, str) or not value:
        raise InvalidToken("Token has no valid id.")
    return value


def _delete_in_batches(rows: QuerySet, batch_size: int, on_batch: Callable[[int], None]) -> int:
    deleted = 0
    while batch := list(rows.values_list("pk", flat=True)[:batch_size]):
        rows.model.objects.filter(pk__in=batch).delete()
        deleted += len(batch)
        on_batch(len(batch))
    return deleted
