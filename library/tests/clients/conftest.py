"""Third-party clients against a live server (make test-clients).

One gunicorn on a fresh SQLite file and a free loopback port serves every test here;
each tool reads the schema the way a client developer would, from /api/schema/ on that
server. The npm tools are the exact versions of clients/package-lock.json, installed by
`make test-clients` (npm ci); the Python generator is pinned in requirements-dev.txt.
"""

import email
import email.policy
import os
import subprocess
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from library.tests.helpers import BASE_DIR
from library.tests.servers import manage, sqlite_server

CLIENTS = BASE_DIR / "clients"
NODE_TOOLS = CLIENTS / "node_modules" / ".bin"
ARTIFACTS = BASE_DIR / "test-artifacts" / "clients"

# The superuser a deployer makes with `manage.py createsuperuser`, as the README says.
STAFF = SimpleNamespace(
    username="librarian", email="librarian@example.com", password="a librarian's long passphrase"
)


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """The server: its base URL (from the schema's own `servers`), and the schema."""
    # Every flow logs in several times from one address; the throttles are tested elsewhere.
    budgets = {
        f"THROTTLE_{scope}": "10000/min"
        for scope in ("LOGIN", "REGISTER", "REFRESH", "PASSWORD", "MAIL", "MAIL_ADDRESS", "MFA")
    }
    # Mail goes to files a test reads as a user reads their inbox (read_mail). (Three
    # slashes before an absolute path: django-environ drops one.)
    mailbox = tmp_path_factory.mktemp("mailbox")
    with sqlite_server(
        tmp_path_factory.mktemp("clients"), workers=2, EMAIL_URL=f"filemail:///{mailbox}", **budgets
    ) as (base, environment):
        manage(
            "createsuperuser",
            "--no-input",
            "--username",
            STAFF.username,
            "--email",
            STAFF.email,
            environment=environment | {"DJANGO_SUPERUSER_PASSWORD": STAFF.password},
        )
        with urllib.request.urlopen(f"{base}/api/schema/", timeout=30) as answer:  # noqa: S310 (loopback)
            text = answer.read().decode()
        yield SimpleNamespace(
            base=base,
            schema_text=text,
            schema=yaml.safe_load(text),
            staff=STAFF,
            environment=environment,
            mailbox=mailbox,
        )


def read_mail(live, address: str, subject: str) -> email.message.EmailMessage:
    """The newest mail to `address` whose subject has `subject`, once the server's worker
    (`manage.py db_worker --batch`) has delivered what is queued."""
    worker = live.environment | {"SITE_URL": live.base}  # production needs it for the links
    manage("db_worker", "--batch", "--no-startup-delay", environment=worker)
    messages = [
        email.message_from_string(text, policy=email.policy.default)
        for path in sorted(live.mailbox.iterdir(), key=lambda path: path.stat().st_mtime)
        for text in path.read_text().split("-" * 79 + "\n")
        if text.strip()
    ]
    found = [message for message in messages if message["To"] == address and subject in message["Subject"]]
    assert found, f"no mail to {address} about {subject!r}"
    return found[-1]


@pytest.fixture(scope="session")
def schema_file(live, tmp_path_factory) -> Path:
    """The live schema, saved as a client developer's download of /api/schema/."""
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    path.write_text(live.schema_text)
    return path


def node_tool(
    name: str, *args: str, cwd: Path | None = None, timeout: int = 300
) -> subprocess.CompletedProcess:
    """Run one of clients/node_modules/.bin; fails the test with its output if it fails."""
    executable = NODE_TOOLS / name
    if not executable.exists():
        pytest.fail(f"{executable} is missing: `make test-clients` installs the npm tools (npm ci)")
    result = subprocess.run(
        [str(executable), *args],
        cwd=cwd or CLIENTS,
        env=os.environ | OFFLINE,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stdout}\n{result.stderr}"
    return result


# No tool phones home: Redocly's telemetry and update check are off, npm's update notice
# too. Every request they make goes to the live server on 127.0.0.1.
OFFLINE = {
    "REDOCLY_TELEMETRY": "off",
    "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    "NO_UPDATE_NOTIFIER": "1",
    "npm_config_update_notifier": "false",
}


def save_artifact(name: str, text: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name).write_text(text)
