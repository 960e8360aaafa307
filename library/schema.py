"""The OpenAPI schema's shared parts: how it is generated (AutoSchema, the hooks that
name the server and order the security schemes), the error answers every app's
operations list, and the documentation of library's own views.

Each error example is a real answer of its operation: library/tests/test_schema_answers.py
provokes every documented answer and compares."""

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiRequest,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers

# Where `make run` serves: the server named by the committed schema (docs/openapi.yaml,
# made without a request) and the host of the examples' URLs. A served schema names the
# host that served it (name_the_server).
DEVELOPMENT_SERVER = "http://127.0.0.1:8000"


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, with two things it cannot know: the request body of a DELETE
    that reads one, and the path of a paginated list for its examples' links."""

    def _get_request_body(self, direction="request"):
        # DRF's generic views never read a DELETE body, so drf-spectacular documents
        # none; an operation that does read one declares it with an OpenApiRequest.
        if self.method == "DELETE" and isinstance(self.get_request_serializer(), OpenApiRequest):
            self.method = "POST"  # documented as a POST body is: whole, never partial
            try:
                return super()._get_request_body(direction)
            finally:
                self.method = "DELETE"
        return super()._get_request_body(direction)

    def _get_paginator(self):
        paginator = super()._get_paginator()
        if paginator is not None:
            paginator.example_url = DEVELOPMENT_SERVER + self.path
        return paginator


def name_the_server(result, generator, request, public):
    """POSTPROCESSING_HOOKS: `servers` is the origin that served the schema, so that
    Postman's baseUrl and a generated client's default point at it; without a request
    (`make schema`), the development server."""
    origin = request.build_absolute_uri("/").rstrip("/") if request is not None else DEVELOPMENT_SERVER
    return {**result, "servers": [{"url": origin}]}


def bearer_first(result, generator, request, public):
    """POSTPROCESSING_HOOKS: the bearer scheme first, so that Swagger UI's Authorize
    dialog offers it first (drf-spectacular sorts the schemes by name, cookie first)."""
    schemes = result["components"]["securitySchemes"]
    result["components"]["securitySchemes"] = {"jwtAuth": schemes.pop("jwtAuth"), **schemes}
    return result


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


def invalid(*examples: dict, description: str = "Invalid input.") -> OpenApiResponse:
    """A 400 with field errors; each example named for its first field."""
    return OpenApiResponse(
        response=OpenApiTypes.OBJECT,
        description=description + " The body maps each field to its messages.",
        examples=[
            OpenApiExample(next(iter(example)), value=example, response_only=True) for example in examples
        ],
    )


def forbidden(detail: str) -> OpenApiResponse:
    return error("Authenticated, but not allowed to do this.", detail, "permission_denied")


def not_found(model: str) -> OpenApiResponse:
    """A 404 for an object looked up by id; `model` as the answer names it."""
    return error(
        "No such object among those visible to you.", f"No {model} matches the given query.", "not_found"
    )


UNAUTHORIZED = error(
    "Missing, invalid, expired or revoked credentials.",
    "Token has been revoked, or its user is inactive or gone.",
    "token_not_valid",
)
FORBIDDEN = forbidden("You do not have permission to perform this action.")
INVALID_PAGE = error("?page= is not a page number in range.", "Invalid page.", "not_found")
# The wait of a budget just spent: every rate is per minute.
THROTTLED = error(
    "Too many requests from this address; the Retry-After header says when to try again.",
    "Request was throttled. Expected available in 60 seconds.",
    "throttled",
)
PASSWORD_THROTTLED = error(
    "Too many checks of your password (per user); the Retry-After header says when to try again.",
    "Request was throttled. Expected available in 60 seconds.",
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
# What a load balancer probing by address meets (in production; DEBUG shows a page).
UNKNOWN_HOST = error(
    "The Host header is not one of DJANGO_ALLOWED_HOSTS: a probe must send a host name the site serves.",
    "Bad request.",
    "bad_request",
)
HEALTH = extend_schema_view(
    get=operation(
        "Is the service up?",
        "Answers without authentication; 503 when the database cannot be reached.",
        {200: UP, 400: UNKNOWN_HOST, 503: DOWN},
    )
)
