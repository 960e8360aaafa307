"""library/rendering.py: orjson writes what DRF's JSONRenderer writes, and API clients
get JSON without DRF's Accept matching, while browsers and other asks go DRF's way."""

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils.functional import lazy
from rest_framework import renderers
from rest_framework.exceptions import ErrorDetail
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from library.rendering import JSONRenderer
from library.tests.helpers import AUTHORS

pytestmark = pytest.mark.django_db

PAYLOADS = [
    {"count": 0, "next": None, "previous": None, "results": []},
    {"name": "Zoë «ÿ» 日本 😀", "line": "a\u2028b\u2029c", "quote": '"\\/</script>', "control": "\x00\x1f"},
    {"detail": ErrorDetail("Not found.", code="not_found"), "code": "not_found"},
    {"field": [ErrorDetail("This field is required.", code="required")]},
    ReturnDict({"id": 1, "ok": True, "no": False, "big": 2**63 - 1, "neg": -(2**63)}, serializer=None),
    ReturnList([{"a": 1}, {"b": [1, 2, (3, 4)]}], serializer=None),
    {"at": datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC), "day": date(2026, 3, 1)},
    {"naive": datetime(2026, 3, 1, 12, 0), "span": timedelta(seconds=90)},
    {"id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "amount": Decimal("1.50")},
    {"lazy": lazy(lambda: "translated later", str)()},
    {"huge": 2**70},
    [],
    "text",
]


@pytest.mark.parametrize("data", PAYLOADS, ids=range(len(PAYLOADS)))
def test_orjson_writes_what_drf_writes(data):
    assert JSONRenderer().render(data) == renderers.JSONRenderer().render(data)


@pytest.mark.parametrize("accepted", ["application/json; indent=2", "application/json; indent=0"])
def test_an_indented_answer_is_drfs_own(accepted):
    data = {"a": [1, {"b": "ü"}]}

    assert JSONRenderer().render(data, accepted) == renderers.JSONRenderer().render(data, accepted)
    assert (b"\n" in JSONRenderer().render(data, accepted)) == accepted.endswith("2")  # DRF: 0 is none


def test_no_data_is_no_body():
    assert JSONRenderer().render(None) == b""


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_api_clients_get_json(user_client, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}

    response = user_client.get(AUTHORS, **headers)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_a_browser_still_gets_the_browsable_api(user_client):
    response = user_client.get(AUTHORS, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_the_format_parameter_still_chooses(user_client):
    assert user_client.get(AUTHORS, {"format": "api"}, HTTP_ACCEPT="*/*")["Content-Type"].startswith(
        "text/html"
    )
    assert (
        user_client.get(AUTHORS, {"format": "json"}, HTTP_ACCEPT="*/*")["Content-Type"] == "application/json"
    )


def test_an_accept_no_renderer_serves_is_still_406(user_client):
    response = user_client.get(AUTHORS, HTTP_ACCEPT="application/xml")

    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"


def test_json_with_an_indent_is_indented(user_client):
    response = user_client.get(AUTHORS, HTTP_ACCEPT="application/json; indent=2")

    assert response["Content-Type"] == "application/json"
    assert response.content.startswith(b'{\n  "count"')
