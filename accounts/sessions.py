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
- A session is named after its client ("Firefox on Linux") until its owner renames it.
  Starting one beyond MAX_SESSIONS_PER_USER ends the least recently used ones, so a
  leaked password cannot pile up sessions; a login from a client and address the user
  has not logged in from lately mails a "new sign-in" notice.
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
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import events, jwt, lockout, mail, mfa, selectors, tasks, verification
from .access import user_for_access
from .client import client_name
from .errors import ExpiredToken, InvalidCredentials, InvalidToken
from .models import LoginSession, RevokedAccessToken, User

# A refresh token that is not its session's latest: rotation and verify answer the same.
SESSION_OVER = "Refresh token was already used, revoked or expired; log in again."


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    session: LoginSession | None = None  # the new session of a login; a rotation does not read it back


# --- start and rotate ------------------------------------------------------------------


def log_in(
    *, username: str, password: str, user_agent: str = "", ip: str | None = None
) -> TokenPair | mfa.Challenge:
    """Check credentials and start a session; every failure gets the same answer. With
    TOTP on, the session starts at log_in_with_code instead (accounts/mfa.py)."""
    lockout.check(username)  # before the hash
    user = authenticate(None, username=username, password=password)
    if user is None:
        # The account the identifier names, if any, so that its owner sees the attempt in
        # their log; one indexed read, whether or not there is one.
        named = selectors.users_identified_by(username).first()
        events.record(events.Type.LOGIN_FAILED, user=named, identifier=username, user_agent=user_agent, ip=ip)
        lockout.note_failure(username, user_agent=user_agent, ip=ip)
        raise InvalidCredentials("No active account found with the given credentials.")
    verification.check_may_log_in(user)
    if mfa.enabled(user):
        return mfa.start_challenge(user)
    return _logged_in(user, user_agent=user_agent, ip=ip)


def log_in_with_code(*, mfa_token: str, code: str, user_agent: str, ip: str | None) -> TokenPair:
    """The second step of a login with TOTP on: a right code spends `mfa_token` and the
    session starts."""
    user = mfa.pass_challenge(mfa_token=mfa_token, code=code, user_agent=user_agent, ip=ip)
    return _logged_in(user, user_agent=user_agent, ip=ip)


def _logged_in(user: User, *, user_agent: str, ip: str | None) -> TokenPair:
    pair = start_session(user=user, user_agent=user_agent, ip=ip)
    events.record(
        events.Type.LOGIN_SUCCEEDED, user=user, session_id=pair.session.pk, user_agent=user_agent, ip=ip
    )
    return pair


def start_session(
    *, user: User, user_agent: str = "", ip: str | None = None, login: bool = True
) -> TokenPair:
    """Log `user` in: a new login session, named after its client, and its first token
    pair. Beyond MAX_SESSIONS_PER_USER the least recently used sessions end; a `login`
    from a new client mails a notice (see "New sessions" below). A password change
    passes login=False: its client was logged in already."""
    session_id = uuid.uuid4()
    refresh = jwt.new_refresh(user.pk, session_id)
    client = {"user_agent": (user_agent or "")[:255], "ip": ip}
    with transaction.atomic():
        last_login = _lock_user(user)
        _end_least_recently_used(user, keep=settings.MAX_SESSIONS_PER_USER - 1, by=session_id, client=client)
        session = LoginSession.objects.create(
            id=session_id,
            user=user,
            refresh_jti=refresh[jwt.JTI_CLAIM],
            expires_at=jwt.expiry(refresh),
            name=client_name(user_agent),
            **client,
        )
        jwt.record_issued(refresh, user.pk)
        User.objects.filter(pk=user.pk).update(last_login=jwt.issued_at(refresh))
        if login and last_login is not None:  # a first login ever: the account was just made
            _mail_if_new_client(user, session, client)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh), session=session)


def rotate(raw_refresh: str, *, user_agent: str = "", ip: str | None = None) -> TokenPair:
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
        if end_sessions(LoginSession.objects.filter(pk=session_id)) and active:
            # It ended a live session of an active user: an earlier refresh token came back.
            # The session's user exists (sessions go with their user); its id is enough.
            reuse = {"session_id": session_id, "user_agent": user_agent, "ip": ip}
            events.record(events.Type.REFRESH_REUSED, user=User(pk=user_id), **reuse)
        raise InvalidToken(SESSION_OVER)
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
            raise InvalidToken(SESSION_OVER)
    else:
        raise InvalidToken("Token has an unknown type.")


