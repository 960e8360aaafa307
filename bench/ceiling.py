"""The ceiling for this stack: Django answering a small constant JSON, nothing else.

Settings, URLs and the view in one module; served as bench.ceiling:application.
"""

from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path

SECRET_KEY = "ceiling"  # noqa: S105 - serves a constant, signs nothing
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = __name__
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}


def constant(request):
    return JsonResponse({"status": "ok", "authors": 20})


urlpatterns = [path("api/authors/", constant)]

application = get_wsgi_application()
