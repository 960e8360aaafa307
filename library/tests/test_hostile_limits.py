"""What a real server refuses before any work: request lines and header fields too long
to be anything but an attack, and JSON nested too deep to parse. Run by `make test-hostile`."""

import contextlib
import json
import socket
from urllib.parse import urlsplit

import pytest

from library.tests.servers import call, sqlite_server

pytestmark = pytest.mark.hostile


def raw_exchange(base: str, request: bytes) -> tuple[int, dict, bytes]:
    """Sends `request` as is over one connection; returns (status, headers, body)."""
    address = urlsplit(base)
    answer = b""
    with socket.create_connection((address.hostname, address.port), timeout=60) as connection:
        # The server may answer and close before it has read all of a long request:
        # what it sent still arrives, so a refused send is not the test's failure.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(request)
        with contextlib.suppress(ConnectionResetError):
            while chunk := connection.recv(65536):
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in header_lines)}
    return int(status_line.split()[1]), headers, body


def get(path: str, *extra_headers: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *extra_headers, "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


@pytest.mark.parametrize("length", [20_000, 1_000_000], ids=["20KB", "1MB"])
def test_too_long_request_line_answers_json_414_and_the_server_keeps_serving(tmp_path, length):
    with sqlite_server(tmp_path) as (base, _):
        status, headers, body = raw_exchange(base, get("/api/authors/?search=" + "a" * length))
        health = call(base, "GET", "/api/health/")[0]

    assert status == 414
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["code"] == "request_line_too_long"
    assert health == 200


def test_too_long_header_field_answers_json_431_and_the_server_keeps_serving(tmp_path):
    with sqlite_server(tmp_path) as (base, _):
        status, headers, body = raw_exchange(base, get("/api/health/", "X-Padding: " + "a" * 20_000))
        health = call(base, "GET", "/api/health/")[0]

    assert status == 431
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["code"] == "request_headers_too_large"
    assert health == 200


def test_a_long_but_reasonable_url_still_reaches_the_app(tmp_path):
    with sqlite_server(tmp_path) as (base, _):
        status, _, body = raw_exchange(base, get("/api/authors/?search=" + "a" * 4000))

    assert status == 401  # the app's own answer: no token
    assert json.loads(body)["code"] == "not_authenticated"


def test_json_nested_2000_deep_is_a_json_400_from_a_real_server(tmp_path):
    deep = ("[" * 2000 + "]" * 2000).encode()
    request = (
        b"POST /api/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(deep)}\r\nConnection: close\r\n\r\n".encode()
        + deep
    )
    with sqlite_server(tmp_path) as (base, _):
        status, headers, body = raw_exchange(base, request)
        health = call(base, "GET", "/api/health/")[0]

    assert status == 400
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["code"] == "parse_error"
    assert health == 200
