import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter

from .models import Author


class AuthorFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(lookup_expr="iexact", help_text="Exact country, any case.")
    # Strict: "?booker_prize=maybe" is a 400, not a silently unfiltered list. The empty
    # choice lets the browsable API's filter form leave it unset.
    booker_prize = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        empty_label="any",
        method="filter_booker_prize",
        help_text="true or false.",
    )
    owner = django_filters.CharFilter(
        field_name="owner__username",
        lookup_expr="iexact",
        help_text="Username of the owner; only staff see other people's authors.",
    )

    class Meta:
        model = Author
        fields = ["country", "booker_prize", "owner"]

    def filter_booker_prize(self, queryset, name, value):
        return queryset.filter(booker_prize=value == "true")


class StableOrderingFilter(OrderingFilter):
    """Adds the id as a last sort key, so that pages never repeat or skip rows on ties."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(field.lstrip("-") == "id" for field in ordering):
            ordering = [*ordering, "-id" if ordering[0].startswith("-") else "id"]
        return ordering


class AuthorFilterBackend(DjangoFilterBackend):
    """django-filter, without building and validating its form when no filter is asked for
    (the common list request), which is most of its cost."""

    def filter_queryset(self, request, queryset, view):
        if request.query_params.keys().isdisjoint(AuthorFilter.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)
