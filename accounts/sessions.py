"""Login sessions: log in, rotate, verify, revoke, log out.

Every login starts a `LoginSession`; its refresh and access tokens carry the session's
id in the `sid` claim. The rules, in the order a client meets them:

- Login checks the password (and, with EMAIL_VERIFICATION=mandatory, that the address
  is verified: accounts/verification.py) and issues a pair and a session. Only the session's latest
  refresh token can be exchanged; the exchange (rotation) swaps it atomically for a new
  one.
- Presenting a refresh token that is no longer the session's latest is reuse of a
  rotated (possibly stolen) token: the whole session ends.
- An access token is accepted while its user is active, its session has not ended and
  its own id has not been revoked (accounts/access.py checks it on every request).
- Revoking an access token revokes that token only. Revoking a refresh token (the
  current one or any rotated one before it), logging out or deleting a session ends the
  session: its refresh and every access token issued
  in it stop working. Logging out everywhere ends all of a user's sessions.

SimpleJWT's outstanding and blacklisted token tables are kept in step (a refresh token
is outstanding when issued and blacklisted when rotated or its session ends) so staff
can read them in the admin; the signed token itself is never stored.
"""

import uuid
from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import events, jwt, lockout, verification
from .access import user_for_access
from .errors import ExpiredToken, InvalidCredentials, InvalidToken
from .models import LoginSession, RevokedAccessToken, User


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    session: LoginSession | None = None  # the new session of a login; a rotation does not read it back


# --- start and rotate ------------------------------------------------------------------


def log_in(*, username: str, password: str, user_agent: str = "", ip: str | None = None) -> TokenPair:
    """Check credentials and start a session; every failure gets the same answer."""
    lockout.check(username)  # before the hash
    user = authenticate(None, username=username, password=password)
    if user is None:
        events.record(events.Type.LOGIN_FAILED, identifier=username, user_agent=user_agent, ip=ip)
        lockout.note_failure(username, user_agent=user_agent, ip=ip)
        raise InvalidCredentials("No active account found with the given credentials.")
    verification.check_may_log_in(user)
    pair = start_session(user=user, user_agent=user_agent, ip=ip)
    events.record(
        events.Type.LOGIN_SUCCEEDED, user=user, session_id=pair.session.pk, user_agent=user_agent, ip=ip
    )
    return pair


def start_session(*, user: User, user_agent: str = "", ip: str | None = None) -> TokenPair:
    """Log `user` in: a new login session and its first token pair."""
    session_id = uuid.uuid4()
    refresh = jwt.new_refresh(user.pk, session_id)
    with transaction.atomic():
        session = LoginSession.objects.create(
            id=session_id,
            user=user,
            refresh_jti=refresh[jwt.JTI_CLAIM],
            expires_at=jwt.expiry(refresh),
            user_agent=(user_agent or "")[:255],
            ip=ip,
        )
        jwt.record_issued(refresh, user.pk)
        User.objects.filter(pk=user.pk).update(last_login=jwt.issued_at(refresh))
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh), session=session)


def rotate(raw_refresh: str) -> TokenPair:
    """Exchange the session's latest refresh token for a new pair; reuse ends the session."""
    refresh = jwt.decode_refresh(raw_refresh)
    session_id, user_id = jwt.claim_session(refresh), jwt.claim_user(refresh)
    new_refresh = jwt.new_refresh(user_id, session_id)
    with transaction.atomic():
        # Compare-and-swap: of any number of concurrent exchanges of one token, exactly
        # one matches the old id; every other one finds it gone. The UPDATE filters only
        # on the session's own columns, so PostgreSQL re-checks them on the row it locks.
        active = User.objects.filter(pk=user_id, is_active=True).exists()
        swapped = active and (
            LoginSession.objects.live()
            .filter(pk=session_id, refresh_jti=refresh[jwt.JTI_CLAIM])
            .update(
                refresh_jti=new_refresh[jwt.JTI_CLAIM],
                expires_at=jwt.expiry(new_refresh),
                last_used_at=jwt.issued_at(new_refresh),
            )
        )
        if swapped:
            jwt.record_issued(new_refresh, user_id)
            jwt.record_blacklisted([refresh[jwt.JTI_CLAIM]])
    if not swapped:
        end_sessions(LoginSession.objects.filter(pk=session_id))
        raise InvalidToken("Refresh token was already used, revoked or expired; log in again.")
    return TokenPair(access=str(new_refresh.access_token), refresh=str(new_refresh))


