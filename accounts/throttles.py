import hashlib
import logging

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError
from django.utils.connection import ConnectionProxy
from redis import RedisError
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from .models import identity_key

logger = logging.getLogger(__name__)

# What the shared store raises when it cannot be reached: Redis, the database (the
# default store), a file cache.
STORE_FAILURES = (RedisError, DatabaseError, OSError)

# When the shared store fails, each process counts alone, in its own memory.
#
# Why not fail closed (503 with Retry-After): the store holds nothing but these
# counters, and the database, where accounts, sessions and revocations live, may be
# fine. Refusing login, register and refresh would turn a cache outage into an outage
# of all authentication, and within an access token's lifetime (JWT_ACCESS_MINUTES)
# every client would be logged out; whoever can knock the cache over could do that at
# will. Why not plain fail-open: the throttles are what stands between an address and
# unlimited password guesses. Counting per process keeps a limit (the rate times the
# number of workers) until the store is back, and each failure logs one WARNING line.
LOCAL_COUNTERS = LocMemCache("throttles-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


class SharedCounters:
    """For a DRF throttle: counters in the "throttles" cache, which every server process
    shares (settings), and in LOCAL_COUNTERS while that cache fails."""

    cache = ConnectionProxy(caches, "throttles")

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except STORE_FAILURES as failure:
            logger.warning(
                "Throttle %r counts in this process only: its store failed (%s: %s)",
                self.scope,
                type(failure).__name__,
                failure,
            )
            self.cache = LOCAL_COUNTERS
            return super().allow_request(request, view)


class ClientAddressThrottle(SharedCounters, ScopedRateThrottle):
    """Limits a view's `throttle_scope` per client address, logged in or not.

    Credentials guessing and registration floods come from addresses, not accounts.
    """

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class PasswordCheckThrottle(SharedCounters, SimpleRateThrottle):
    """Limits, per user, the requests that check the caller's own password (changing it,
    deleting the account): with a stolen access token they would otherwise be a way to
    guess the password at Argon2's speed, from any number of addresses. A refused request
    is answered before anything is hashed."""

    scope = "password"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class RequestedAddressThrottle(SharedCounters, SimpleRateThrottle):
    """Limits, per email address asked for, the requests that have the server mail it (a
    password reset, a verification link), from any number of client addresses: one inbox
    is not flooded. The address counts in any case or Unicode form, and its counter's key
    is a digest of it, not the address. A body without an address is the serializer's
    400 to give; it spends nothing here."""

    scope = "mail_address"

    def get_cache_key(self, request, view):
        address = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(address, str) or not address.strip():
            return None
        digest = hashlib.sha256(identity_key(address.strip()).encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


# The budgets of the requests that mail an address they name: per client address (the
# views' throttle_scope "mail") and per address asked for.
MAIL_REQUEST_THROTTLES = [ClientAddressThrottle, RequestedAddressThrottle]


class LoginAttempt:
    """What the throttles see as the view when a session login form checks a password."""

    throttle_scope = "login"


# The budgets every password check spends from: POST /api/auth/token/ through its
# throttle_scope "login", the session login forms (accounts/login_forms.py) through
# login_attempt_wait. A per-account budget belongs in this list, beside the per-address
# one; the token endpoint's throttle_classes should then be this list too.
LOGIN_THROTTLES = [ClientAddressThrottle]


def login_attempt_wait(request) -> float | None:
    """Spend one login attempt of `request`'s budgets: None if it may go ahead, otherwise
    the seconds until one may (as DRF's views do, a refused attempt spends nothing)."""
    throttles = [throttle_class() for throttle_class in LOGIN_THROTTLES]
    waits = [throttle.wait() for throttle in throttles if not throttle.allow_request(request, LoginAttempt)]
    if not waits:
        return None
    return max((wait for wait in waits if wait is not None), default=1.0)
