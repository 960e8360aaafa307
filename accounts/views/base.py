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
