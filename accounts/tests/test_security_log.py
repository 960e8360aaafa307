"""Which events each change records: at the one place that owns its rule, with its client,
its session and, for staff actions, its actor; once each, whatever the path."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts import sessions, tokens
from accounts.models import LoginSession, SecurityEvent, User
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import (
    EMAIL_VERIFY,
    LOGOUT,
    LOGOUT_ALL,
    ME,
    PASSWORD_CHANGE,
    PASSWORD_RESET_CONFIRM,
    REFRESH,
    REVOKE,
    SESSIONS,
    USERS,
    bearer_client,
    client_for,
    form_fields,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "an even longer fresh phrase"
CLIENT = {"HTTP_USER_AGENT": "Ada's phone", "REMOTE_ADDR": "203.0.113.5"}
CHANGELIST = "/admin/accounts/user/"


def the_event(type: str) -> SecurityEvent:
    """The one event of `type`: none twice."""
    return SecurityEvent.objects.get(type=type)


def client_of(event: SecurityEvent) -> tuple:
    return (event.user_agent, event.ip)


@pytest.fixture
def ada_client(user):
    """The user's API client, sending CLIENT's user agent from CLIENT's address."""
    client = client_for(user)
    client.defaults.update(CLIENT)
    return client


@pytest.fixture
def staff_api(staff):
    client = client_for(staff)
    client.defaults.update(CLIENT)
    return client


@pytest.fixture
def admin_page(superuser):
    browser = Client(**CLIENT)
    browser.force_login(superuser)
    return browser


# --- sessions and tokens ----------------------------------------------------------------------


def test_reuse_of_a_rotated_refresh_token_is_recorded_with_its_session(user):
    pair = sessions.start_session(user=user)
    APIClient().post(REFRESH, {"refresh": pair.refresh})

    answer = APIClient(**CLIENT).post(REFRESH, {"refresh": pair.refresh})

    assert answer.status_code == 401
    event = the_event("refresh_reused")
    assert (event.user, event.session_id, client_of(event)) == (
        user,
        pair.session.pk,
        ("Ada's phone", "203.0.113.5"),
    )


def test_a_rotation_records_nothing(user):
    pair = sessions.start_session(user=user)

    assert APIClient().post(REFRESH, {"refresh": pair.refresh}).status_code == 200

    assert not SecurityEvent.objects.exists()


def test_a_refresh_token_of_a_user_deactivated_without_signals_is_no_reuse(user):
    pair = sessions.start_session(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)  # no signal: the session stays open

    assert APIClient().post(REFRESH, {"refresh": pair.refresh}).status_code == 401

    assert not SecurityEvent.objects.filter(type="refresh_reused").exists()


def test_a_refresh_token_of_a_session_already_ended_is_no_reuse(user, ada_client):
    ada_client.post(LOGOUT)

    assert APIClient().post(REFRESH, {"refresh": ada_client.pair.refresh}).status_code == 401

    assert not SecurityEvent.objects.filter(type="refresh_reused").exists()


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_a_revoked_token_is_recorded_saying_which(ada_client, user, kind):
    answer = ada_client.post(REVOKE, {"token": getattr(ada_client.pair, kind)})

    assert answer.status_code == 204
    event = the_event("token_revoked")
    assert (event.user, event.actor, event.session_id, event.detail) == (
        user,
        None,
        ada_client.pair.session.pk,
        {"token": kind},
    )
    assert client_of(event) == ("Ada's phone", "203.0.113.5")


def test_staff_revoking_a_users_token_is_recorded_for_the_user_with_the_staff_as_actor(
    staff_api, staff, user
):
    pair = sessions.start_session(user=user)

    assert staff_api.post(REVOKE, {"token": pair.access}).status_code == 204

    event = the_event("token_revoked")
    assert (event.user, event.actor, event.session_id) == (user, staff, pair.session.pk)


