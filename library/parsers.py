"""The API's JSON parser (settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

A module of its own, importing nothing of DRF's views: DRF imports it while it builds
APIView, so a module that imports rest_framework.views (library/api.py) cannot hold it
without an import cycle (`manage.py check --deploy` with DEBUG off loaded the settings
through DRF's pagination check first, and failed on it).
"""

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's, with JSON nested past Python's recursion limit (`[[[[...`, 2,000 deep) a
    400 parse error like any other malformed body, not a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
