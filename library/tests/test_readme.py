"""The README's walk-through runs as written, against a live server."""

import os
import re
import subprocess

import pytest

from accounts.models import LoginSession, SecurityEvent
from accounts.tests.factories import UserFactory
from authors.models import Author
from library.tests.helpers import mails_to, readme_block, reset_link_fields

pytestmark = pytest.mark.django_db(transaction=True)


def run_block(script: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/bash", "-euo", "pipefail", "-c", script],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_curl_walk_through_runs_as_written(live_server):
    script = readme_block("## A walk-through with curl")

    result = run_block(script, API=f"{live_server.url}/api")

    assert result.returncode == 0, result.stderr
    statuses = [line for line in result.stdout.splitlines() if re.fullmatch(r"\d{3}", line)]
    # revoke access, it is refused; revoke the rotated refresh, its session's refresh is
    # refused; log out everywhere, the access token is refused.
    assert statuses == ["204", "401", "204", "401", "204", "401"]
    assert '"name":"Anna Burns"' in result.stdout
    assert '"current":true' in result.stdout
    assert '"name":"curl"' in result.stdout
    assert '"name":"Walk-through"' in result.stdout
    assert Author.objects.filter(name="Anna Burns", owner__username="ada").count() == 1
    assert not LoginSession.objects.live().filter(user__username="ada").exists()


def test_the_password_reset_walk_through_runs_as_written(live_server, run_worker, mailoutbox):
    UserFactory(username="ada", email="ada@example.com", password="a long unguessable phrase")
    api = f"{live_server.url}/api"

    asked = run_block(readme_block("## A password reset with curl"), API=api)
    run_worker()  # what make run's worker does within a second or two
    [mail] = mails_to(mailoutbox, "ada@example.com", "Set a new password")
    link = reset_link_fields(mail)
    reset = run_block(
        readme_block("## A password reset with curl", nth=1),
        API=api,
        RESET_UID=link["uid"],
        RESET_TOKEN=link["token"],
    )

    assert asked.returncode == 0 and '"detail":"If an account has this email address' in asked.stdout, (
        asked.stderr
    )
    assert reset.returncode == 0, reset.stderr
    statuses = [line for line in reset.stdout.splitlines() if re.fullmatch(r"\d{3}", line)]
    assert statuses == ["204", "200", "401"]
    assert '{"token":["This password reset link is invalid' in reset.stdout


def test_the_second_factor_walk_through_runs_as_written(live_server):
    user = UserFactory(username="ada", email="ada@example.com", password="a long unguessable phrase")

    result = run_block(readme_block("## A second factor with curl"), API=f"{live_server.url}/api")

    assert result.returncode == 0, result.stderr
    assert '{"recovery_codes":[' in result.stdout
    assert '{"code":["The code is wrong, expired or already used."]}' in result.stdout
    assert result.stdout.splitlines()[-1] == "204"
    assert LoginSession.objects.filter(user=user).count() == 2
    assert list(SecurityEvent.objects.filter(user=user).order_by("id").values_list("type", flat=True)) == [
        "login_succeeded",
        "totp_enabled",
        "mfa_failed",
        "recovery_code_used",
        "login_succeeded",
        "recovery_code_used",
        "totp_disabled",
    ]
