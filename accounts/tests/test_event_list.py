"""GET /api/auth/events/: your own security log, newest first, filtered strictly."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import events
from accounts.event_serializers import own_identifier
from accounts.models import SecurityEvent
from accounts.tests.factories import UserFactory
from authors.tests.factories import AuthorFactory
from library.tests.helpers import AUTHORS, EVENTS, ME

pytestmark = pytest.mark.django_db


def types(response) -> list[str]:
    return [event["type"] for event in response.json()["results"]]


def record_at(when, type, **kwargs):
    with time_machine.travel(when, tick=False):
        events.record(type, **kwargs)


def test_your_own_events_newest_first(user_client, user):
    events.record(events.Type.LOGIN_SUCCEEDED, user=user)
    events.record(events.Type.LOGOUT, user=user, session_id=user_client.pair.session.pk, ip="203.0.113.5")
    events.record(events.Type.LOGOUT, user=UserFactory())  # someone else's

    response = user_client.get(EVENTS)

    assert response.status_code == 200
    assert response.json()["count"] == 2
    newest = response.json()["results"][0]
    assert newest == {
        "id": newest["id"],
        "type": "logout",
        "created_at": newest["created_at"],
        "ip": "203.0.113.5",
        "user_agent": "",
        "session": str(user_client.pair.session.pk),
        "identifier": None,
        "detail": {},
        "actor": None,
    }
    assert types(response) == ["logout", "login_succeeded"]


def test_the_list_is_paginated(user_client, user):
    for _ in range(3):
        events.record(events.Type.LOGOUT, user=user)

    response = user_client.get(EVENTS, {"page_size": 2})

    assert (response.json()["count"], len(response.json()["results"])) == (3, 2)
    assert response.json()["next"].endswith("page=2&page_size=2")


def test_anonymous_is_401(api_client):
    assert api_client.get(EVENTS).status_code == 401


def test_a_staff_action_shows_its_actor_by_username(user_client, user, staff):
    events.record(events.Type.ACCOUNT_REACTIVATED, user=user, actor=staff)

    assert user_client.get(EVENTS).json()["results"][0]["actor"] == staff.username


# --- identifier: only what names your own account -------------------------------------------


def test_a_failed_login_shows_the_identifier_as_typed(user_client, user, api_client):
    api_client.post("/api/auth/token/", {"username": user.email.upper(), "password": "guess"})

    [event] = user_client.get(EVENTS, {"type": "login_failed"}).json()["results"]

    assert event["identifier"] == user.email.upper()


def test_an_identifier_that_no_longer_names_you_is_hidden(user_client, user):
    # An address once yours, now someone else's: what was typed is theirs now.
    events.record(events.Type.LOGIN_FAILED, user=user, identifier="old@example.com")
    UserFactory(email="old@example.com")

    [event] = user_client.get(EVENTS).json()["results"]

    assert event["identifier"] is None


# --- filters ---------------------------------------------------------------------------------


def test_filter_by_one_type(user_client, user):
    events.record(events.Type.LOGOUT, user=user)
    events.record(events.Type.LOGIN_SUCCEEDED, user=user)

    assert types(user_client.get(EVENTS, {"type": "logout"})) == ["logout"]


def test_filter_by_several_types(user_client, user):
    for type in (events.Type.LOGOUT, events.Type.LOGOUT_ALL, events.Type.LOGIN_SUCCEEDED):
        events.record(type, user=user)

    response = user_client.get(f"{EVENTS}?type=logout&type=logout_all")

    assert sorted(types(response)) == ["logout", "logout_all"]


@pytest.mark.parametrize("value", ["bogus", "LOGOUT", "Logout", ""])
def test_an_unknown_type_is_400(user_client, value):
    response = user_client.get(EVENTS, {"type": value})

    assert response.status_code == 400
    assert response.json() == {
        "type": [f"Select a valid choice. {value} is not one of the available choices."]
    }


def test_filter_by_time_range(user_client, user):
    now = timezone.now()
    for days in (10, 5, 1):
        record_at(now - timedelta(days=days), events.Type.LOGOUT, user=user, detail={"days": days})

    response = user_client.get(
        EVENTS,
        {
            "created_after": (now - timedelta(days=6)).isoformat(),
            "created_before": (now - timedelta(days=1)).isoformat(),
        },
    )

    assert [event["detail"] for event in response.json()["results"]] == [{"days": 5}]


def test_the_time_range_is_half_open(user_client, user):
    moment = timezone.now() - timedelta(hours=1)
    record_at(moment, events.Type.LOGOUT, user=user)

    at = {"created_after": moment.isoformat()}
    before = {"created_before": moment.isoformat()}

    assert user_client.get(EVENTS, at).json()["count"] == 1
    assert user_client.get(EVENTS, before).json()["count"] == 0


def test_a_date_alone_is_midnight_utc(user_client, user):
    record_at(datetime(2026, 11, 22, 10, tzinfo=UTC), events.Type.LOGOUT, user=user)

    assert user_client.get(EVENTS, {"created_after": "2026-11-22"}).json()["count"] == 1
    assert user_client.get(EVENTS, {"created_after": "2026-11-23"}).json()["count"] == 0


@pytest.mark.parametrize("name", ["created_after", "created_before"])
@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-11-22T25:00"])
def test_a_time_that_is_not_iso_8601_is_400(user_client, name, value):
    response = user_client.get(EVENTS, {name: value})

    assert response.status_code == 400
    assert response.json() == {name: ["Enter a valid date/time."]}


# --- staff and `user` ------------------------------------------------------------------------


def test_staff_read_a_users_events_by_username_in_any_case(staff_client, user):
    events.record(events.Type.LOGOUT, user=user)
    events.record(events.Type.LOGOUT, user=UserFactory())

    response = staff_client.get(EVENTS, {"user": user.username.upper()})

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_staff_without_user_read_their_own(staff_client, staff, user):
    events.record(events.Type.LOGOUT, user=user)
    events.record(events.Type.LOGOUT_ALL, user=staff)

    assert types(staff_client.get(EVENTS)) == ["logout_all"]


def test_staff_naming_nobody_get_an_empty_list(staff_client):
    assert staff_client.get(EVENTS, {"user": "nobody"}).json()["count"] == 0


def test_a_user_filter_from_a_non_staff_caller_is_400(user_client, user):
    events.record(events.Type.LOGOUT, user=UserFactory(username="grace"))

    response = user_client.get(EVENTS, {"user": "grace"})

    assert response.status_code == 400
    assert response.json() == {"user": ["Only staff may filter by user."]}


def test_staff_see_a_users_identifiers_by_the_same_rule(staff_client, user):
    events.record(events.Type.LOGIN_FAILED, user=user, identifier=user.username.upper())

    [event] = staff_client.get(EVENTS, {"user": user.username}).json()["results"]

    assert event["identifier"] == user.username.upper()


# --- cost ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [5, 50])
def test_list_query_count_does_not_grow_with_page_size(
    user_client, user, staff, page_size, django_assert_max_num_queries
):
    for _ in range(60):
        events.record(events.Type.ACCOUNT_REACTIVATED, user=user, actor=staff, identifier=user.username)

    # authenticate (1), count (1), page with its users and actors (1)
    with django_assert_max_num_queries(3):
        response = user_client.get(EVENTS, {"page_size": page_size, "type": "account_reactivated"})

    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize("path", [ME, AUTHORS])
def test_an_authenticated_get_records_nothing_and_touches_no_log(user_client, user, path):
    AuthorFactory(owner=user)

    with CaptureQueriesContext(connection) as queries:
        assert user_client.get(path).status_code == 200

    assert not any(SecurityEvent._meta.db_table in query["sql"] for query in queries.captured_queries)
    assert not SecurityEvent.objects.exists()


def test_an_identifier_naming_nothing_is_hidden_even_for_a_user_without_email(user_client, user):
    user.email = ""
    user.save(update_fields=["email"])
    events.record(events.Type.LOGIN_FAILED, user=user, identifier="my password, typed as a name")
    events.record(events.Type.LOGOUT, user=user)  # no identifier at all

    results = user_client.get(EVENTS).json()["results"]

    assert [event["identifier"] for event in results] == [None, None]


def test_a_deleted_accounts_event_shows_no_identifier():
    events.record(events.Type.ACCOUNT_DELETED, identifier="ada")

    assert own_identifier(SecurityEvent.objects.get()) is None
