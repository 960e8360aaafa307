"""The filters of GET /api/auth/events/: strict values (an unknown type or a date that
is not one is a 400, never a silently unfiltered list), like authors/filters.py."""

import django_filters
from rest_framework.exceptions import ValidationError

from .models import SecurityEvent, User, identity_key

ONLY_STAFF_NAME_A_USER = "Only staff may filter by user."


class SecurityEventFilter(django_filters.FilterSet):
    type = django_filters.MultipleChoiceFilter(
        choices=SecurityEvent.Type.choices,
        help_text="One or several event types (repeat the parameter: ?type=logout&type=logout_all).",
    )
    created_after = django_filters.IsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text="Events at or after this time, ISO 8601 (2026-11-22T18:00:00Z; UTC without an offset).",
    )
    created_before = django_filters.IsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="lt",
        help_text="Events before this time, ISO 8601.",
    )
    user = django_filters.CharFilter(
        method="filter_user",
        max_length=User._meta.get_field("username").max_length,
        help_text="Staff only: another user's events, by username (any case). Without it, everyone "
        "(staff too) reads their own. From anyone else, a 400.",
    )

    class Meta:
        model = SecurityEvent
        fields = ["type", "created_after", "created_before", "user"]

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("user"):
            queryset = queryset.filter(
                user=self.request.user
            )  # staff read their own unless they name someone
        return super().filter_queryset(queryset)

    def filter_user(self, queryset, name, value):
        if not self.request.user.is_staff:
            raise ValidationError({name: [ONLY_STAFF_NAME_A_USER]})
        return queryset.filter(user__username_key=identity_key(value))
