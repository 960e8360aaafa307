"""A new password or a deactivation ends every session, whatever path makes it."""

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts import sessions
from accounts.models import LoginSession, SecurityEvent, User
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import LOGIN, LOGOUT_ALL, ME, PASSWORD_CHANGE, bearer_client, form_fields

pytestmark = pytest.mark.django_db

CHANGE_PAGE = "/admin/accounts/user/{}/change/"


def assert_cut_off(pair, api_client):
    """Neither the access nor the refresh token of `pair` works any more."""
    assert bearer_client(pair.access).get(ME).status_code == 401
    assert api_client.post("/api/auth/token/refresh/", {"refresh": pair.refresh}).status_code == 401


def browser_of(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def submit_change_form(admin_browser, user, **changes) -> None:
    """Save the admin's change form of `user` as a browser would, with `changes` applied."""
    url = CHANGE_PAGE.format(user.pk)
    data = form_fields(admin_browser.get(url).content.decode())
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)  # an unticked checkbox sends nothing
        else:
            data[name] = [value]
    response = admin_browser.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_set_password_and_save_in_code_ends_every_session(user, api_client):
    pair = sessions.start_session(user=user)

    user.set_password("a brand new passphrase, set in code")
    user.save()

    assert_cut_off(pair, api_client)
    assert not LoginSession.objects.live().filter(user=user).exists()


@pytest.mark.parametrize("how", ["whole", "loaded in part", "only the other fields written"])
def test_saving_other_fields_leaves_sessions_alone_and_logs_no_change(user, how):
    pair = sessions.start_session(user=user)

    if how == "whole":
        user.first_name = "Grace"
        user.save()
    elif how == "loaded in part":  # Django writes the loaded fields only
        partial = User.objects.only("first_name").get(pk=user.pk)
        partial.first_name = "Grace"
        partial.save()
    else:  # the object's new password and deactivation are not written
        user.set_password("a passphrase never saved")
        user.is_active, user.first_name = False, "Grace"
        user.save(update_fields=["first_name"])

    assert bearer_client(pair.access).get(ME).status_code == 200
    assert User.objects.get(pk=user.pk).first_name == "Grace"
    assert not SecurityEvent.objects.filter(user=user).exclude(type="login_succeeded").exists()


def test_manage_py_changepassword_ends_every_session(user, api_client, monkeypatch):
    pair = sessions.start_session(user=user)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a brand new passphrase, from the shell")

    call_command("changepassword", user.username, stdout=None)

    assert_cut_off(pair, api_client)


def test_admin_password_form_ends_every_session(admin_browser, user, api_client):
    pair = sessions.start_session(user=user)
    new = "a brand new passphrase, from the admin"

    response = admin_browser.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert_cut_off(pair, api_client)


def test_admin_deactivation_ends_sessions_and_reactivation_does_not_revive_them(admin_browser, api_client):
    user = UserFactory()
    pair = sessions.start_session(user=user)

    submit_change_form(admin_browser, user, is_active=None)
    submit_change_form(admin_browser, user, is_active="on")

    assert User.objects.get(pk=user.pk).is_active
    assert_cut_off(pair, api_client)


def test_deactivation_and_reactivation_in_code_do_not_revive_tokens(user, api_client):
    pair = sessions.start_session(user=user)

    user.is_active = False
    user.save(update_fields=["is_active"])
    user.is_active = True
    user.save(update_fields=["is_active"])

    assert_cut_off(pair, api_client)


def test_api_deactivation_ends_sessions_before_any_reactivation(staff_client, user, api_client):
    pair = sessions.start_session(user=user)

    staff_client.patch(f"/api/accounts/users/{user.pk}/", {"is_active": False})

    assert LoginSession.objects.get(pk=pair.session.pk).revoked_at is not None


def test_login_rehashing_an_old_hash_keeps_the_other_sessions(user, api_client, settings):
    settings.PASSWORD_HASHERS = settings.PASSWORD_HASHERS[1:]  # Argon2 first: PBKDF2 is upgraded
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()
    earlier = sessions.start_session(user=user)

    response = api_client.post(LOGIN, {"username": user.username, "password": PASSWORD})

    assert response.status_code == 200
    assert User.objects.get(pk=user.pk).password.startswith("argon2")
    assert bearer_client(earlier.access).get(ME).status_code == 200


