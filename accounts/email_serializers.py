"""The shapes of the endpoints that work by mail: password reset and email verification."""

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from .models import User
from .serializers import password_field

# Shapes only: the examples in the API docs are not real links.
RESET_LINK_UID = "Nw"
RESET_LINK_TOKEN = "cjx2kq-4f1c9a3b7e2d5f60a1b2c3d4e5f60718"  # noqa: S105 (an example)
VERIFICATION_LINK_KEY = (
    ".eJyrVipNLS5RslIyNDJX0lFKzs8rSc0r0S3NS8svSk0BSSpZKWXm5qXmF4EFrJQSk5JTUgA-5w4H:1vN0kq:signature"
)


@extend_schema_serializer(
    examples=[OpenApiExample("An address", value={"email": "ada@example.com"}, request_only=True)]
)
class EmailAddressSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "From the link",
            value={
                "uid": RESET_LINK_UID,
                "token": RESET_LINK_TOKEN,
                "new_password": "an even longer fresh phrase",
            },
            request_only=True,
        )
    ]
)
class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64, help_text="The `uid` of the mailed link.")
    token = serializers.CharField(max_length=128, help_text="The `token` of the mailed link.")
    new_password = password_field()


@extend_schema_serializer(
    examples=[OpenApiExample("From the link", value={"key": VERIFICATION_LINK_KEY}, request_only=True)]
)
class EmailVerificationSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=1024, help_text="The `key` of the mailed link.")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Verified", value={"email": "ada@example.com", "email_verified": True}, response_only=True
        )
    ]
)
class VerifiedEmailSerializer(serializers.ModelSerializer):
    email_verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["email", "email_verified"]
        read_only_fields = fields
