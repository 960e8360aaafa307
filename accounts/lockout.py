"""Account lockout: LOCKOUT_FAILURES failed passwords for one identifier within
LOCKOUT_WINDOW seconds, from any number of addresses, and that identifier's password
step is refused for LOCKOUT_WINDOW, before anything is hashed.

Every password step (POST /api/auth/token/ through sessions.log_in, the login forms of
the browsable API and the admin through accounts/login_forms.py) does the same three
things: `check` before the hash, `note_failure` after a wrong password, and a reset of
the password `clear`s (accounts/recovery.py).

- The count is kept per identifier as typed, normalised (models.identity_key), never per
  user row: an identifier that names nobody locks exactly like one that names someone,
  so the answer (429, its body, Retry-After) tells nothing about who has an account.
- An account's username and email count apart. Counting a failure against the account's
  other identifier too would lock that one as well, and its 429 would then tell an
  attacker that "ada" and "ada@example.com" are one account. The price: an attacker gets
  twice LOCKOUT_FAILURES guesses per window on an account with both.
- Each failure claims a slot of its own (one key, LOCKOUT_WINDOW long) with the store's
  atomic add: concurrent failures never count as one, on Redis and on the database cache
  alike (the database cache's incr is a read and a write, and it resets the key's expiry),
  and the count is exactly the failures of the last LOCKOUT_WINDOW.
- The store is the "throttles" cache, shared by every server process; while it fails each
  process counts alone, as the throttles do (accounts/throttles.py says why not to fail
  closed), with one WARNING line each time.
"""

import hashlib
import logging
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.utils.connection import ConnectionProxy

from . import events, selectors
from .errors import AccountLocked
from .models import User, identity_key
from .throttles import LOCAL_COUNTERS, STORE_FAILURES

logger = logging.getLogger(__name__)

SHARED = ConnectionProxy(caches, "throttles")

LOCKED = "Too many failed logins for this account; try again later."


def check(identifier: str) -> None:
    """Raise AccountLocked (with the seconds left) if `identifier` is locked out."""
    until = _in_store(lambda store: store.get(_lock_key(identifier)))
    wait = (until or 0) - time.time()
    if wait > 0:
        raise AccountLocked(LOCKED, retry_after=math.ceil(wait))


def note_failure(identifier: str, *, user_agent: str, ip: str | None) -> None:
    """Count one failed password for `identifier`; the failure that reaches
    LOCKOUT_FAILURES locks it for LOCKOUT_WINDOW, and is recorded (once)."""
    if _in_store(lambda store: _count_failure(store, identifier)) < settings.LOCKOUT_FAILURES:
        return
    window = settings.LOCKOUT_WINDOW
    if _in_store(lambda store: store.add(_lock_key(identifier), time.time() + window, timeout=window)):
        events.record(
            events.Type.ACCOUNT_LOCKED,
            user=_user_named_by(identifier),
            identifier=identifier,
            user_agent=user_agent,
            ip=ip,
            detail={"failures": settings.LOCKOUT_FAILURES, "seconds": window},
        )


def clear(user: User, *, user_agent: str, ip: str | None) -> None:
    """Forget the failures of `user`'s username and email, and lift their locks; a lock
    lifted is recorded."""
    identifiers = [identifier for identifier in (user.username, user.email) if identifier]
    locks = [_lock_key(identifier) for identifier in identifiers]
    slots = [slot for identifier in identifiers for slot in _slot_keys(identifier)]
    locked = _in_store(lambda store: store.get_many(locks))
    _in_store(lambda store: store.delete_many([*locks, *slots]))
    if locked:
        events.record(events.Type.ACCOUNT_UNLOCKED, user=user, user_agent=user_agent, ip=ip)


def _count_failure(store, identifier: str) -> int:
    """Claim the first free slot of `identifier`'s; how many are taken now."""
    slots = _slot_keys(identifier)
    taken = set(store.get_many(slots))
    for slot in slots:
        if slot not in taken:
            taken.add(slot)
            if store.add(slot, True, timeout=settings.LOCKOUT_WINDOW):
                break  # ours; a slot another failure took meanwhile counts too
    return len(taken)


def _lock_key(identifier: str) -> str:
    # A digest: no identifier in the store's keys, and any length or character fits.
    return "lockout:" + hashlib.sha256(identity_key(identifier).encode()).hexdigest()


def _slot_keys(identifier: str) -> list[str]:
    return [f"{_lock_key(identifier)}:{slot}" for slot in range(settings.LOCKOUT_FAILURES)]


def _user_named_by(identifier: str) -> User | None:
    find = selectors.users_with_email if "@" in identifier else selectors.users_named
    return find(identifier).first()


def _in_store(action):
    """`action(store)` on the shared store, or on this process's own while that fails."""
    try:
        return action(SHARED)
    except STORE_FAILURES as failure:
        logger.warning(
            "Lockout counts in this process only: its store failed (%s: %s)", type(failure).__name__, failure
        )
        return action(LOCAL_COUNTERS)
