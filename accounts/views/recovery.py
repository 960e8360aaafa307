"""Password reset and email verification by mail: wiring for accounts/recovery.py and
accounts/verification.py. The pages a mailed link opens without a front-end are in
accounts/views/pages.py."""

from rest_framework import status
from rest_framework.response import Response

from .. import recovery, schema, verification
from ..client import client_details
from ..email_serializers import (
    EmailAddressSerializer,
    EmailVerificationSerializer,
    PasswordResetConfirmSerializer,
    VerifiedEmailSerializer,
)
from ..throttles import MAIL_REQUEST_THROTTLES
from .base import AnonymousEndpoint


class MailRequestEndpoint(AnonymousEndpoint):
    """Asks the server to mail an address: 202 whatever the address, within the budgets
    per client address and per address asked for."""

    serializer_class = EmailAddressSerializer
    throttle_scope = "mail"
    throttle_classes = MAIL_REQUEST_THROTTLES


@schema.PASSWORD_RESET
class PasswordResetView(MailRequestEndpoint):
    def post(self, request):
        recovery.request_password_reset(**self.validated_data(request), **client_details(request))
        return Response({"detail": recovery.RESET_REQUESTED}, status=status.HTTP_202_ACCEPTED)


@schema.PASSWORD_RESET_CONFIRM
class PasswordResetConfirmView(AnonymousEndpoint):
    serializer_class = PasswordResetConfirmSerializer
    throttle_classes = []  # the token is an HMAC: nothing to guess at any rate

    def post(self, request):
        recovery.reset_password(**self.validated_data(request), **client_details(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.EMAIL_VERIFY
class EmailVerifyView(AnonymousEndpoint):
    serializer_class = EmailVerificationSerializer
    throttle_classes = []  # the key is signed: nothing to guess at any rate

    def post(self, request):
        user = verification.verify_email(self.validated_data(request)["key"], **client_details(request))
        return Response(VerifiedEmailSerializer(user).data)


@schema.EMAIL_VERIFY_RESEND
class EmailVerifyResendView(MailRequestEndpoint):
    def post(self, request):
        verification.resend(**self.validated_data(request), **client_details(request))
        return Response({"detail": verification.RESEND_ACCEPTED}, status=status.HTTP_202_ACCEPTED)
