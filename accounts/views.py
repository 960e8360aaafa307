import ipaddress

from django.contrib.auth import update_session_auth_hash
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from library.schema import (
    BAD_REQUEST,
    FORBIDDEN,
    INVALID_PAGE,
    NO_CONTENT,
    NOT_FOUND,
    THROTTLED,
    UNAUTHORIZED,
)

from . import selectors, services, tokens
from .authentication import CredentialsInBody
from .models import LoginSession
from .serializers import (
    PUBLIC_USER_EXAMPLE,
    STAFF_USER_EXAMPLE,
    DeleteAccountSerializer,
    LoginSerializer,
    LoginSessionSerializer,
    LogoutSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    PublicUserSerializer,
    RefreshSerializer,
    RegisteredUserSerializer,
    RegisterSerializer,
    StaffUserSerializer,
    TokenPairSerializer,
    TokenSerializer,
)
from .throttles import ClientAddressThrottle


def client_details(request) -> dict:
    """The user agent and address (as the throttles see it) to record on a new session."""
    address = BaseThrottle().get_ident(request)
    try:
        ip = str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        ip = None
    return {"user_agent": request.headers.get("user-agent", ""), "ip": ip}


class AnonymousEndpoint(GenericAPIView):
    """Endpoints that take no credentials in the header (see CredentialsInBody)."""

    authentication_classes = [CredentialsInBody]
    permission_classes = [AllowAny]
    throttle_classes = [ClientAddressThrottle]


