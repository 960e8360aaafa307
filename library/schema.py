"""The error answers the OpenAPI schema lists, shared by every app's views."""

from drf_spectacular.utils import OpenApiResponse

BAD_REQUEST = OpenApiResponse(description="Field errors: {field: [messages]}.")
BAD_FILTER = OpenApiResponse(description="A filter value is invalid, e.g. booker_prize=maybe.")
UNAUTHORIZED = OpenApiResponse(description="Missing, invalid, expired or revoked credentials.")
FORBIDDEN = OpenApiResponse(description="Authenticated, but not allowed to do this.")
NOT_FOUND = OpenApiResponse(description="No such object among those visible to you.")
INVALID_PAGE = OpenApiResponse(description="Invalid page: ?page= is not a page number in range.")
THROTTLED = OpenApiResponse(description="Too many requests from this address; see Retry-After.")
NO_CONTENT = OpenApiResponse(description="Done; no body.")
