"""Real gunicorn servers on loopback for the tests that need more than one process, and
the mail worker and an SMTP server beside them."""

import email
import email.policy
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
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "JWT_", "DATABASE_URL", "REDIS_URL"))
        },
        "DJANGO_SECRET_KEY": "test-server-key-" + "x" * 40,
        "JWT_SIGNING_KEY": "test-server-jwt-key-" + "y" * 40,
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


@contextmanager
def mail_worker(environment: dict):
    """`manage.py db_worker` (django-tasks-db's worker), as production runs it, polling
    often; stops it after."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        cwd=BASE_DIR,
        env=environment | {"LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


class Inbox:
    """What an aiosmtpd server received, as parsed mails."""

    def __init__(self):
        self.mails: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, subject: str, timeout: float = 30) -> email.message.EmailMessage:
        """The first mail whose subject contains `subject`, once it arrives."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [mail for mail in self.mails if subject in mail["Subject"]]
            if found:
                return found[0]
            time.sleep(0.1)
        raise AssertionError(
            f"no mail {subject!r} within {timeout} s; got {[m['Subject'] for m in self.mails]}"
        )


@contextmanager
def smtp_server(port: int):
    """A real SMTP server (aiosmtpd) on 127.0.0.1:`port`; yields its Inbox."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