# --- check -------------------------------------------------------------------------------


def verify(raw_token: str) -> None:
    """Raise InvalidToken unless `raw_token` would be accepted right now."""
    token = jwt.decode(raw_token)
    kind = jwt.kind(token)
    if kind == jwt.ACCESS:
        user_for_access(token)
    elif kind == jwt.REFRESH:
        current = LoginSession.objects.live().filter(
            pk=jwt.claim_session(token),
            refresh_jti=jwt.claim_jti(token),
            user_id=jwt.claim_user(token),
            user__is_active=True,
        )
        if not current.exists():
            raise InvalidToken("Refresh token was already used, revoked or expired.")
    else:
        raise InvalidToken("Token has an unknown type.")


# --- end -----------------------------------------------------------------------------------


def revoke(raw_token: str, *, by: User) -> None:
    """Revoke one token on behalf of `by`, who must own it or be staff. Idempotent."""
    try:
        token = jwt.decode(raw_token)
    except ExpiredToken:
        return  # An expired token is already refused; nothing is left to revoke.
    except InvalidToken:
        raise ValidationError({"token": ["Token is malformed or its signature is invalid."]}) from None
    try:
        owner_id, session_id, jti = jwt.claim_user(token), jwt.claim_session(token), jwt.claim_jti(token)
    except InvalidToken:
        raise ValidationError({"token": ["Token lacks the claims of this API's tokens."]}) from None
    if owner_id != by.pk and not by.is_staff:
        raise PermissionDenied("You can only revoke your own tokens.")
    kind = jwt.kind(token)
    if kind == jwt.REFRESH:
        # Any refresh token of the session, current or rotated: its owner says it leaked.
        end_sessions(LoginSession.objects.filter(pk=session_id, user_id=owner_id))
    elif kind == jwt.ACCESS:
        RevokedAccessToken.objects.bulk_create(
            [RevokedAccessToken(jti=jti, expires_at=jwt.expiry(token))],
            ignore_conflicts=True,
        )
    else:
        raise ValidationError({"token": ["Token is neither an access nor a refresh token."]})


def log_out(*, user: User, access: jwt.Token | None = None, raw_refresh: str | None = None) -> None:
    """End the session of the bearer access token, and that of `raw_refresh` if given.

    The refresh token must be `user`'s; an expired one has no session left to end.
    """
    session_ids = [jwt.claim_session(access)] if access is not None else []
    if raw_refresh:
        try:
            refresh = jwt.decode_refresh(raw_refresh)
        except ExpiredToken:
            refresh = None
        except InvalidToken:
            raise ValidationError({"refresh": ["Not a valid refresh token."]}) from None
        if refresh is not None:
            if jwt.claim_user(refresh) != user.pk:
                raise PermissionDenied("That refresh token belongs to another user.")
            session_ids.append(jwt.claim_session(refresh))
    end_sessions(LoginSession.objects.filter(pk__in=session_ids, user=user))


def end_sessions(sessions: QuerySet[LoginSession]) -> int:
    """End the given sessions: their refresh and access tokens stop working at once."""
    with transaction.atomic():
        open_sessions = sessions.filter(revoked_at__isnull=True)
        refresh_jtis = list(open_sessions.values_list("refresh_jti", flat=True))
        ended = open_sessions.update(revoked_at=timezone.now())
        jwt.record_blacklisted(refresh_jtis)
    return ended


def end_all_sessions(user: User) -> int:
    """Log `user` out everywhere: every token issued to them so far stops working, and so
    does every browser login (the admin's, the browsable API's) made before now."""
    with transaction.atomic():
        user.sessions_ended_at = timezone.now()
        User.objects.filter(pk=user.pk).update(sessions_ended_at=user.sessions_ended_at)
        return end_sessions(LoginSession.objects.filter(user=user))
