"""The check on every authenticated request: may this access token act right now?

An access token is accepted while its user exists and is active, its login session has
not ended, and its own id has not been revoked. That is one indexed query, the same one
that loads the user, so a revocation is seen on the very next request by every process
that shares the database. The authentication class (accounts/authentication.py) and
token verification (accounts/sessions.py) both ask here.
"""

import functools
from collections.abc import Mapping
from typing import Any

from django.db import connections, router

from library import sql

from . import jwt
from .errors import InvalidToken
from .models import LoginSession, RevokedAccessToken, User


def user_for_access(token: Mapping[str, Any]) -> User:
    """The user an access token speaks for, or InvalidToken if it must be refused."""
    session_id, user_id, jti = jwt.claim_session(token), jwt.claim_user(token), jwt.claim_jti(token)
    using = router.db_for_read(User)
    connection = connections[using]
    params = {
        "user": user_id,
        "active": True,
        "session": LoginSession._meta.pk.get_db_prep_value(session_id, connection),
        "jti": jti,
    }
    # One statement (library/sql.py), and from_db as a query set would call it: through
    # User.objects.raw the same lookup cost ~250 us more a request.
    rows = sql.fetch(using, sql.statement(_access_check, using), params, _USER_FIELDS)
    if not rows:
        raise InvalidToken("Token has been revoked, or its user is inactive or gone.")
    return User.from_db(using, [field.attname for field in _USER_FIELDS], rows[0])


_USER_FIELDS = User._meta.concrete_fields


def _access_check(using: str) -> str:
    """The check as one statement: the active user, if the token's session is live and
    the token itself not revoked."""
    user = functools.partial(sql.column, using, User)
    session = functools.partial(sql.column, using, LoginSession)
    revoked = functools.partial(sql.column, using, RevokedAccessToken)
    columns = ", ".join(f"u.{user(field.name)}" for field in _USER_FIELDS)
    # Only identifiers from the models go into the text; every value is a parameter.
    return (
        f"SELECT {columns} FROM {sql.table(using, User)} u"  # noqa: S608
        f" WHERE u.{user('id')} = %(user)s AND u.{user('is_active')} = %(active)s"
        f" AND EXISTS (SELECT 1 FROM {sql.table(using, LoginSession)} s WHERE s.{session('id')} = %(session)s"
        f" AND s.{session('user')} = u.{user('id')} AND s.{session('revoked_at')} IS NULL)"
        f" AND NOT EXISTS (SELECT 1 FROM {sql.table(using, RevokedAccessToken)} r"
        f" WHERE r.{revoked('jti')} = %(jti)s)"
    )
