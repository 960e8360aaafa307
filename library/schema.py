"""The error answers the OpenAPI schema lists, shared by every app's views, and the
documentation of library's own views."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers

Error = inline_serializer(
    "Error",
    {
        "detail": serializers.CharField(help_text="What went wrong, for people."),
        "code": serializers.CharField(help_text="What went wrong, for programs."),
    },
)


def error(description: str, detail: str, code: str) -> OpenApiResponse:
    return OpenApiResponse(
        response=Error,
        description=description,
        examples=[OpenApiExample(code, value={"detail": detail, "code": code}, response_only=True)],
    )


def field_errors(description: str, example: dict) -> OpenApiResponse:
    return OpenApiResponse(
        response=OpenApiTypes.OBJECT,
        description=description + " The body maps each field to its messages.",
        examples=[OpenApiExample("field errors", value=example, response_only=True)],
    )


BAD_REQUEST = field_errors("Invalid input.", {"name": ["This field may not be blank."]})
BAD_FILTER = field_errors(
    "A filter value is invalid.",
    {"booker_prize": ["Select a valid choice. maybe is not one of the available choices."]},
)
UNAUTHORIZED = error(
    "Missing, invalid, expired or revoked credentials.",
    "Token has been revoked, or its user is inactive or gone.",
    "token_not_valid",
)
FORBIDDEN = error(
    "Authenticated, but not allowed to do this.",
    "You do not have permission to perform this action.",
    "permission_denied",
)
NOT_FOUND = error("No such object among those visible to you.", "Not found.", "not_found")
INVALID_PAGE = error("?page= is not a page number in range.", "Invalid page.", "not_found")
THROTTLED = error(
    "Too many requests from this address; the Retry-After header says when to try again.",
    "Request was throttled. Expected available in 42 seconds.",
    "throttled",
)
PASSWORD_THROTTLED = error(
    "Too many checks of your password (per user); the Retry-After header says when to try again.",
    "Request was throttled. Expected available in 42 seconds.",
    "throttled",
)
NO_CONTENT = OpenApiResponse(description="Done; no body.")


def operation(summary: str, description: str, responses: dict, **extra):
    """One operation's documentation, its prose first: drf-spectacular's extend_schema."""
    return extend_schema(summary=summary, description=description, responses=responses, **extra)


def post(summary: str, description: str, responses: dict, **extra):
    """The documentation of a view that answers POST only."""
    return extend_schema_view(post=operation(summary, description, responses, **extra))


Health = inline_serializer("Health", {"status": serializers.CharField(), "database": serializers.CharField()})

UP = OpenApiResponse(
    response=Health,
    description="Up, and the database takes writes.",
    examples=[OpenApiExample("Healthy", value={"status": "ok", "database": "ok"})],
)
DOWN = OpenApiResponse(
    response=Health,
    description="The database cannot be reached.",
    examples=[OpenApiExample("Down", value={"status": "unavailable", "database": "unreachable"})],
)
HEALTH = extend_schema_view(
    get=operation(
        "Is the service up?",
        "Answers without authentication; 503 when the database cannot be reached.",
        {200: UP, 503: DOWN},
    )
)