# --- end -----------------------------------------------------------------------------------


def revoke(raw_token: str, *, by: User, user_agent: str, ip: str | None) -> None:
    """Revoke one token on behalf of `by`, who must own it or be staff. Idempotent; each
    revocation is recorded for the token's owner (with `by` as actor if staff)."""
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
    owner = by if owner_id == by.pk else User.objects.filter(pk=owner_id).first()
    if owner is not None:
        client = {"session_id": session_id, "user_agent": user_agent, "ip": ip}
        actor = by if owner is not by else None
        events.record(events.Type.TOKEN_REVOKED, user=owner, actor=actor, detail={"token": kind}, **client)


def log_out(
    *,
    user: User,
    access: jwt.Token | None = None,
    raw_refresh: str | None = None,
    user_agent: str,
    ip: str | None,
) -> None:
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
    for session_id in dict.fromkeys(session_ids):
        events.record(events.Type.LOGOUT, user=user, session_id=session_id, user_agent=user_agent, ip=ip)


def end_session(*, user: User, session_id: uuid.UUID, user_agent: str, ip: str | None) -> None:
    """End one of `user`'s sessions by its id (DELETE /api/auth/sessions/{id}/); recorded."""
    if end_sessions(LoginSession.objects.filter(pk=session_id, user=user)):
        events.record(
            events.Type.SESSION_ENDED, user=user, session_id=session_id, user_agent=user_agent, ip=ip
        )


def log_out_everywhere(
    *,
    user: User,
    actor: User | None = None,
    session_id: uuid.UUID | None = None,
    user_agent: str = "",
    ip: str | None = None,
) -> int:
    """End all of `user`'s sessions on request (theirs from `session_id`, or a staff
    `actor`'s), and record it. (A new password or a deactivation ends them too, recorded
    as what it is: accounts/signals.py.)"""
    ended = end_all_sessions(user)
    actor = actor if actor is not None and actor.pk != user.pk else None
    client = {"session_id": session_id, "user_agent": user_agent, "ip": ip}
    events.record(events.Type.LOGOUT_ALL, user=user, actor=actor, detail={"sessions_ended": ended}, **client)
    return ended


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


# --- new sessions: the limit per user, the notice of a new client, names ----------------


def _lock_user(user: User) -> datetime | None:
    """Lock the user's row until the new session commits, and read their last login.

    The lock puts one user's logins in a line (PostgreSQL; SQLite's writers queue
    anyway), so each counts the sessions the one before it left: two at once cannot
    both find room for one more."""
    locked = User.objects.select_for_update().filter(pk=user.pk)
    return locked.values_list("last_login", flat=True).first()


def _end_least_recently_used(user: User, *, keep: int, by: uuid.UUID, client: dict) -> None:
    """End the user's live sessions beyond the `keep` most recently used (refreshed) ones;
    each is recorded as SESSION_EVICTED, from the client whose login (`by`) ended it."""
    beyond = (
        LoginSession.objects.live()
        .filter(user=user)
        .order_by("-last_used_at", "-created_at")
        .values_list("pk", "name")[keep:]
    )
    evicted = list(beyond)
    if not evicted:
        return
    end_sessions(LoginSession.objects.filter(pk__in=[pk for pk, _ in evicted]))
    for pk, name in evicted:
        detail = {"name": name, "by_session": str(by), "limit": settings.MAX_SESSIONS_PER_USER}
        events.record(events.Type.SESSION_EVICTED, user=user, session_id=pk, detail=detail, **client)


def _mail_if_new_client(user: User, session: LoginSession, client: dict) -> None:
    """Mail a "new sign-in" notice unless the user logged in from this user agent and
    address, both, within NEW_SIGN_IN_AFTER_DAYS (read before this login is recorded)."""
    since = timezone.now() - timedelta(days=settings.NEW_SIGN_IN_AFTER_DAYS)
    if selectors.logged_in_from(user, since=since, **client):
        return
    days = str(settings.NEW_SIGN_IN_AFTER_DAYS)
    tasks.send_later(
        mail.NEW_SIGN_IN, to=user.email, user=user, client=client, session_name=session.name, days=days
    )


def rename(*, session: LoginSession, name: str) -> None:
    """Give a session its owner's name for it ("Ada's phone"), in place of the one its
    user agent gave it."""
    session.name = name
    session.save(update_fields=["name"])
