"""Project-wide API conventions: the error shape and pagination (settings.REST_FRAMEWORK);
the JSON parser is library/parsers.py."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import AuthenticationError, NotPermitted, TooManyAttempts


class ServiceUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "The database cannot be reached; try again shortly."
    default_code = "service_unavailable"


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "Request body is too large."
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "The request conflicts with data that changed meanwhile; try again."
    default_code = "conflict"


def exception_handler(exc, context):
    """DRF's handler, with a `code` beside every `detail`, database outages as 503, and
    the domain errors of the services (library/errors.py, Django's) as their 4xx."""
    if isinstance(exc, AuthenticationError):
        exc = _authentication_failed(exc, context)
    elif isinstance(exc, NotPermitted):
        exc = exceptions.PermissionDenied(exc.message, code=exc.code)
    elif isinstance(exc, TooManyAttempts):
        exc = exceptions.Throttled(wait=exc.retry_after, detail=exc.message, code=exc.code)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_field_errors(exc))
    elif isinstance(exc, RequestDataTooBig):
        # A client's mistake, logged as one (a warning, no traceback), not Django's
        # security error.
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, (OperationalError, InterfaceError)) and not _database_answers():
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


def _database_answers() -> bool:
    """Whether the database still answers: an OperationalError it raised while answering
    (a query too large, say) is a server error, not an outage to retry."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def _authentication_failed(error: AuthenticationError, context) -> exceptions.AuthenticationFailed:
    """A 401 naming the view's authentication scheme, as DRF's APIView would make it; a
    view with no scheme to name answers 403, as DRF's do."""
    failed = exceptions.AuthenticationFailed(error.message, code=error.code)
    view, request = context.get("view"), context.get("request")
    header = view.get_authenticate_header(request) if view is not None and request is not None else None
    if header:
        failed.auth_header = header
    else:
        failed.status_code = status.HTTP_403_FORBIDDEN
    return failed


def _field_errors(error: DjangoValidationError) -> dict:
    """Django's ValidationError in DRF's shape: field -> messages, whole-request errors
    under "non_field_errors" rather than Django's "__all__"."""
    errors = as_serializer_error(error)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors


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
    # The list a schema documents, for its examples' links (library.schema.AutoSchema
    # sets it; DRF's own examples point at api.example.org/accounts/).
    example_url = "http://127.0.0.1:8000/api/"

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["next"]["example"] = f"{self.example_url}?page=4"
        answer["properties"]["previous"]["example"] = f"{self.example_url}?page=2"
        answer["required"] = list(answer["properties"])  # next and previous too: null, never missing
        return answer
