from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.filters import SearchFilter
from rest_framework.response import Response

from library.schema import BAD_FILTER, BAD_REQUEST, INVALID_PAGE, NOT_FOUND, UNAUTHORIZED

from . import selectors, services
from .filters import AuthorFilter, AuthorFilterBackend, StableOrderingFilter
from .models import Author
from .serializers import AuthorSerializer, BulkDeleteResultSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List your authors",
        description="Paginated; staff see everyone's and may filter by owner.",
        responses={200: AuthorSerializer(many=True), 400: BAD_FILTER, 401: UNAUTHORIZED, 404: INVALID_PAGE},
    ),
    create=extend_schema(
        summary="Add an author",
        description="Adds to your library. A name may appear once per library, whatever its case.",
        responses={201: AuthorSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    ),
    retrieve=extend_schema(
        summary="One author",
        description="Another user's author answers 404, never 403.",
        responses={200: AuthorSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND},
    ),
    update=extend_schema(
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
        summary="Delete an author",
        description="Deletes one author of your library.",
        responses={
            204: OpenApiResponse(description="Deleted."),
            401: UNAUTHORIZED,
            404: NOT_FOUND,
        },
    ),
)
@extend_schema(tags=["authors"])
class AuthorViewSet(viewsets.ModelViewSet):
    serializer_class = AuthorSerializer
    filter_backends = [AuthorFilterBackend, SearchFilter, StableOrderingFilter]
    filterset_class = AuthorFilter
    search_fields = ["name", "book"]
    ordering_fields = ["name", "country", "created_at"]
    queryset = Author.objects.none()  # for the schema only; get_queryset scopes every request

    def get_queryset(self):
        return selectors.authors_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.create_author(owner=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_author(author=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.delete_authors(authors=self.get_queryset().filter(pk=instance.pk))

    @extend_schema(
        operation_id="authors_bulk_destroy",
        summary="Delete your authors that match the filters",
        description=(
            "Takes the list's filters (country, booker_prize, search). Without any it "
            "deletes your whole library. Staff delete only their own authors here."
        ),
        filters=True,
        request=None,
        responses={200: BulkDeleteResultSerializer, 400: BAD_FILTER, 401: UNAUTHORIZED},
    )
    def bulk_destroy(self, request):
        authors = self.filter_queryset(selectors.authors_owned_by(request.user))
        return Response({"deleted": services.delete_authors(authors=authors)})
