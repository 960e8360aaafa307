from django.db import transaction
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny

from ..authentication import CredentialsInBody
from ..throttles import ClientAddressThrottle


class Endpoint(GenericAPIView):
    """A view that reads one body, through its serializer_class."""

    def validated_data(self, request) -> dict:
        """The body, validated; a 400 with field errors otherwise."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class AnonymousEndpoint(Endpoint):
    """Endpoints that take no credentials in the header (see CredentialsInBody)."""

    authentication_classes = [CredentialsInBody]
    permission_classes = [AllowAny]
    throttle_classes = [ClientAddressThrottle]


class OneCommit:
    """For a write behind a throttle: the throttle's count and the write commit together.

    Without a shared cache the counters are rows of the database (settings.CACHES), so a
    throttled write committed twice; on SQLite's durable default each commit waits for an
    fsync (~0.8 ms each on the test machine). Refusals are answers, not
    errors (DRF's dispatch returns them), so they commit too: an ended session stays ended.
    """

    def dispatch(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)
