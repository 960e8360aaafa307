"""One log line per request: method, path, status, duration and user id.

It is the access log (gunicorn's own is off, since it cannot know the user). Only the
path is logged, never the query string, headers or body, so no token or password can
reach a log line.
"""

import logging
import time

from django.db import DatabaseError

logger = logging.getLogger("library.requests")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": _user_id(request),
        }
        logger.info(
            "%s %s %s %sms user=%s",
            *(fields[name] for name in ("method", "path", "status", "duration_ms")),
            fields["user_id"] or "-",
            extra=fields,
        )
        return response


def _user_id(request) -> int | None:
    user = getattr(request, "user", None)
    try:
        return user.pk if user is not None and user.is_authenticated else None
    except DatabaseError:  # a session user not loaded yet, and the database is down
        return None


class HideQueryStrings(logging.Filter):
    """Django attaches the request to its own records (django.request, django.security);
    a JSON formatter would print its repr, query string and all. Keep method and path."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            record.request = f"{request.method} {request.path}"
        return True
