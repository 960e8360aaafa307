"""The views that belong to no app: health, the API root and unknown /api/ paths."""

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError, connection
from django.http import JsonResponse
from django.views import csrf, defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from . import schema


@schema.HEALTH
class HealthView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except (OperationalError, InterfaceError):
            return Response({"status": "unavailable", "database": "unreachable"}, status=503)
        return Response({"status": "ok", "database": "ok"})


@csrf_exempt  # it changes nothing, so a cookie without a CSRF token is no reason for a 403
def not_found(request, *args, **kwargs):
    """Any /api/ path nothing else claims: a JSON 404, never Django's HTML page.

    A plain view, not an APIView, so the browsable API's breadcrumbs never show it."""
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request, format=None):
    """The library API. Log in at /api/auth/token/ (or /api-auth/login/ in a browser)."""
    links = {
        "authors": "authors:author-list",
        "register": "accounts:register",
        "token": "accounts:token",
        "sessions": "accounts:session-list",
        "me": "accounts:me",
        "users": "accounts:user-list",
        "health": "health",
        "docs": "docs",
        "schema": "schema",
    }
    return Response({name: reverse(url, request=request, format=format) for name, url in links.items()})


def csrf_failure(request, reason=""):
    """A JSON 403 under /api/ when Django's CSRF check refuses a request (Django's page elsewhere)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"CSRF failed: {reason}", "code": "csrf_failed"}, status=403)
    return csrf.csrf_failure(request, reason)


def server_error(request):
    """A JSON 500 under /api/ (Django's own page elsewhere); used when DEBUG is off."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "A server error occurred.", "code": "server_error"}, status=500)
    return defaults.server_error(request)


def bad_request(request, exception):
    """JSON under /api/ for requests Django itself refuses: 413 for a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE, 400 for the rest (a forged Host header, say)."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": "Request body is too large.", "code": "payload_too_large"}, status=413)
    return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)
