"""Your own account, and users for staff: wiring for accounts/services.py."""

from django.contrib.auth import update_session_auth_hash
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from .. import cookies, schema, selectors, services
from ..client import client_details
from ..permissions import IsStaffForChanges
from ..serializers import (
    DeleteAccountSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    PublicUserSerializer,
    StaffUserSerializer,
)
from ..throttles import PasswordCheckThrottle
from .base import Endpoint


@schema.ME
class MeView(GenericAPIView):
    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user

    def get_throttles(self):
        # Of GET, PATCH and DELETE, DELETE checks the password, and PATCH when it has one.
        checks_password = self.request.method == "DELETE" or (
            self.request.method == "PATCH"
            and isinstance(self.request.data, dict)
            and "password" in self.request.data
        )
        return [PasswordCheckThrottle()] if checks_password else super().get_throttles()

    def get(self, request):
        return Response(self.get_serializer(request.user).data)

    def patch(self, request):
        serializer = self.get_serializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        body = serializer.validated_data
        user = services.update_profile(user=request.user, **body, **client_details(request))
        return Response(self.get_serializer(user).data)

    def delete(self, request):
        serializer = DeleteAccountSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.delete_account(user=request.user, **serializer.validated_data, **client_details(request))
        return cookies.cleared(request, Response(status=status.HTTP_204_NO_CONTENT))


@schema.PASSWORD_CHANGE
class PasswordChangeView(Endpoint):
    serializer_class = PasswordChangeSerializer
    throttle_classes = [PasswordCheckThrottle]

    def post(self, request):
        body = self.validated_data(request)
        pair = services.change_password(user=request.user, **body, **client_details(request))
        if isinstance(request.successful_authenticator, SessionAuthentication):
            update_session_auth_hash(request, request.user)  # Keep this browser logged in.
        return cookies.tokens_answer(request, pair, cookies.transport_of(request))  # a browser keeps cookies


@schema.USERS
class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsStaffForChanges]
    http_method_names = ["get", "patch", "delete", "head", "options"]
    filter_backends = []

    def get_queryset(self):
        return selectors.users()

    def get_serializer_class(self):
        return StaffUserSerializer if self.request.user.is_staff else PublicUserSerializer

    def perform_update(self, serializer):
        serializer.instance = services.set_user_flags(
            user=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
            **client_details(self.request),
        )

    def perform_destroy(self, instance):
        services.delete_user(user=instance, actor=self.request.user, **client_details(self.request))
