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
from django.db.models.expressions import Col

from . import jwt
from .errors import InvalidToken
from .models import LoginSession, RevokedAccessToken, User


def user_for_access(token: Mapping[str, Any]) -> User:
    """The user an access token speaks for, or InvalidToken if it must be refused."""
    session_id, user_id, jti = jwt.claim_session(token), jwt.claim_user(token), jwt.claim_jti(token)
    alias = router.db_for_read(User)
    connection = connections[alias]
    statement, names, converters = _access_check(connection.vendor)
    with connection.cursor() as cursor:
        session = LoginSession._meta.pk.get_db_prep_value(session_id, connection)
        cursor.execute(statement, {"user": user_id, "active": True, "session": session, "jti": jti})
        row = cursor.fetchone()
    if row is None:
        raise InvalidToken("Token has been revoked, or its user is inactive or gone.")
    # What a query set does with a row (the backend's converters, then from_db), without
    # its machinery: ~250 us a request as User.objects.raw.
    values = list(row)
    for index, column, functions in converters:
        for convert in functions:
            values[index] = convert(values[index], column, connection)
    return User.from_db(alias, names, values)


@functools.cache
def _access_check(vendor: str) -> tuple[str, list[str], list[tuple[int, Col, list]]]:
    """The check as one statement, the user's fields it selects, and the converters of
    those that need one (SQLite's timestamps are text): the active user, if
    the token's session is live and the token itself not revoked. Written as SQL because
    the ORM spends ~0.7 ms building this query on each request; the lookup itself takes
    ~10 us. Named parameters: SQLite's wrapper turns them into its own with one `%`
    instead of a regular expression over the text. (`vendor` keys the cache: each
    backend quotes names and converts values its own way.)"""
    from django.db import connection

    quote = connection.ops.quote_name
    user, session, revoked = User._meta, LoginSession._meta, RevokedAccessToken._meta
    fields = user.concrete_fields
    columns = ", ".join(f"u.{quote(field.column)}" for field in fields)
    # Only identifiers from the models go into the text; every value is a parameter.
    statement = (
        f"SELECT {columns} FROM {quote(user.db_table)} u"  # noqa: S608
        f" WHERE u.{quote(user.pk.column)} = %(user)s AND u.{quote('is_active')} = %(active)s"
        f" AND EXISTS (SELECT 1 FROM {quote(session.db_table)} s WHERE s.{quote(session.pk.column)} = %(session)s"
        f" AND s.{quote('user_id')} = u.{quote(user.pk.column)} AND s.{quote('revoked_at')} IS NULL)"
        f" AND NOT EXISTS (SELECT 1 FROM {quote(revoked.db_table)} r WHERE r.{quote('jti')} = %(jti)s)"
    )
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(user.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, column, functions))
    return statement, [field.attname for field in fields], converters
