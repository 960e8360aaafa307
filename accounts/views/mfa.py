"""The second factor: set up, confirm, turn off, renew recovery codes, and the second step
of a login. Wiring for accounts/mfa.py (through accounts/services.py where the password
is checked first)."""

from rest_framework import status
from rest_framework.response import Response

from .. import cookies, mfa, schema, services, sessions
from ..client import client_details
from ..mfa_serializers import (
    BothFactorsSerializer,
    CodeSerializer,
    MfaLoginSerializer,
    PasswordSerializer,
    RecoveryCodesSerializer,
    TotpSetupSerializer,
)
from ..throttles import PasswordCheckThrottle
from .base import AnonymousEndpoint, Endpoint


@schema.TOTP_SETUP
class TotpSetupView(Endpoint):
    serializer_class = PasswordSerializer
    throttle_classes = [PasswordCheckThrottle]

    def post(self, request):
        setup = services.set_up_totp(user=request.user, **self.validated_data(request))
        return Response(TotpSetupSerializer(setup).data)


@schema.TOTP_CONFIRM
class TotpConfirmView(Endpoint):
    serializer_class = CodeSerializer
    throttle_classes = [PasswordCheckThrottle]  # a handful of tries a minute is plenty for a typo

    def post(self, request):
        code = self.validated_data(request)["code"]
        codes = mfa.confirm_setup(request.user, code=code, **client_details(request))
        return Response(RecoveryCodesSerializer({"recovery_codes": codes}).data)


@schema.TOTP
class TotpView(Endpoint):
    serializer_class = BothFactorsSerializer
    throttle_classes = [PasswordCheckThrottle]

    def delete(self, request):
        services.turn_off_totp(user=request.user, **self.validated_data(request), **client_details(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.RECOVERY_CODES
class RecoveryCodesView(Endpoint):
    serializer_class = BothFactorsSerializer
    throttle_classes = [PasswordCheckThrottle]

    def post(self, request):
        body = self.validated_data(request)
        codes = services.renew_recovery_codes(user=request.user, **body, **client_details(request))
        return Response(RecoveryCodesSerializer({"recovery_codes": codes}).data)


@schema.LOGIN_CODE
class LoginCodeView(AnonymousEndpoint):
    serializer_class = MfaLoginSerializer
    throttle_scope = "mfa"

    def post(self, request):
        body = self.validated_data(request)
        transport = body.pop("transport", cookies.BODY)
        cookies.check_login(request, transport)
        pair = sessions.log_in_with_code(**body, **client_details(request))
        return cookies.tokens_answer(request, pair, transport, new_login=True)
