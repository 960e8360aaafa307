"""The OpenAPI documentation of the authors API, applied to its views in one line each."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view

from library.schema import BAD_FILTER, BAD_REQUEST, INVALID_PAGE, NOT_FOUND, UNAUTHORIZED

from .serializers import AuthorSerializer, BulkDeleteResultSerializer

TAGS = ["authors"]

AUTHORS = extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="List your authors",
        description="Paginated; staff see everyone's and may filter by owner.",
        responses={200: AuthorSerializer(many=True), 400: BAD_FILTER, 401: UNAUTHORIZED, 404: INVALID_PAGE},
    ),
    create=extend_schema(
        tags=TAGS,
        summary="Add an author",
        description="Adds to your library. A name may appear once per library, whatever its case.",
        responses={201: AuthorSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    ),
    retrieve=extend_schema(
        tags=TAGS,
        summary="One author",
        description="Another user's author answers 404, never 403.",
        responses={200: AuthorSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND},
    ),
    update=extend_schema(
        tags=TAGS,
        summary="Replace an author",
        description="Every writable field is required.",
        responses={
            200: AuthorSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            404: NOT_FOUND,
        },
    ),
    partial_update=extend_schema(
        tags=TAGS,
        summary="Change an author",
        description="Only the fields sent change; the name stays unique in your library.",
        responses={
            200: AuthorSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            404: NOT_FOUND,
        },
    ),
    destroy=extend_schema(
        tags=TAGS,
        summary="Delete an author",
        description="Deletes one author of your library.",
        responses={
            204: OpenApiResponse(description="Deleted."),
            401: UNAUTHORIZED,
            404: NOT_FOUND,
        },
    ),
)


# DELETE on the collection: a method of the viewset that no router maps, so it is
# documented on the method itself (extend_schema_view only knows routed actions).
BULK_DESTROY = extend_schema(
    operation_id="authors_bulk_destroy",
    tags=TAGS,
    summary="Delete your authors that match the filters",
    description=(
        "Takes the list's filters (country, booker_prize, search). Without any it "
        "deletes your whole library. Staff delete only their own authors here."
    ),
    filters=True,
    request=None,
    responses={200: BulkDeleteResultSerializer, 400: BAD_FILTER, 401: UNAUTHORIZED},
)
