"""Your security log: wiring for accounts/selectors.py and accounts/filters.py."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.generics import ListAPIView

from .. import schema, selectors
from ..event_serializers import SecurityEventSerializer
from ..filters import SecurityEventFilter
from ..models import SecurityEvent


@schema.EVENTS
class SecurityEventListView(ListAPIView):
    serializer_class = SecurityEventSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = SecurityEventFilter
    queryset = SecurityEvent.objects.none()  # for the schema only; get_queryset scopes every request

    def get_queryset(self):
        return selectors.security_events_visible_to(self.request.user)
