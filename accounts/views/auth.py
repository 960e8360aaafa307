"""Registration, tokens and login sessions: wiring for accounts/sessions.py."""

from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from .. import schema, selectors, services, sessions, verification
from ..client import client_details
from ..models import LoginSession
from ..serializers import (
    LoginSerializer,
    LoginSessionNameSerializer,
    LoginSessionSerializer,
    LogoutSerializer,
    RefreshSerializer,
    RegisteredUserSerializer,
    RegisterSerializer,
    TokenPairSerializer,
    TokenSerializer,
)
from .base import AnonymousEndpoint, Endpoint


@schema.REGISTER
class RegisterView(AnonymousEndpoint):
    serializer_class = RegisterSerializer
    throttle_scope = "register"

    def post(self, request):
        user = services.register_user(**self.validated_data(request), **client_details(request))
        if verification.registration_hides_taken_addresses():  # one answer, new address or not
            return Response({"detail": verification.REGISTRATION_ACCEPTED}, status=status.HTTP_202_ACCEPTED)
        return Response(RegisteredUserSerializer(user).data, status=status.HTTP_201_CREATED)


@schema.LOGIN
class LoginView(AnonymousEndpoint):
    serializer_class = LoginSerializer
    throttle_scope = "login"

    def post(self, request):
        pair = sessions.log_in(**self.validated_data(request), **client_details(request))
        return Response(TokenPairSerializer(pair).data)


@schema.REFRESH
class RefreshView(AnonymousEndpoint):
    serializer_class = RefreshSerializer
    throttle_scope = "refresh"

    def post(self, request):
        pair = sessions.rotate(self.validated_data(request)["refresh"])
        return Response(TokenPairSerializer(pair).data)


@schema.VERIFY
class VerifyView(AnonymousEndpoint):
    serializer_class = TokenSerializer
    throttle_classes = []

    def post(self, request):
        sessions.verify(self.validated_data(request)["token"])
        return Response({})


@schema.REVOKE
class RevokeView(Endpoint):
    serializer_class = TokenSerializer

    def post(self, request):
        sessions.revoke(self.validated_data(request)["token"], by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.LOGOUT
class LogoutView(Endpoint):
    serializer_class = LogoutSerializer

    def post(self, request):
        refresh = self.validated_data(request).get("refresh")
        sessions.log_out(user=request.user, access=request.auth, raw_refresh=refresh)
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.LOGOUT_ALL
class LogoutAllView(Endpoint):
    serializer_class = None

    def post(self, request):
        sessions.end_all_sessions(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.SESSIONS
class LoginSessionViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = LoginSessionSerializer
    filter_backends = []  # a handful of rows, in the selector's order
    queryset = LoginSession.objects.none()  # for the schema only; get_queryset scopes every request

    def get_queryset(self):
        return selectors.live_sessions(self.request.user)

    def partial_update(self, request, pk=None):
        session = self.get_object()  # a live session of the caller's, or a 404
        change = LoginSessionNameSerializer(session, data=request.data, partial=True)
        change.is_valid(raise_exception=True)
        if "name" in change.validated_data:
            sessions.rename(session=session, name=change.validated_data["name"])
        return Response(self.get_serializer(session).data)

    def perform_destroy(self, instance):
        sessions.end_sessions(self.get_queryset().filter(pk=instance.pk))
