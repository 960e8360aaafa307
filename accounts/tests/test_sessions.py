"""Logout, logout everywhere, and the list of login sessions."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import sessions
from accounts.models import LoginSession
from accounts.tests.factories import UserFactory
from library.tests.helpers import LOGOUT, LOGOUT_ALL, ME, REFRESH, SESSIONS, bearer_client, client_for

pytestmark = pytest.mark.django_db


def test_logout_stops_the_bearer_access_and_its_refresh(user, api_client):
    client = client_for(user)
    other = sessions.start_session(user=user)

    response = client.post(LOGOUT, {"refresh": client.pair.refresh})

    assert response.status_code == 204
    assert client.get(ME).status_code == 401
    assert api_client.post(REFRESH, {"refresh": client.pair.refresh}).status_code == 401
    assert bearer_client(other.access).get(ME).status_code == 200


def test_logout_without_refresh_ends_the_bearer_session(user, api_client):
    client = client_for(user)

    assert client.post(LOGOUT).status_code == 204

    assert api_client.post(REFRESH, {"refresh": client.pair.refresh}).status_code == 401


def test_logout_with_a_refresh_of_another_session_ends_both(user, api_client):
    client = client_for(user)
    other = sessions.start_session(user=user)

    client.post(LOGOUT, {"refresh": other.refresh})

    assert api_client.post(REFRESH, {"refresh": other.refresh}).status_code == 401
    assert client.get(ME).status_code == 401


def test_logout_needs_authentication(api_client, user):
    pair = sessions.start_session(user=user)

    assert api_client.post(LOGOUT, {"refresh": pair.refresh}).status_code == 401
    assert bearer_client(pair.access).get(ME).status_code == 200


def test_logout_with_malformed_refresh_is_400_and_ends_nothing(user_client):
    response = user_client.post(LOGOUT, {"refresh": "garbage"})

    assert response.status_code == 400
    assert "refresh" in response.json()
    assert user_client.get(ME).status_code == 200


def test_logout_with_another_users_refresh_is_403(user_client):
    victim = sessions.start_session(user=UserFactory())

    assert user_client.post(LOGOUT, {"refresh": victim.refresh}).status_code == 403
    assert bearer_client(victim.access).get(ME).status_code == 200
    assert user_client.get(ME).status_code == 200


def test_logout_all_stops_every_token_issued_so_far(user, api_client):
    pairs = [sessions.start_session(user=user) for _ in range(3)]
    client = client_for(user)
    bystander = sessions.start_session(user=UserFactory())

    assert client.post(LOGOUT_ALL).status_code == 204

    assert client.get(ME).status_code == 401
    for pair in pairs:
        assert bearer_client(pair.access).get(ME).status_code == 401
        assert api_client.post(REFRESH, {"refresh": pair.refresh}).status_code == 401
    assert bearer_client(bystander.access).get(ME).status_code == 200


def test_logout_all_needs_authentication(api_client):
    assert api_client.post(LOGOUT_ALL).status_code == 401


def test_logging_in_after_logout_all_works(user, api_client, password):
    client_for(user).post(LOGOUT_ALL)

    response = api_client.post("/api/auth/token/", {"username": user.username, "password": password})

    assert bearer_client(response.json()["access"]).get(ME).status_code == 200


def test_sessions_lists_live_sessions_and_marks_the_current_one(user):
    ended = sessions.start_session(user=user)
    sessions.end_sessions(LoginSession.objects.filter(pk=ended.session.pk))
    other = sessions.start_session(user=user, user_agent="Phone", ip="10.0.0.7")
    sessions.start_session(user=UserFactory())
    client = client_for(user)

    response = client.get(SESSIONS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_id = {row["id"]: row for row in body["results"]}
    assert set(by_id) == {str(client.pair.session.pk), str(other.session.pk)}
    assert by_id[str(client.pair.session.pk)]["current"] is True
    phone = by_id[str(other.session.pk)]
    assert (phone["user_agent"], phone["ip"], phone["current"]) == ("Phone", "10.0.0.7", False)
    fields = {"id", "created_at", "expires_at", "last_used_at", "name", "user_agent", "ip", "current"}
    assert set(body["results"][0]) == fields


def test_sessions_leave_out_expired_ones(user):
    sessions.start_session(user=user)

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        client = client_for(user)
        ids = [row["id"] for row in client.get(SESSIONS).json()["results"]]

    assert ids == [str(client.pair.session.pk)]


def test_sessions_need_authentication(api_client):
    assert api_client.get(SESSIONS).status_code == 401


def test_delete_session_stops_its_tokens(user, api_client):
    client = client_for(user)
    phone = sessions.start_session(user=user)

    response = client.delete(f"{SESSIONS}{phone.session.pk}/")

    assert response.status_code == 204
    assert bearer_client(phone.access).get(ME).status_code == 401
    assert api_client.post(REFRESH, {"refresh": phone.refresh}).status_code == 401
    assert client.get(ME).status_code == 200


def test_delete_another_users_session_is_404(user_client):
    victim = sessions.start_session(user=UserFactory())

    response = user_client.delete(f"{SESSIONS}{victim.session.pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert bearer_client(victim.access).get(ME).status_code == 200


def test_delete_unknown_or_malformed_session_id_is_404(user_client):
    assert user_client.delete(f"{SESSIONS}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert user_client.delete(f"{SESSIONS}not-a-uuid/").status_code == 404
