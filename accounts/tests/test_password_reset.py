"""POST /api/auth/password-reset/ and /confirm/: a link by mail, then a new password."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from accounts import recovery, tokens
from accounts.models import LoginSession, OutgoingMail, User
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import (
    EMAIL_VERIFY_RESEND,
    LOGIN,
    ME,
    PASSWORD_CHANGE,
    PASSWORD_RESET,
    PASSWORD_RESET_CONFIRM,
    REFRESH,
    mailed_link,
    mails_to,
    reset_link_fields,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "an even longer fresh phrase"


@pytest.fixture
def reset_mail(user, api_client, run_worker, mailoutbox):
    """The reset mail `user` gets after asking for it."""
    api_client.post(PASSWORD_RESET, {"email": user.email})
    run_worker()
    [message] = mails_to(mailoutbox, user.email, "Set a new password")
    return message


def confirm(fields: dict, new_password: str = NEW_PASSWORD, **client):
    return APIClient().post(PASSWORD_RESET_CONFIRM, {**fields, "new_password": new_password}, **client)


# --- asking for a link ---------------------------------------------------------------------


def test_asking_for_a_known_address_answers_202_and_the_worker_mails_a_link(
    user, api_client, run_worker, mailoutbox
):
    response = api_client.post(
        PASSWORD_RESET, {"email": user.email.upper()}, HTTP_USER_AGENT="Shelf/2.0", REMOTE_ADDR="203.0.113.7"
    )

    assert (response.status_code, response.json()) == (202, {"detail": recovery.RESET_REQUESTED})
    assert mailoutbox == []  # the request did not talk to the mail server
    run_worker()
    [message] = mailoutbox
    assert message.to == [user.email] and message.subject == "Library: Set a new password"
    assert mailed_link(message).startswith("http://127.0.0.1:8000/accounts/reset/")
    assert "From the address: 203.0.113.7\nWith: Shelf/2.0\n" in message.body  # who asked
    assert mailed_link(message) in message.alternatives[0][0]  # the HTML part has it too


@pytest.mark.parametrize(
    "spelling",
    ["ADA@example.com", "ada@\uff45xample.com", "ada@EXAMPLE.COM"],
    ids=["case", "fullwidth", "domain"],
)
def test_the_link_goes_to_the_address_as_the_account_stores_it(api_client, run_worker, mailoutbox, spelling):
    UserFactory(email="ada@example.com")

    api_client.post(PASSWORD_RESET, {"email": spelling})
    run_worker()

    [message] = mailoutbox
    assert message.to == ["ada@example.com"]  # another spelling may be another mailbox
    assert OutgoingMail.objects.get().to == "ada@example.com"


def test_asking_for_an_unknown_address_answers_the_same_and_mails_nothing(api_client, run_worker, mailoutbox):
    response = api_client.post(PASSWORD_RESET, {"email": "nobody@example.com"})

    assert (response.status_code, response.json()) == (202, {"detail": recovery.RESET_REQUESTED})
    run_worker()
    assert mailoutbox == []
    assert not OutgoingMail.objects.exists()


def test_an_inactive_account_gets_no_link(api_client, run_worker, mailoutbox):
    inactive = UserFactory(is_active=False)

    api_client.post(PASSWORD_RESET, {"email": inactive.email})

    run_worker()
    assert mailoutbox == []


def shape(sql: str) -> str:
    """A query without its values: what the database is asked to do, not with what."""
    return re.sub(r"'[^']*'|\b\d+(\.\d+)?\b|\"s\d+_x\d+\"", "?", sql)


@pytest.mark.parametrize("path", [PASSWORD_RESET, EMAIL_VERIFY_RESEND])
def test_a_known_and_an_unknown_address_cost_the_same_queries_and_no_hash(
    user, password_hashes, mailoutbox, path
):
    measured = {}
    for name, address, client_address in [
        ("known", user.email, "203.0.113.1"),
        ("unknown", "nobody@example.com", "203.0.113.2"),
    ]:
        with CaptureQueriesContext(connection) as queries:
            response = APIClient(REMOTE_ADDR=client_address).post(path, {"email": address})
        assert response.status_code == 202
        measured[name] = [shape(query["sql"]) for query in queries.captured_queries]

    assert measured["known"] == measured["unknown"]
    assert any("INSERT INTO" in query and "dbtaskresult" in query for query in measured["known"])
    assert "accounts_user" not in " ".join(measured["known"])  # no user is even looked up
    assert password_hashes == []
    assert mailoutbox == []


def test_the_request_queues_the_mail_and_nothing_talks_to_a_mail_server(user, api_client, monkeypatch):
    def no_mail_server(*args, **kwargs):
        raise AssertionError("the request tried to send mail")

    monkeypatch.setattr("django.core.mail.get_connection", no_mail_server)

    response = api_client.post(PASSWORD_RESET, {"email": user.email})

    assert response.status_code == 202
    assert DBTaskResult.objects.filter(task_path="accounts.tasks.send_mail").count() == 1


def test_asking_is_throttled_per_client_address(settings):
    limit = int(settings.THROTTLE_RATES["mail"].split("/")[0])
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    answers = [
        client.post(PASSWORD_RESET, {"email": f"reader{n}@example.com"}).status_code for n in range(limit + 1)
    ]

    assert answers == [202] * limit + [429]
    assert (
        APIClient(REMOTE_ADDR="198.51.100.4").post(PASSWORD_RESET, {"email": "x@example.com"}).status_code
        == 202
    )


def test_asking_is_throttled_per_address_asked_for_from_any_client(settings):
    limit = int(settings.THROTTLE_RATES["mail_address"].split("/")[0])
    spellings = ["ada@example.com", "ADA@example.com", "Ada@Example.COM"]
    answers = [
        APIClient(REMOTE_ADDR=f"203.0.113.{n}").post(PASSWORD_RESET, {"email": spellings[n % 3]})
        for n in range(limit + 1)
    ]

    assert [answer.status_code for answer in answers] == [202] * limit + [429]
    assert int(answers[-1]["Retry-After"]) > 0
    other = APIClient(REMOTE_ADDR="203.0.113.200").post(PASSWORD_RESET, {"email": "grace@example.com"})
    assert other.status_code == 202


@pytest.mark.parametrize("body", [{}, {"email": "not an address"}, {"email": ["a@example.com"]}])
def test_asking_without_an_address_is_400(api_client, body):
    response = api_client.post(PASSWORD_RESET, body, format="json")

    assert response.status_code == 400
    assert "email" in response.json()


def test_with_a_front_end_the_link_opens_it(user, api_client, run_worker, mailoutbox, settings):
    settings.FRONTEND_URL = "https://app.example.com"

    api_client.post(PASSWORD_RESET, {"email": user.email})
    run_worker()

    link = mailed_link(mailoutbox[0])
    assert re.fullmatch(r"https://app\.example\.com/reset-password\?uid=[\w-]+&token=[\w-]+", link)
    assert confirm(reset_link_fields(mailoutbox[0])).status_code == 204


# --- setting the password with it ------------------------------------------------------------


def test_the_link_sets_the_password_and_ends_every_session(user, user_client, reset_mail):
    refresh = user_client.pair.refresh

    response = confirm(reset_link_fields(reset_mail))

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert not LoginSession.objects.live().filter(user=user).exists()
    assert user_client.get(ME).status_code == 401
    assert APIClient().post(REFRESH, {"refresh": refresh}).status_code == 401
    assert APIClient().post(LOGIN, {"username": user.username, "password": NEW_PASSWORD}).status_code == 200


def test_the_link_works_once(reset_mail):
    assert confirm(reset_link_fields(reset_mail)).status_code == 204

    again = confirm(reset_link_fields(reset_mail), "yet another fresh passphrase")

    assert again.status_code == 400
    assert again.json() == {"token": [tokens.INVALID_RESET_LINK]}


def test_the_link_expires(settings, reset_mail):
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)):
        response = confirm(reset_link_fields(reset_mail))

    assert response.status_code == 400
    assert response.json() == {"token": [tokens.INVALID_RESET_LINK]}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda fields: {
            **fields,
            "token": fields["token"][:-1] + ("0" if fields["token"][-1] != "0" else "1"),
        },
        lambda fields: {**fields, "token": "1-" + fields["token"].split("-")[1]},
        lambda fields: {**fields, "uid": "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA"},  # a 20-digit id
        lambda fields: {**fields, "uid": "!!!"},
        lambda fields: {**fields, "token": "no-dash-here-at-all"},
    ],
    ids=["token", "token timestamp", "huge uid", "garbage uid", "garbage token"],
)
def test_a_tampered_link_is_refused_on_token(user, reset_mail, tamper):
    response = confirm(tamper(reset_link_fields(reset_mail)))

    assert response.status_code == 400
    assert response.json() == {"token": [tokens.INVALID_RESET_LINK]}
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_link_for_one_user_does_not_open_another_account(user, reset_mail):
    other = UserFactory()

    response = confirm({**reset_link_fields(reset_mail), "uid": tokens.reset_uid(other)})

    assert response.status_code == 400
    other.refresh_from_db()
    assert other.check_password(PASSWORD)


def test_the_link_dies_when_the_password_changes_by_another_path(user, user_client, reset_mail):
    user_client.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": "changed in the meantime"})

    assert confirm(reset_link_fields(reset_mail)).status_code == 400


def test_an_older_link_dies_when_a_newer_one_is_used(user, api_client, run_worker, mailoutbox, reset_mail):
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):  # tokens carry the second they were made
        api_client.post(PASSWORD_RESET, {"email": user.email})
        run_worker()
    newer = mails_to(mailoutbox, user.email, "Set a new password")[-1]
    assert reset_link_fields(newer) != reset_link_fields(reset_mail)

    assert confirm(reset_link_fields(newer)).status_code == 204
    assert confirm(reset_link_fields(reset_mail), "yet another fresh passphrase").status_code == 400


def test_a_weak_new_password_is_400_on_new_password_and_spends_nothing(user, reset_mail):
    weak = confirm(reset_link_fields(reset_mail), "password")

    assert weak.status_code == 400
    assert list(weak.json()) == ["new_password"]
    assert confirm(reset_link_fields(reset_mail)).status_code == 204


def test_a_new_password_like_the_accounts_own_name_is_400(user, reset_mail):
    response = confirm(reset_link_fields(reset_mail), f"{user.username}!!")

    assert response.status_code == 400
    assert response.json()["new_password"] == ["The password is too similar to the username."]


def test_a_change_made_while_the_new_password_hashes_is_kept(user, reset_mail, monkeypatch):
    from django.contrib.auth.hashers import MD5PasswordHasher

    hash_password = MD5PasswordHasher.encode

    def staff_act_meanwhile(hasher, password, salt):
        if password == NEW_PASSWORD:  # Argon2 takes a while: another request changes the user.
            User.objects.filter(pk=user.pk).update(first_name="Meanwhile", is_staff=True)
        return hash_password(hasher, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", staff_act_meanwhile)

    assert confirm(reset_link_fields(reset_mail)).status_code == 204

    user.refresh_from_db()
    assert (user.first_name, user.is_staff) == ("Meanwhile", True)
    assert user.check_password(NEW_PASSWORD)


def test_the_new_password_gets_a_notice_and_proves_the_address(user, reset_mail, run_worker, mailoutbox):
    confirm(reset_link_fields(reset_mail), HTTP_USER_AGENT="Shelf/2.0", REMOTE_ADDR="203.0.113.7")
    run_worker()

    [notice] = mails_to(mailoutbox, user.email, "Your password was reset")
    assert f"your Library account ({user.username})" in notice.body
    assert "From the address: 203.0.113.7\nWith: Shelf/2.0\n" in notice.body  # who set it
    assert "If it was not you" in notice.body
    user.refresh_from_db()
    assert user.email_verified


def test_a_reset_cancels_a_pending_change_of_address(user, user_client, reset_mail):
    user_client.patch(ME, {"email": "thief@example.com"})

    confirm(reset_link_fields(reset_mail))

    user.refresh_from_db()
    assert user.pending_email is None


def test_a_missing_field_is_400_on_it(api_client):
    response = api_client.post(PASSWORD_RESET_CONFIRM, {"uid": "MQ"})

    assert response.status_code == 400
    assert set(response.json()) == {"token", "new_password"}


def test_a_link_of_a_user_deactivated_since_is_refused(user, reset_mail):
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert confirm(reset_link_fields(reset_mail)).status_code == 400
