"""The README's walk-through runs as written, against a live server."""

import os
import re
import subprocess
import sys

import jwt as pyjwt
import pytest

from accounts import keyring, sessions
from accounts.models import LoginSession, SecurityEvent
from accounts.tests.factories import UserFactory
from authors.models import Author
from library.tests.helpers import VERIFY, mails_to, readme_block, reset_link_fields

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


def run_verifier(api: str, access_token: str) -> subprocess.CompletedProcess:
    """The README's PyJWT verifier, as written, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-c", readme_block("### Signing keys and offline verification", "python")],
        env={**os.environ, "API": api, "ACCESS_TOKEN": access_token},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def eddsa_ring(settings):
    settings.JWT_ALGORITHM, settings.JWT_PRIVATE_KEY = "EdDSA", keyring.generate("EdDSA")
    keyring.forget()


def test_the_offline_verifier_accepts_our_access_token(live_server, eddsa_ring):
    user = UserFactory()
    pair = sessions.start_session(user=user)

    result = run_verifier(live_server.url, pair.access)

    assert (result.returncode, result.stdout.strip()) == (0, str(user.pk)), result.stderr


def test_the_offline_verifier_refuses_a_refresh_token_and_a_forged_one(live_server, eddsa_ring):
    pair = sessions.start_session(user=UserFactory())
    stranger = keyring.parse("EdDSA", keyring.generate("EdDSA"))[0]
    kid = keyring.signing_key().kid
    forged = pyjwt.encode(
        pyjwt.decode(pair.access, options={"verify_signature": False}), stranger, "EdDSA", {"kid": kid}
    )

    refresh, forgery = run_verifier(live_server.url, pair.refresh), run_verifier(live_server.url, forged)

    assert refresh.returncode != 0 and "Not an access token" in refresh.stderr
    assert forgery.returncode != 0 and "Signature verification failed" in forgery.stderr


def test_offline_a_revoked_token_passes_until_it_expires_and_the_server_refuses_it(
    live_server, eddsa_ring, api_client
):
    user = UserFactory()
    pair = sessions.start_session(user=user)
    sessions.end_all_sessions(user)

    offline = run_verifier(live_server.url, pair.access)

    assert (offline.returncode, offline.stdout.strip()) == (0, str(user.pk)), offline.stderr
    assert api_client.post(VERIFY, {"token": pair.access}).status_code == 401
