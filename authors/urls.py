from django.urls import re_path

from .views import AuthorViewSet

app_name = "authors"

# Bound by hand rather than by a router, because the collection also takes DELETE
# (bulk_destroy), which no DRF router maps. The patterns are SimpleRouter's.
urlpatterns = [
    re_path(
        r"^authors/$",
        AuthorViewSet.as_view({"get": "list", "post": "create", "delete": "bulk_destroy"}),
        name="author-list",
    ),
    re_path(
        r"^authors/(?P<pk>[^/.]+)/$",
        AuthorViewSet.as_view(
            {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
        ),
        name="author-detail",
    ),
]
