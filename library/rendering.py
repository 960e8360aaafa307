"""How API answers become bytes: DRF's JSON, made by orjson, and the choice of renderer
short-cut for what API clients send. Both keep DRF's output to the byte
(library/tests/test_rendering.py compares them); settings.REST_FRAMEWORK names them."""

import orjson
from rest_framework import renderers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.utils.encoders import JSONEncoder

# What orjson writes differently from DRF's encoder goes to that encoder instead:
# datetimes (DRF cuts them to milliseconds and writes "Z"), dataclasses, and what orjson
# does not know (lazy strings, Decimal...). The API has no floats, which the two would
# also print differently ("1e+16" against "1e16").
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_DEFAULT = JSONEncoder().default
# DRF writes these two as escapes, so that the JSON is also valid JavaScript.
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSONRenderer, compact, through orjson: ~5x faster on a page of authors.
    An indented answer (`Accept: application/json; indent=2`), or data orjson refuses
    (an integer over 64 bits), is DRF's own."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            text = orjson.dumps(data, default=_DEFAULT, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if _LINE_SEPARATOR in text or _PARAGRAPH_SEPARATOR in text:
            text = text.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
        return text


# The Accept headers of API clients: none, anything, or JSON.
_JSON_CLIENT = {"*/*", "application/json"}


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, with a shortcut for API clients: when the request asks for
    anything or JSON and names no format, the view's first renderer if it is JSON, without
    matching the header against every renderer (the browsable API's is then never built
    into the answer). A browser's Accept, a `?format=` or a suffix go DRF's way."""

    def select_renderer(self, request, renderers, format_suffix=None):
        first = renderers[0] if renderers else None
        if (
            first is not None
            and first.media_type == "application/json"
            and not format_suffix
            and request.META.get("HTTP_ACCEPT", "*/*") in _JSON_CLIENT
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
