"""Mail end to end: gunicorn, the real worker (`manage.py db_worker`) and a real SMTP
server (aiosmtpd) on loopback, with EMAIL_URL=smtp://... Run by `make test-hostile`."""

import sqlite3
import time

import pytest

from library.tests.helpers import reset_link_fields
from library.tests.servers import (
    call,
    free_port,
    mail_worker,
    register_and_log_in,
    smtp_server,
    sqlite_server,
)

pytestmark = pytest.mark.hostile

PASSWORD = "a long and unguessable passphrase"
NEW_PASSWORD = "an even longer fresh phrase"


def mail_settings(smtp_port: int) -> dict:
    """What README's Deploying section has an operator set for mail, for this loopback."""
    return {
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "DEFAULT_FROM_EMAIL": "Library <noreply@library.example.com>",
        "SITE_URL": "https://library.example.com",
    }


def test_a_reset_mailed_over_smtp_sets_a_password_that_logs_in_and_ends_the_old_tokens(tmp_path):
    smtp_port = free_port()
    with (
        smtp_server(smtp_port) as inbox,
        sqlite_server(tmp_path, **mail_settings(smtp_port)) as (base, environment),
        mail_worker(environment),
    ):
        old = register_and_log_in(base, "ada", PASSWORD)
        status, body = call(base, "POST", "/api/auth/password-reset/", {"email": "ada@example.com"})
        assert status == 202, body

        mail = inbox.wait_for("Set a new password")
        assert mail["To"] == "ada@example.com"
        assert mail.get_body(preferencelist=("html",)) is not None
        assert (
            call(
                base,
                "POST",
                "/api/auth/password-reset/confirm/",
                {**reset_link_fields(mail), "new_password": NEW_PASSWORD},
            )[0]
            == 204
        )

        logged_in = call(base, "POST", "/api/auth/token/", {"username": "ada", "password": NEW_PASSWORD})
        assert logged_in[0] == 200
        assert call(base, "GET", "/api/accounts/me/", token=logged_in[1]["access"])[0] == 200
        assert call(base, "GET", "/api/accounts/me/", token=old["access"])[0] == 401
        assert call(base, "POST", "/api/auth/token/refresh/", {"refresh": old["refresh"]})[0] == 401
        assert call(base, "POST", "/api/auth/token/", {"username": "ada", "password": PASSWORD})[0] == 401
        assert inbox.wait_for("Your password was reset")["To"] == "ada@example.com"


def outgoing(tmp_path, kind: str) -> list[tuple]:
    """(status, attempts) of each OutgoingMail of `kind`, read from the server's database."""
    database = sqlite3.connect(tmp_path / "db.sqlite3")
    try:
        return database.execute(
            "SELECT status, attempts FROM accounts_outgoingmail WHERE kind = ?", (kind,)
        ).fetchall()
    finally:
        database.close()


def test_a_mail_server_down_then_up_gets_the_mail_once(tmp_path):
    smtp_port = free_port()  # nothing listens there yet
    with (
        sqlite_server(
            tmp_path,
            **mail_settings(smtp_port),
            EMAIL_RETRY_SECONDS="1",
            EMAIL_VERIFICATION="none",
        ) as (base, environment),
        mail_worker(environment),
    ):
        register_and_log_in(base, "ada", PASSWORD)
        call(base, "POST", "/api/auth/password-reset/", {"email": "ada@example.com"})
        deadline = time.monotonic() + 30
        while [status for status, _ in outgoing(tmp_path, "password_reset")] != ["retrying"]:
            assert time.monotonic() < deadline, outgoing(tmp_path, "password_reset")
            time.sleep(0.1)

        with smtp_server(smtp_port) as inbox:
            inbox.wait_for("Set a new password")
            time.sleep(3)  # time for any second delivery to show up

        assert [mail["Subject"] for mail in inbox.mails] == ["Library: Set a new password"]
        [(status, attempts)] = outgoing(tmp_path, "password_reset")
        assert status == "sent" and attempts >= 2
