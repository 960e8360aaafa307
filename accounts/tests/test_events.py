"""The security log's one writer, accounts/events.record."""

import logging

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts import events
from accounts.models import SecurityEvent
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_an_event_is_one_insert_with_what_the_request_told():
    user = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        events.record(events.Type.LOGIN_SUCCEEDED, user=user, user_agent="curl/8", ip="203.0.113.5")
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    event = SecurityEvent.objects.get()
    assert (event.type, event.user, event.user_agent, event.ip) == (
        "login_succeeded",
        user,
        "curl/8",
        "203.0.113.5",
    )


def test_long_client_text_is_cut_to_its_column():
    events.record(events.Type.LOGIN_FAILED, identifier="x" * 1000, user_agent="y" * 1000)
    event = SecurityEvent.objects.get()
    assert (len(event.identifier), len(event.user_agent)) == (254, 255)


def test_a_failed_record_is_logged_and_the_callers_transaction_goes_on(monkeypatch, caplog):
    user = UserFactory()

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    with transaction.atomic():
        monkeypatch.setattr(SecurityEvent.objects, "create", broken)
        with caplog.at_level(logging.ERROR, logger="accounts.events"):
            events.record(events.Type.LOGOUT, user=user)
        monkeypatch.undo()
        user.first_name = "Still"
        user.save(update_fields=["first_name"])  # the transaction is still usable

    user.refresh_from_db()
    assert user.first_name == "Still"
    assert SecurityEvent.objects.count() == 0
    assert "Could not record the security event logout for user" in caplog.text


def test_an_event_outlives_its_deleted_user():
    user = UserFactory()
    events.record(events.Type.LOGOUT, user=user)
    user.delete()
    event = SecurityEvent.objects.get(type="logout")
    assert event.user is None


def test_a_login_is_recorded_with_its_session_and_client(api_client):
    user = UserFactory()
    answer = api_client.post(
        "/api/auth/token/",
        {"username": user.username, "password": PASSWORD},
        format="json",
        HTTP_USER_AGENT="Ada's phone",
    )
    assert answer.status_code == 200
    event = SecurityEvent.objects.get()
    session = user.login_sessions.get()
    assert (event.type, event.user, event.session_id, event.user_agent) == (
        "login_succeeded",
        user,
        session.pk,
        "Ada's phone",
    )


def test_a_failed_login_is_recorded_with_the_identifier_as_typed_and_never_the_password(api_client):
    user = UserFactory()
    answer = api_client.post(
        "/api/auth/token/",
        {"username": user.username.upper(), "password": "wrong guess"},
        format="json",
        HTTP_USER_AGENT="curl/8.5.0",
    )
    assert answer.status_code == 401
    event = SecurityEvent.objects.get()
    # The account the identifier names owns the event: its owner sees who tried, and from where.
    assert (event.type, event.user, event.identifier) == ("login_failed", user, user.username.upper())
    assert (event.user_agent, event.ip) == ("curl/8.5.0", "127.0.0.1")
    assert "wrong guess" not in str(SecurityEvent.objects.values().get())


def test_a_failed_login_by_email_names_the_account_too(api_client):
    user = UserFactory()
    answer = api_client.post("/api/auth/token/", {"username": user.email.upper(), "password": "guess"})
    assert answer.status_code == 401
    assert SecurityEvent.objects.get().user == user


def test_a_failed_login_for_no_account_has_no_user(api_client):
    answer = api_client.post("/api/auth/token/", {"username": "nobody", "password": "guess"})
    assert answer.status_code == 401
    event = SecurityEvent.objects.get()
    assert (event.type, event.user, event.identifier) == ("login_failed", None, "nobody")
