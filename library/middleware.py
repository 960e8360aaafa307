"""Middleware of our own: answers under /api/ that no cache may keep, and Django's
messages kept off the API, which never shows any."""

from django.contrib.messages.middleware import MessageMiddleware
from django.utils.cache import patch_cache_control

# The API's answers that carry neither a credential nor anyone's data.
PUBLIC_PATHS = ("/api/health/", "/api/schema/", "/api/docs/", "/api/redoc/", "/api/auth/jwks/")


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every /api/ answer but the public ones: tokens (RFC
    6749 section 5.1 asks it of token answers), profiles, sessions and libraries are the
    caller's alone, and a shared cache or the browser's history must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and not request.path.startswith(PUBLIC_PATHS):
            if "Cache-Control" in response.headers:
                patch_cache_control(response, no_store=True)
            else:  # what patch_cache_control would write, without parsing first
                response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("Pragma", "no-cache")
        return response


class AdminMessageMiddleware(MessageMiddleware):
    """Django's messages (the admin's "Deactivated 3 users."), except under /api/: no API
    answer or page there shows one, so no API request need build a message store."""

    def process_request(self, request):
        if not request.path.startswith("/api/"):
            super().process_request(request)
