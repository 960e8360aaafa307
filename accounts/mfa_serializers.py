"""The shapes of the second factor's endpoints (accounts/mfa.py)."""

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from . import mfa
from .serializers import password_field, second_factor_code, transport_field

# Shapes only: the examples in the API docs are not a real secret, token or codes.
SECRET_EXAMPLE = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 (an example)
MFA_TOKEN_EXAMPLE = "q3Xk9V0bS1n2m4c7d8e5f6a0b1c2d3e4f5a6b7c8d9e"  # noqa: S105 (an example)
MFA_CHALLENGE_EXAMPLE = {"mfa_token": MFA_TOKEN_EXAMPLE, "methods": mfa.METHODS, "expires_in": 300}
RECOVERY_CODES_EXAMPLE = [
    "abcd-efgh-ijkm-npqr",
    "stuv-wxyz-2345-67ab",
    "cdef-ghij-kmnp-qrst",
    "uvwx-yz23-4567-abcd",
    "efgh-ijkm-npqr-stuv",
    "wxyz-2345-67ab-cdef",
    "ghij-kmnp-qrst-uvwx",
    "yz23-4567-abcd-efgh",
    "ijkm-npqr-stuv-wxyz",
    "2345-67ab-cdef-ghij",
]


@extend_schema_serializer(
    examples=[OpenApiExample("Confirm", value={"password": "a long unguessable phrase"}, request_only=True)]
)
class PasswordSerializer(serializers.Serializer):
    password = password_field(help_text="Your current password, to confirm.")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Pending secret",
            value={
                "secret": SECRET_EXAMPLE,
                "otpauth_url": f"otpauth://totp/Library:ada?secret={SECRET_EXAMPLE}&issuer=Library",
                "qr_svg": '<svg width="180" height="180" class="segno"><path ...></path></svg>',
            },
            response_only=True,
        )
    ]
)
class TotpSetupSerializer(serializers.Serializer):
    secret = serializers.CharField(read_only=True, help_text="Base32, for typing into an app by hand.")
    otpauth_url = serializers.CharField(read_only=True, help_text="The otpauth:// URI the QR code holds.")
    qr_svg = serializers.CharField(read_only=True, help_text="The QR code of otpauth_url, an SVG element.")


@extend_schema_serializer(examples=[OpenApiExample("A code", value={"code": "123456"}, request_only=True)])
class CodeSerializer(serializers.Serializer):
    code = second_factor_code(help_text="The code your authenticator app shows now.")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Both factors",
            value={"password": "a long unguessable phrase", "code": "123456"},
            request_only=True,
        )
    ]
)
class BothFactorsSerializer(serializers.Serializer):
    password = password_field(help_text="Your current password.")
    code = second_factor_code()


@extend_schema_serializer(
    examples=[OpenApiExample("Codes", value={"recovery_codes": RECOVERY_CODES_EXAMPLE}, response_only=True)]
)
class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=f"{mfa.RECOVERY_CODE_COUNT} codes, each usable once instead of a TOTP code. Shown this once.",
    )


class MfaChallengeSerializer(serializers.Serializer):
    mfa_token = serializers.CharField(read_only=True, help_text="For POST /api/auth/token/mfa/ only.")
    methods = serializers.ListField(child=serializers.ChoiceField(choices=mfa.METHODS), read_only=True)
    expires_in = serializers.IntegerField(read_only=True, help_text="Seconds the mfa_token works.")


@extend_schema_serializer(
    examples=[
        OpenApiExample("A code", value={"mfa_token": MFA_TOKEN_EXAMPLE, "code": "123456"}, request_only=True)
    ]
)
class MfaLoginSerializer(serializers.Serializer):
    mfa_token = serializers.CharField(
        max_length=4096, help_text="From the 202 answer of POST /api/auth/token/."
    )
    code = second_factor_code()
    transport = transport_field()