# --- browser logins (Django's session cookie) --------------------------------------------


def test_logout_all_ends_browser_logins_too(user, user_client):
    browser = browser_of(user)
    assert browser.get(ME).status_code == 200

    assert user_client.post(LOGOUT_ALL).status_code == 204

    assert browser.get(ME).status_code == 401  # not logged in any more


def test_after_a_first_logout_all_the_next_one_and_a_new_password_end_browser_logins_too(user):
    """Once a user's sessions have ended, browser logins carry a hash of when and of the
    password: each later ending, and each new password, changes it again."""
    sessions.log_out_everywhere(user=user)
    user.refresh_from_db()
    before_the_second_end, before_the_new_password = browser_of(user), browser_of(user)

    sessions.log_out_everywhere(user=user)
    assert before_the_second_end.get(ME).status_code == 401
    user.refresh_from_db()
    before_the_new_password.force_login(user)
    user.set_password("an even longer fresh phrase")
    user.save()
    assert before_the_new_password.get(ME).status_code == 401


@pytest.mark.parametrize("sessions_ended", [False, True], ids=["never-ended", "ended-before"])
def test_browser_logins_outlive_a_secret_key_rotation_with_the_old_key_as_fallback(
    user, settings, sessions_ended
):
    # The session hash includes when the user's sessions last ended, if ever
    # (User._get_session_auth_hash): both kinds of hash honour the old key.
    User.objects.filter(pk=user.pk).update(sessions_ended_at=timezone.now() if sessions_ended else None)
    user.refresh_from_db()
    browser, idle_browser = browser_of(user), browser_of(user)
    old_key = settings.SECRET_KEY

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a new key " + "x" * 50, [old_key]

    assert browser.get(ME).status_code == 200  # Django's documented rotation keeps it logged in
    settings.SECRET_KEY_FALLBACKS = []  # the old key retired: a login not seen since ends
    assert idle_browser.get(ME).status_code == 401
    assert browser.get(ME).status_code == 200


def test_deactivation_and_reactivation_end_browser_logins(user):
    browser = browser_of(user)

    user.is_active = False
    user.save()
    user.is_active = True
    user.save()

    assert browser.get(ME).status_code == 401


def test_password_change_from_the_api_ends_other_browser_logins(user, user_client):
    browser = browser_of(user)

    response = user_client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": "an even longer fresh phrase"}
    )

    assert response.status_code == 200
    assert browser.get(ME).status_code == 401


def test_password_change_in_a_browser_keeps_that_browser_logged_in(user):
    browser = Client(enforce_csrf_checks=False)
    browser.force_login(user)
    other = browser_of(user)

    response = browser.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password": "an even longer fresh phrase"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert browser.get(ME).status_code == 200
    assert other.get(ME).status_code == 401


# --- hashing happens outside transactions -------------------------------------------------


@pytest.fixture
def hashes_in_transactions(monkeypatch):
    """A list that gets, for each password hashed, whether a transaction was open then
    (SQLite holds its write lock for the whole transaction)."""
    from django.contrib.auth import hashers
    from django.db import connection

    seen = []
    make_password = hashers.make_password

    def recording(*args, **kwargs):
        seen.append(connection.in_atomic_block)
        return make_password(*args, **kwargs)

    monkeypatch.setattr("django.contrib.auth.base_user.make_password", recording)
    return seen


@pytest.mark.django_db(transaction=True)  # the test itself runs outside a transaction
def test_registration_hashes_before_its_transaction(api_client, hashes_in_transactions):
    response = api_client.post(
        "/api/auth/register/", {"username": "new", "email": "new@example.com", "password": PASSWORD}
    )

    assert response.status_code == 201
    assert hashes_in_transactions == [False]


@pytest.mark.django_db(transaction=True)
def test_password_change_hashes_before_its_transaction(user, user_client, hashes_in_transactions):
    response = user_client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": "an even longer fresh phrase"}
    )

    assert response.status_code == 200
    assert hashes_in_transactions == [False]
