"""The OpenAPI documentation of the authors API, applied to its views in one line each."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_view

from library.schema import BAD_FILTER, BAD_REQUEST, INVALID_PAGE, NOT_FOUND, UNAUTHORIZED, operation

from .serializers import AuthorSerializer, BulkDeleteResultSerializer

CHANGED = {200: AuthorSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED, 404: NOT_FOUND}

# One row an operation: summary, description, answers (and what else differs).
# fmt: off
AUTHORS = extend_schema_view(
    list=operation("List your authors", "Paginated; staff see everyone's and may filter by owner.", {200: AuthorSerializer(many=True), 400: BAD_FILTER, 401: UNAUTHORIZED, 404: INVALID_PAGE}),
    create=operation("Add an author", "Adds to your library. A name may appear once per library, whatever its case.", {201: AuthorSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED}),
    retrieve=operation("One author", "Another user's author answers 404, never 403.", {200: AuthorSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND}),
    update=operation("Replace an author", "Every writable field is required.", CHANGED),
    partial_update=operation("Change an author", "Only the fields sent change; the name stays unique in your library.", CHANGED),
    destroy=operation("Delete an author", "Deletes one author of your library.", {204: OpenApiResponse(description="Deleted."), 401: UNAUTHORIZED, 404: NOT_FOUND}),
)
BULK_DELETE_QUERY = [
    OpenApiParameter("country", OpenApiTypes.STR, description="Exact country, any case."),
    OpenApiParameter("booker_prize", OpenApiTypes.STR, enum=["true", "false"], description="true or false."),
    OpenApiParameter("search", OpenApiTypes.STR, description="Words in the name or the book."),
    OpenApiParameter("all", OpenApiTypes.BOOL, description="true, and no filter: delete your whole library."),
]
# DELETE on the collection: a method no router maps, so it is documented on the method
# itself (extend_schema_view only knows routed actions).
BULK_DESTROY = operation(
    "Delete your authors that match the filters",
    "Takes the list's filters (country, booker_prize, search); an unknown or empty parameter is a 400 that deletes nothing. To delete your whole library, send all=true and no filter. Staff delete only their own authors here.",
    {200: BulkDeleteResultSerializer, 400: BAD_FILTER, 401: UNAUTHORIZED},
    operation_id="authors_bulk_destroy", parameters=BULK_DELETE_QUERY, request=None,
)
# fmt: on
