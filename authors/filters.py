import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter

from .models import Author

# Enough for any real search; few enough that no request makes the database build and
# run a query of thousands of LIKE clauses (1,000 terms were an outage on SQLite and
# 3.5 s a request on PostgreSQL).
SEARCH_MAX_LENGTH = 200
SEARCH_MAX_TERMS = 10


class AuthorFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(
        lookup_expr="iexact",
        max_length=Author._meta.get_field("country").max_length,
        help_text="Exact country, any case.",
    )
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
        max_length=150,
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


class BoundedSearchFilter(SearchFilter):
    """DRF's search, refusing more than SEARCH_MAX_TERMS words or SEARCH_MAX_LENGTH
    characters with a 400 on `search`."""

    def get_search_terms(self, request):
        if len(request.query_params.get(self.search_param, "")) > SEARCH_MAX_LENGTH:
            raise ValidationError({self.search_param: [f"At most {SEARCH_MAX_LENGTH} characters."]})
        terms = super().get_search_terms(request)
        if len(terms) > SEARCH_MAX_TERMS:
            raise ValidationError({self.search_param: [f"At most {SEARCH_MAX_TERMS} words."]})
        return terms
