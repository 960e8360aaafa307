import re

from rest_framework import viewsets
from rest_framework.response import Response

from . import schema, selectors, services
from .filters import AuthorFilter, AuthorFilterBackend, BoundedSearchFilter, StableOrderingFilter
from .models import Author
from .serializers import AuthorSerializer, BulkDeleteQuerySerializer, authors_data

# The query of a plain list: pages, and nothing that filters, searches or sorts.
PLAIN_LIST = {"page", "page_size"}
# An id the database can hold (a 64-bit integer); anything else is the generic path's to refuse.
AUTHOR_ID = re.compile(r"[0-9]{1,18}")


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

    # The two reads most requests are, when they are a user's own library: rows from one
    # statement each (authors/selectors.py) and the library's size from its counter, in
    # place of query sets and model objects, which were most of such a request's time
    # (README: Benchmark). The same answers, to the byte, as the generic paths below
    # them (authors/tests/test_hot_path.py).

    def list(self, request, *args, **kwargs):
        if request.user.is_staff or not request.query_params.keys() <= PLAIN_LIST:
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(selectors.Library(request.user))
        return self.get_paginated_response(authors_data(page, owner=request.user.username))

    def retrieve(self, request, *args, **kwargs):
        row, pk = None, self.kwargs["pk"]
        if not request.user.is_staff and not request.query_params and AUTHOR_ID.fullmatch(pk):
            row = selectors.author_row(request.user, int(pk))
        if row is None:  # staff, a query, or no such author of yours: the generic path answers
            return super().retrieve(request, *args, **kwargs)
        [data] = authors_data([row], owner=request.user.username)
        return Response(data)

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
