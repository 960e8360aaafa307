"""Real gunicorn servers on loopback for the tests that need more than one process."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from library.tests.helpers import BASE_DIR


def call(base: str, method: str, path: str, body: dict | None = None, token: str | None = None):
    """One JSON request; returns (status, parsed body or None)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback only)
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw) if raw else None
        except ValueError:
            return error.code, raw.decode(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(*args: str, environment: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=environment, check=True, capture_output=True
    )


def server_environment(**overrides: str) -> dict:
    """Production-like settings for a test server; DATABASE_URL etc. come as overrides."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))},
        "DJANGO_SECRET_KEY": "test-server-key-" + "x" * 40,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        **overrides,
    }


@contextmanager
def gunicorn(environment: dict, workers: int = 1):
    """A gunicorn process serving the project; yields its base URL, stops it after."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--workers", str(workers)],
        cwd=BASE_DIR,
        env=environment | {"GUNICORN_BIND": f"127.0.0.1:{port}", "LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while call_quietly(base) != 200:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"gunicorn at {base} did not come up")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def call_quietly(base: str) -> int | None:
    try:
        return call(base, "GET", "/api/health/")[0]
    except OSError:
        return None


@contextmanager
def sqlite_server(tmp_path: Path, workers: int = 1, **overrides: str):
    """gunicorn on a fresh, migrated SQLite file; yields (base URL, environment)."""
    environment = server_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **overrides)
    manage("migrate", "--no-input", environment=environment)
    with gunicorn(environment, workers=workers) as base:
        yield base, environment


def register_and_log_in(
    base: str, username: str, password: str = "a long and unguessable passphrase"
) -> dict:
    status, body = call(
        base,
        "POST",
        "/api/auth/register/",
        {"username": username, "email": f"{username}@example.com", "password": password},
    )
    assert status == 201, body
    status, pair = call(base, "POST", "/api/auth/token/", {"username": username, "password": password})
    assert status == 200, pair
    return pair
