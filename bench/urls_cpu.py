"""The project's URLs plus two DRF views answering a constant, under /api/ so that they
pass what every API request passes: one without authentication, one with the project's
own (its default classes and IsAuthenticated). bench/cpu.py prices DRF's request cycle
and our authentication with them."""

from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from library.urls import handler400, handler500  # noqa: F401 - the project's error pages


class Constant(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request):
        return Response({"status": "ok", "authors": 20})


class AuthenticatedConstant(APIView):
    """The project's default authentication and permission classes, as every API view."""

    def get(self, request):
        return Response({"status": "ok", "authors": 20})


urlpatterns = [
    path("api/bench/constant/", Constant.as_view()),
    path("api/bench/authenticated-constant/", AuthenticatedConstant.as_view()),
    path("", include("library.urls")),
]