class RegisterView(AnonymousEndpoint):
    serializer_class = RegisterSerializer
    throttle_scope = "register"

    @extend_schema(
        tags=["auth"],
        summary="Register",
        description="Create an account. Unknown fields such as is_staff are ignored.",
        responses={201: RegisteredUserSerializer, 400: BAD_REQUEST, 429: THROTTLED},
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.register_user(**serializer.validated_data)
        return Response(RegisteredUserSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(AnonymousEndpoint):
    serializer_class = LoginSerializer
    throttle_scope = "login"

    @extend_schema(
        tags=["auth"],
        summary="Log in (obtain a token pair)",
        description=(
            "Exchange a username or email and a password for an access and a refresh "
            "token. Each login is a session, listed at /api/auth/sessions/."
        ),
        responses={
            200: TokenPairSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            429: THROTTLED,
        },
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = services.log_in(**serializer.validated_data, **client_details(request))
        return Response(TokenPairSerializer(pair).data)


class RefreshView(AnonymousEndpoint):
    serializer_class = RefreshSerializer
    throttle_scope = "refresh"

    @extend_schema(
        tags=["auth"],
        summary="Refresh (rotate) a token pair",
        description=(
            "Exchange a refresh token for a new pair. The old refresh token stops "
            "working; presenting it again ends its whole login session."
        ),
        responses={
            200: TokenPairSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            429: THROTTLED,
        },
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = tokens.rotate(serializer.validated_data["refresh"])
        return Response(TokenPairSerializer(pair).data)


class VerifyView(AnonymousEndpoint):
    serializer_class = TokenSerializer
    throttle_classes = []

    @extend_schema(
        tags=["auth"],
        summary="Verify a token",
        description="200 with an empty object if the token would be accepted right now.",
        responses={
            200: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="The token would be accepted.",
                examples=[OpenApiExample("Valid", value={}, response_only=True)],
            ),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
        },
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tokens.verify(serializer.validated_data["token"])
        return Response({})


class RevokeView(GenericAPIView):
    serializer_class = TokenSerializer

    @extend_schema(
        tags=["auth"],
        summary="Revoke a token",
        description=(
            "Revoke one access token, or a refresh token and with it its login session. "
            "Idempotent. Staff may revoke anyone's token."
        ),
        responses={
            204: NO_CONTENT,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
        },
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tokens.revoke(serializer.validated_data["token"], by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(GenericAPIView):
    serializer_class = LogoutSerializer

    @extend_schema(
        tags=["auth"],
        summary="Log out",
        description=(
            "End the session of the bearer access token, and of the refresh token if "
            "one is given: both stop working."
        ),
        responses={
            204: NO_CONTENT,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
        },
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tokens.log_out(
            user=request.user,
            access=request.auth,
            raw_refresh=serializer.validated_data.get("refresh"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(GenericAPIView):
    serializer_class = None

    @extend_schema(
        tags=["auth"],
        summary="Log out everywhere",
        description="Every token issued to you so far stops working.",
        request=None,
        responses={204: NO_CONTENT, 401: UNAUTHORIZED},
    )
    def post(self, request):
        tokens.end_all_sessions(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        tags=["auth"],
        summary="List your live login sessions",
        description="The session this request comes from is marked current.",
        responses={200: LoginSessionSerializer(many=True), 401: UNAUTHORIZED, 404: INVALID_PAGE},
    ),
    destroy=extend_schema(
        tags=["auth"],
        summary="End a login session",
        description="Its refresh token and every access token issued in it stop working.",
        responses={204: NO_CONTENT, 401: UNAUTHORIZED, 404: NOT_FOUND},
    ),
)
class LoginSessionViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = LoginSessionSerializer
    queryset = LoginSession.objects.none()  # for the schema only; get_queryset scopes every request

    def get_queryset(self):
        return selectors.live_sessions(self.request.user)

    def perform_destroy(self, instance):
        tokens.end_sessions(self.get_queryset().filter(pk=instance.pk))


@extend_schema_view(
    get=extend_schema(
        tags=["accounts"],
        summary="Your account",
        description="The profile of the user the token belongs to.",
        responses={200: MeSerializer, 401: UNAUTHORIZED},
    ),
    patch=extend_schema(
        tags=["accounts"],
        summary="Change your account",
        description="Username and email stay unique whatever their case.",
        responses={200: MeSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    ),
    delete=extend_schema(
        tags=["accounts"],
        summary="Delete your account",
        description="Confirm with your password. Your authors go too, and your tokens stop working.",
        request=DeleteAccountSerializer,
        responses={204: NO_CONTENT, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    ),
)
class MeView(GenericAPIView):
    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user

    def get(self, request):
        return Response(self.get_serializer(request.user).data)

    def patch(self, request):
        serializer = self.get_serializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.update_profile(user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(user).data)

    def delete(self, request):
        serializer = DeleteAccountSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.delete_account(user=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(GenericAPIView):
    serializer_class = PasswordChangeSerializer

    @extend_schema(
        tags=["accounts"],
        summary="Change your password",
        description="Every earlier token stops working; the answer is a fresh pair.",
        responses={200: TokenPairSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = services.change_password(
            user=request.user,
            new_password=serializer.validated_data["new_password"],
            **client_details(request),
        )
        if isinstance(request.successful_authenticator, SessionAuthentication):
            update_session_auth_hash(request, request.user)  # Keep this browser logged in.
        return Response(TokenPairSerializer(pair).data)


USER_EXAMPLES = [PUBLIC_USER_EXAMPLE, STAFF_USER_EXAMPLE]


def user_by_role(many: bool = False) -> PolymorphicProxySerializer:
    """What GET /users/ answers: staff see StaffUser, everyone else PublicUser."""
    return PolymorphicProxySerializer(
        component_name="User",
        serializers=[PublicUserSerializer, StaffUserSerializer],
        resource_type_field_name=None,
        many=many,
    )


class IsStaffForChanges(IsAuthenticated):
    """Anyone logged in may read users; only staff may change or delete them."""

    def has_permission(self, request, view):
        if view.action in ("partial_update", "destroy"):
            return IsAdminUser().has_permission(request, view)
        return super().has_permission(request, view)


@extend_schema_view(
    list=extend_schema(
        tags=["accounts"],
        summary="List users",
        examples=USER_EXAMPLES,
        description="Public fields only; staff also see email, names, flags and last login.",
        responses={200: user_by_role(many=True), 401: UNAUTHORIZED, 404: INVALID_PAGE},
    ),
    retrieve=extend_schema(
        tags=["accounts"],
        summary="One user",
        description="Public fields only; staff also see email, names, flags and last login.",
        examples=USER_EXAMPLES,
        responses={200: user_by_role(), 401: UNAUTHORIZED, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        tags=["accounts"],
        summary="Activate, deactivate, promote or demote a user (staff)",
        description="Deactivating takes effect on that user's very next request.",
        responses={
            200: StaffUserSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    ),
    destroy=extend_schema(
        tags=["accounts"],
        summary="Delete a user (staff)",
        description="The user, their authors and their sessions go. Staff delete their own account at /me/.",
        responses={
            204: NO_CONTENT,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    ),
)
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
        )

    def perform_destroy(self, instance):
        services.delete_user(user=instance, actor=self.request.user)
