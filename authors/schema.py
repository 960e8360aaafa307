"""The OpenAPI documentation of the authors API, applied to its views in one line each."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_view

from library.schema import INVALID_PAGE, UNAUTHORIZED, invalid, not_found, operation

from .filters import BOOLEAN_HELP
from .models import DUPLICATE_NAME
from .serializers import AuthorSerializer, BulkDeleteResultSerializer

NAME_TAKEN = invalid({"name": [DUPLICATE_NAME]})
NO_SUCH_AUTHOR = not_found("Author")
CHANGED = {200: AuthorSerializer, 400: NAME_TAKEN, 401: UNAUTHORIZED, 404: NO_SUCH_AUTHOR}
BAD_QUERY = invalid(
    {"booker_prize": ["Must be true or false (True/False and 1/0 work too)."]},
    {
        "ordering": [
            "Cannot order by bogus; order by name, country or created_at, with - before it for descending."
        ]
    },
    description="A filter, search or ordering value is invalid.",
)
NOTHING_NAMED = invalid(
    {
        "non_field_errors": [
            "Name what to delete with the list's filters, or send all=true to delete your whole library."
        ]
    },
    {"contry": ["Not a filter of this endpoint."]},
    description="Nothing was deleted: no filter named, or a parameter unknown, empty or invalid.",
)

# One row an operation: summary, description, answers (and what else differs).
# fmt: off
AUTHORS = extend_schema_view(
    list=operation("List your authors", "Paginated; staff see everyone's and may filter by owner.", {200: AuthorSerializer(many=True), 400: BAD_QUERY, 401: UNAUTHORIZED, 404: INVALID_PAGE}),
    create=operation("Add an author", "Adds to your library. A name may appear once per library, whatever its case.", {201: AuthorSerializer, 400: NAME_TAKEN, 401: UNAUTHORIZED}),
    retrieve=operation("One author", "Another user's author answers 404, never 403.", {200: AuthorSerializer, 401: UNAUTHORIZED, 404: NO_SUCH_AUTHOR}),
    update=operation("Replace an author", "Every writable field is required.", CHANGED),
    partial_update=operation("Change an author", "Only the fields sent change; the name stays unique in your library.", CHANGED),
    destroy=operation("Delete an author", "Deletes one author of your library.", {204: OpenApiResponse(description="Deleted."), 401: UNAUTHORIZED, 404: NO_SUCH_AUTHOR}),
)
BULK_DELETE_QUERY = [
    OpenApiParameter("country", OpenApiTypes.STR, description="Exact country, any case."),
    OpenApiParameter("booker_prize", OpenApiTypes.BOOL, description=BOOLEAN_HELP),
    OpenApiParameter("search", OpenApiTypes.STR, description="Words in the name or the book."),
    OpenApiParameter("all", OpenApiTypes.BOOL, description="true (or True, 1), and no filter: delete your whole library."),
]
# DELETE on the collection: a method no router maps, so it is documented on the method
# itself (extend_schema_view only knows routed actions).
BULK_DESTROY = operation(
    "Delete your authors that match the filters",
    "Takes the list's filters (country, booker_prize, search); an unknown or empty parameter is a 400 that deletes nothing. To delete your whole library, send all=true and no filter. Staff delete only their own authors here.",
    {200: BulkDeleteResultSerializer, 400: NOTHING_NAMED, 401: UNAUTHORIZED},
    operation_id="authors_bulk_destroy", parameters=BULK_DELETE_QUERY, request=None,
)
# fmt: on
