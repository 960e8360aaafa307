"""The security log as GET /api/auth/events/ shows it (accounts/views/events.py)."""

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from .models import SecurityEvent, identity_key

EVENT_EXAMPLE = OpenApiExample(
    "A failed login",
    value={
        "id": 41,
        "type": "login_failed",
        "created_at": "2026-11-22T18:05:00Z",
        "ip": "203.0.113.5",
        "user_agent": "curl/8.5.0",
        "session": None,
        "identifier": "ADA@example.com",
        "detail": {},
        "actor": None,
    },
    response_only=True,
)
STAFF_ACTION_EXAMPLE = OpenApiExample(
    "Deactivated by staff",
    value={
        "id": 42,
        "type": "account_deactivated",
        "created_at": "2026-11-22T18:10:00Z",
        "ip": "198.51.100.7",
        "user_agent": "Mozilla/5.0",
        "session": None,
        "identifier": None,
        "detail": {},
        "actor": "grace",
    },
    response_only=True,
)


@extend_schema_serializer(examples=[EVENT_EXAMPLE, STAFF_ACTION_EXAMPLE])
class SecurityEventSerializer(serializers.ModelSerializer):
    session = serializers.UUIDField(
        source="session_id", read_only=True, allow_null=True, help_text="The login session concerned, if one."
    )
    identifier = serializers.SerializerMethodField(
        help_text="What was typed to name the account (a failed login), when it names this account "
        "(its username or email, in any case); null otherwise."
    )
    detail = serializers.DictField(
        read_only=True,
        help_text='What else the event tells, by type: {"token": "access"} for token_revoked, '
        "the addresses of an email change, the flags staff set; {} for most.",
    )
    actor = serializers.CharField(
        source="actor.username",
        read_only=True,
        allow_null=True,
        help_text="The username of the staff member who did it, when it was not the user; null otherwise.",
    )

    class Meta:
        model = SecurityEvent
        fields = ["id", "type", "created_at", "ip", "user_agent", "session", "identifier", "detail", "actor"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_identifier(self, event: SecurityEvent) -> str | None:
        return own_identifier(event)


def own_identifier(event: SecurityEvent) -> str | None:
    """The identifier typed in `event` if it names the event's account now (its username
    or email, in any case or Unicode form); None otherwise. What someone typed that named
    no account (a password in the name field), or an address since taken by another
    account, is never shown."""
    user = event.user
    if user is None:
        return None
    own = (user.username_key, user.email_key)  # no key is "" (a user without email has None)
    return event.identifier if identity_key(event.identifier) in own else None