def test_a_refused_revocation_records_nothing(ada_client, staff):
    answer = ada_client.post(REVOKE, {"token": sessions.start_session(user=staff).access})

    assert answer.status_code == 403
    assert not SecurityEvent.objects.exists()


def test_ending_a_session_from_the_list_is_recorded_with_that_session(ada_client, user):
    other = sessions.start_session(user=user)

    assert ada_client.delete(f"{SESSIONS}{other.session.pk}/").status_code == 204

    event = the_event("session_ended")
    assert (event.user, event.session_id, client_of(event)) == (
        user,
        other.session.pk,
        ("Ada's phone", "203.0.113.5"),
    )


def test_a_logout_is_recorded_with_its_session(ada_client, user):
    assert ada_client.post(LOGOUT).status_code == 204

    event = the_event("logout")
    assert (event.user, event.session_id, client_of(event)) == (
        user,
        ada_client.pair.session.pk,
        ("Ada's phone", "203.0.113.5"),
    )


def test_a_logout_with_another_sessions_refresh_token_records_both(ada_client, user):
    other = sessions.start_session(user=user)

    ada_client.post(LOGOUT, {"refresh": other.refresh})

    ended = set(SecurityEvent.objects.filter(type="logout").values_list("session_id", flat=True))
    assert ended == {ada_client.pair.session.pk, other.session.pk}


def test_logging_out_everywhere_is_one_event_from_the_session_that_asked(ada_client, user):
    sessions.start_session(user=user)

    assert ada_client.post(LOGOUT_ALL).status_code == 204

    event = the_event("logout_all")
    assert (event.user, event.session_id, event.detail) == (
        user,
        ada_client.pair.session.pk,
        {"sessions_ended": 2},
    )
    assert SecurityEvent.objects.count() == 1  # not a session_ended each


def test_revoke_tokens_command_records_a_logout_everywhere_without_a_client(user):
    sessions.start_session(user=user)

    call_command("revoke_tokens", user.username, stdout=StringIO())

    event = the_event("logout_all")
    assert (event.user, event.actor, client_of(event)) == (user, None, ("", None))


# --- passwords ---------------------------------------------------------------------------------


def test_a_password_change_is_recorded_once_with_its_client(ada_client, user):
    answer = ada_client.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert answer.status_code == 200
    event = the_event("password_changed")
    assert (event.user, event.actor, client_of(event)) == (user, None, ("Ada's phone", "203.0.113.5"))
    assert SecurityEvent.objects.count() == 1  # the sessions it ends are part of it


def test_a_refused_password_change_records_nothing(ada_client):
    answer = ada_client.post(PASSWORD_CHANGE, {"old_password": "guess", "new_password": NEW_PASSWORD})

    assert answer.status_code == 400
    assert not SecurityEvent.objects.exists()


def test_a_password_reset_is_recorded_as_a_reset_not_a_change(user):
    link = {
        "uid": tokens.reset_uid(user),
        "token": tokens.make_reset_token(user),
        "new_password": NEW_PASSWORD,
    }

    assert APIClient(**CLIENT).post(PASSWORD_RESET_CONFIRM, link).status_code == 204

    event = the_event("password_reset")
    assert (event.user, client_of(event)) == (user, ("Ada's phone", "203.0.113.5"))
    assert not SecurityEvent.objects.filter(type="password_changed").exists()


def test_a_password_set_in_code_or_by_manage_py_is_recorded_without_a_client(user):
    user = User.objects.get(pk=user.pk)
    user.set_password(NEW_PASSWORD)
    user.save()

    event = the_event("password_changed")
    assert (event.user, event.actor, client_of(event)) == (user, None, ("", None))


def test_a_rehash_at_login_is_no_password_change(user, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]

    assert User.objects.get(pk=user.pk).check_password(PASSWORD)  # upgraded from MD5, and saved

    assert not SecurityEvent.objects.exists()


def test_a_new_user_records_no_password_change():
    User.objects.create_user(username="grace", email="grace@example.com", password=PASSWORD)

    assert not SecurityEvent.objects.exists()


# --- email address ----------------------------------------------------------------------------


def test_a_change_of_address_is_recorded_when_asked_and_when_confirmed(ada_client, user):
    assert ada_client.patch(ME, {"email": "ada@new.example"}).status_code == 200

    asked = the_event("email_change_requested")
    assert (asked.user, asked.detail, client_of(asked)) == (
        user,
        {"new_email": "ada@new.example"},
        ("Ada's phone", "203.0.113.5"),
    )
    user.refresh_from_db()
    key = tokens.make_verification_key(user, "ada@new.example")
    assert APIClient(REMOTE_ADDR="198.51.100.9").post(EMAIL_VERIFY, {"key": key}).status_code == 200
    confirmed = the_event("email_change_confirmed")
    assert (confirmed.user, confirmed.ip, confirmed.detail) == (
        user,
        "198.51.100.9",
        {"old_email": user.email, "new_email": "ada@new.example"},
    )


def test_a_change_of_address_confirmed_on_the_links_page_is_recorded_with_its_client(user):
    user.pending_email = "ada@new.example"
    user.save(update_fields=["pending_email"])
    key = tokens.make_verification_key(user, "ada@new.example")

    page = Client(**CLIENT).post("/accounts/verify-email/", {"key": key})

    assert page.status_code == 200
    event = the_event("email_change_confirmed")
    assert (event.user, client_of(event)) == (user, ("Ada's phone", "203.0.113.5"))


def test_confirming_the_address_one_has_is_no_change(user):
    key = tokens.make_verification_key(user, user.email)

    assert APIClient().post(EMAIL_VERIFY, {"key": key}).status_code == 200

    assert not SecurityEvent.objects.exists()


# --- flags, by any path ------------------------------------------------------------------------


def test_staff_deactivating_and_reactivating_a_user_is_recorded_with_the_actor(staff_api, staff, user):
    staff_api.patch(f"{USERS}{user.pk}/", {"is_active": False})
    staff_api.patch(f"{USERS}{user.pk}/", {"is_active": True})

    off, on = the_event("account_deactivated"), the_event("account_reactivated")
    assert (off.user, off.actor, client_of(off)) == (user, staff, ("Ada's phone", "203.0.113.5"))
    assert (on.user, on.actor) == (user, staff)
    assert SecurityEvent.objects.count() == 2  # the sessions deactivation ends are part of it


def test_a_superuser_granting_staff_status_is_recorded_with_the_new_value(superuser, user):
    answer = client_for(superuser).patch(f"{USERS}{user.pk}/", {"is_staff": True})

    assert answer.status_code == 200
    event = the_event("staff_status_changed")
    assert (event.user, event.actor, event.detail) == (user, superuser, {"is_staff": True})


def test_a_patch_that_changes_nothing_records_nothing(staff_api, user):
    assert staff_api.patch(f"{USERS}{user.pk}/", {"is_active": True}).status_code == 200

    assert not SecurityEvent.objects.exists()


def test_a_deactivation_in_code_is_recorded_without_an_actor(user):
    user.is_active = False
    user.save()

    event = the_event("account_deactivated")
    assert (event.user, event.actor) == (user, None)


def test_the_admins_change_form_records_flags_with_the_actor(admin_page, superuser, user):
    page = f"{CHANGELIST}{user.pk}/change/"
    data = form_fields(admin_page.get(page).content.decode())
    data.pop("is_active")
    data["is_staff"] = ["on"]

    answer = admin_page.post(page, data)

    assert answer.status_code == 302
    assert the_event("account_deactivated").actor == superuser
    staff = the_event("staff_status_changed")
    assert (staff.user, staff.actor, staff.detail, staff.ip) == (
        user,
        superuser,
        {"is_staff": True},
        "203.0.113.5",
    )


