"""Registration, tokens and login sessions: wiring for accounts/sessions.py."""

from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from .. import cookies, jwt, mfa, schema, selectors, services, sessions, verification
from ..client import client_details
from ..mfa_serializers import MfaChallengeSerializer
from ..models import LoginSession
from ..serializers import (
    CsrfTokenSerializer,
    LoginSerializer,
    LoginSessionNameSerializer,
    LoginSessionSerializer,
    LogoutSerializer,
    RefreshSerializer,
    RegisteredUserSerializer,
    RegisterSerializer,
    TokenSerializer,
)
from .base import AnonymousEndpoint, Endpoint, OneCommit


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
        body = self.validated_data(request)
        transport = body.pop(
            "transport", cookies.BODY
        )  # with TOTP on, the second step's says where the tokens go
        cookies.check_login(request, transport)
        answer = sessions.log_in(**body, **client_details(request))
        if isinstance(answer, mfa.Challenge):  # TOTP on: no tokens before the second step
            return Response(MfaChallengeSerializer(answer).data, status=status.HTTP_202_ACCEPTED)
        return cookies.tokens_answer(request, answer, transport, new_login=True)


@schema.REFRESH
class RefreshView(OneCommit, AnonymousEndpoint):
    serializer_class = RefreshSerializer
    throttle_scope = "refresh"

    def post(self, request):
        raw_refresh, transport = cookies.refresh_token(request, self.validated_data(request))
        pair = sessions.rotate(cookies.required(raw_refresh), **client_details(request))
        return cookies.tokens_answer(request, pair, transport)


@schema.CSRF
class CsrfView(AnonymousEndpoint):
    serializer_class = CsrfTokenSerializer
    throttle_scope = "refresh"  # a page reload asks for it before its refresh: one budget

    def get(self, request):
        return Response(self.get_serializer(cookies.csrf_token(request)).data)


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
        sessions.revoke(self.validated_data(request)["token"], by=request.user, **client_details(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.LOGOUT
class LogoutView(Endpoint):
    serializer_class = LogoutSerializer

    def post(self, request):
        refresh, transport = cookies.refresh_token(request, self.validated_data(request))
        client = client_details(request)
        sessions.log_out(user=request.user, access=request.auth, raw_refresh=refresh or None, **client)
        return cookies.cleared(request, Response(status=status.HTTP_204_NO_CONTENT), transport)


@schema.LOGOUT_ALL
class LogoutAllView(Endpoint):
    serializer_class = None

    def post(self, request):
        session_id = jwt.claim_session(request.auth) if request.auth is not None else None
        sessions.log_out_everywhere(user=request.user, session_id=session_id, **client_details(request))
        return cookies.cleared(request, Response(status=status.HTTP_204_NO_CONTENT))


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
        sessions.end_session(user=self.request.user, session_id=instance.pk, **client_details(self.request))
