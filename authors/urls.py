from rest_framework.routers import SimpleRouter

from . import views

app_name = "authors"


class BulkDeleteRouter(SimpleRouter):
    """SimpleRouter, plus DELETE on a collection for viewsets that define bulk_destroy."""

    routes = [
        SimpleRouter.routes[0]._replace(mapping={**SimpleRouter.routes[0].mapping, "delete": "bulk_destroy"}),
        *SimpleRouter.routes[1:],
    ]


router = BulkDeleteRouter()
router.register("authors", views.AuthorViewSet, basename="author")

urlpatterns = router.urls