def test_the_admins_password_form_records_a_change_by_the_actor(admin_page, superuser, user):
    answer = admin_page.post(
        f"{CHANGELIST}{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert answer.status_code == 302
    event = the_event("password_changed")
    assert (event.user, event.actor, client_of(event)) == (user, superuser, ("Ada's phone", "203.0.113.5"))


def test_the_admins_deactivate_action_records_each_user_once(admin_page, superuser):
    targets = UserFactory.create_batch(2)

    admin_page.post(CHANGELIST, {"action": "deactivate", "_selected_action": [t.pk for t in targets]})

    events = SecurityEvent.objects.filter(type="account_deactivated")
    assert sorted((e.user_id, e.actor_id) for e in events) == sorted((t.pk, superuser.pk) for t in targets)
    assert SecurityEvent.objects.count() == 2


def test_the_admins_revoke_action_records_a_logout_everywhere_by_the_actor(admin_page, superuser, user):
    sessions.start_session(user=user)

    admin_page.post(CHANGELIST, {"action": "revoke_all_tokens", "_selected_action": [user.pk]})

    event = the_event("logout_all")
    assert (event.user, event.actor, event.detail) == (user, superuser, {"sessions_ended": 1})


# --- deletion ------------------------------------------------------------------------------------


def test_deleting_your_account_is_recorded_by_username(ada_client, user):
    answer = ada_client.delete(ME, {"password": PASSWORD})

    assert answer.status_code == 204
    event = the_event("account_deleted")
    assert (event.user, event.actor, event.identifier, event.detail) == (
        None,
        None,
        user.username,
        {"user_id": user.pk},
    )
    assert client_of(event) == ("Ada's phone", "203.0.113.5")


def test_staff_deleting_a_user_is_recorded_with_the_actor(staff_api, staff, user):
    assert staff_api.delete(f"{USERS}{user.pk}/").status_code == 204

    event = the_event("account_deleted")
    assert (event.identifier, event.actor) == (user.username, staff)


def test_the_admins_bulk_delete_records_each_user_with_the_actor(admin_page, superuser):
    targets = UserFactory.create_batch(2)

    admin_page.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [t.pk for t in targets], "post": "yes"}
    )

    assert not User.objects.filter(pk__in=[t.pk for t in targets]).exists()
    events = SecurityEvent.objects.filter(type="account_deleted")
    assert sorted((e.identifier, e.actor_id) for e in events) == sorted(
        (t.username, superuser.pk) for t in targets
    )


def test_a_refused_deletion_records_nothing(ada_client):
    assert ada_client.delete(ME, {"password": "guess"}).status_code == 400

    assert not SecurityEvent.objects.exists()


def test_a_users_earlier_events_stay_without_their_user_once_deleted(ada_client, user):
    ada_client.post(LOGOUT)
    session = LoginSession.objects.get(user=user)

    bearer_client(sessions.start_session(user=user).access).delete(ME, {"password": PASSWORD})

    logout = the_event("logout")
    assert (logout.user, logout.session_id) == (None, session.pk)


def test_a_change_not_written_records_nothing(user):
    user = User.objects.get(pk=user.pk)
    user.set_password(NEW_PASSWORD)
    user.is_active = False

    user.save(update_fields=["first_name"])

    assert not SecurityEvent.objects.exists()


def test_your_own_change_in_the_admin_names_no_actor(admin_page, superuser):
    answer = admin_page.post(
        f"{CHANGELIST}{superuser.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert answer.status_code == 302
    event = the_event("password_changed")
    assert (event.user, event.actor, event.ip) == (superuser, None, "203.0.113.5")


def test_staff_deleting_a_user_is_recorded_with_the_staffs_client(staff_api, user):
    assert staff_api.delete(f"{USERS}{user.pk}/").status_code == 204

    assert client_of(the_event("account_deleted")) == ("Ada's phone", "203.0.113.5")
