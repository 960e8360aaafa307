from rest_framework import viewsets
from rest_framework.response import Response

from . import schema, selectors, services
from .filters import AuthorFilter, AuthorFilterBackend, BoundedSearchFilter, StableOrderingFilter
from .models import Author
from .serializers import AuthorSerializer, BulkDeleteQuerySerializer


@schema.AUTHORS
class AuthorViewSet(viewsets.ModelViewSet):
    serializer_class = AuthorSerializer
    filter_backends = [AuthorFilterBackend, BoundedSearchFilter, StableOrderingFilter]
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

    @schema.BULK_DESTROY
    def bulk_destroy(self, request):
        """DELETE /api/authors/: bound beside list and create in authors/urls.py."""
        BulkDeleteQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        authors = self.filter_queryset(selectors.authors_owned_by(request.user))
        return Response({"deleted": services.delete_authors(authors=authors)})
