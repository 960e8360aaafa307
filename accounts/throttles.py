from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from rest_framework.throttling import ScopedRateThrottle


class ClientAddressThrottle(ScopedRateThrottle):
    """Limits a view's `throttle_scope` per client address, logged in or not.

    Credentials guessing and registration floods come from addresses, not accounts. The
    counters live in the "throttles" cache, which every server process shares (settings).
    """

    cache = ConnectionProxy(caches, "throttles")

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


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
