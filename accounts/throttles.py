from rest_framework.throttling import ScopedRateThrottle


class ClientAddressThrottle(ScopedRateThrottle):
    """Limits a view's `throttle_scope` per client address, logged in or not.

    Credentials guessing and registration floods come from addresses, not accounts.
    """

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }
