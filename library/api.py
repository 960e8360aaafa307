"""Project-wide API conventions: the error shape and pagination (settings.REST_FRAMEWORK)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class ServiceUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "The database cannot be reached; try again shortly."
    default_code = "service_unavailable"


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "The request conflicts with data that changed meanwhile; try again."
    default_code = "conflict"


def exception_handler(exc, context):
    """DRF's handler, with a `code` beside every `detail` and database outages as 503."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, (OperationalError, InterfaceError)):
        exc = ServiceUnavailable()
        exc.wait = 5
    elif isinstance(exc, IntegrityError):
        # Services turn the integrity errors they expect into field errors; a race
        # they did not foresee is still the client's to retry, not a server error.
        exc = Conflict()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        codes = exc.get_codes()
        if isinstance(codes, str):
            response.data.setdefault("code", codes)
    return response


class EitherEndPaginator(Paginator):
    """Reads pages in the back half from the end, in reverse order: the last page of a
    million rows then costs what the first does, instead of an OFFSET over them all."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom <= self.count // 2 or not getattr(self.object_list, "ordered", False):
            return super().page(number)
        from_the_end = self.object_list.reverse()[self.count - top : self.count - bottom]
        return self._get_page(list(from_the_end)[::-1], number, self)


class Pagination(PageNumberPagination):
    django_paginator_class = EitherEndPaginator
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
