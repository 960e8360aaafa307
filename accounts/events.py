"""The security log: every security-relevant event is one row, written here and nowhere
else (the types are SecurityEvent.Type).

Recording never fails the request it records: the insert runs in a savepoint, so a
failure (a full disk, a lock) rolls back only the event, is logged, and the caller's
transaction goes on. It costs one INSERT. An event recorded inside a service's
transaction is rolled back with it: the log tells what happened, not what was tried and
undone (a failed login, which changes nothing, is recorded outside any transaction).
"""

import logging
import uuid

from django.db import DatabaseError, transaction

from .models import SecurityEvent, User

logger = logging.getLogger(__name__)

Type = SecurityEvent.Type


def record(
    type: str,
    *,
    user: User | None = None,
    actor: User | None = None,
    session_id: uuid.UUID | str | None = None,
    user_agent: str = "",
    ip: str | None = None,
    identifier: str = "",
    detail: dict | None = None,
) -> None:
    """Record one event of `type` about `user` (None when no account is known), done by
    `actor` when that is someone else, from the client `user_agent`/`ip` (as
    accounts.client.client_details gives them), in login session `session_id`."""
    try:
        with transaction.atomic():
            SecurityEvent.objects.create(
                type=type,
                user=user,
                actor=actor,
                session_id=session_id,
                user_agent=(user_agent or "")[:255],
                ip=ip,
                identifier=(identifier or "")[:254],
                detail=detail or {},
            )
    except DatabaseError:
        logger.exception("Could not record the security event %s for user %s", type, user and user.pk)
