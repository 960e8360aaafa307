"""/api/accounts/: your own account, and users for everyone (read) and staff (write)."""

from datetime import UTC, datetime

import pytest

from accounts import sessions
from accounts.models import LoginSession, User
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import ME, PASSWORD_CHANGE, REFRESH, USERS, bearer_client, client_for

pytestmark = pytest.mark.django_db

PUBLIC_FIELDS = {"id", "username", "date_joined", "view"}
STAFF_FIELDS = PUBLIC_FIELDS | {"email", "first_name", "last_name", "is_active", "is_staff", "last_login"}


# --- me ------------------------------------------------------------------------------


def test_me_shows_own_account(user_client, user):
    response = user_client.get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": user.date_joined.isoformat().replace("+00:00", "Z"),
        "email_verified": False,
        "pending_email": None,
        "mfa_enabled": False,
    }


def test_me_shows_the_join_time_in_the_current_time_zone(user_client, user, settings):
    """The user the access check loads holds aware times, as the ORM would give them: a
    naive one would be read as the current zone's local time, hours off."""
    user.date_joined = datetime(2026, 3, 1, 12, 0, 0, 250_000, tzinfo=UTC)
    user.save(update_fields=["date_joined"])
    settings.TIME_ZONE = "Asia/Kolkata"

    assert user_client.get(ME).json()["date_joined"] == "2026-03-01T17:30:00.250000+05:30"


def test_me_needs_authentication(api_client):
    assert api_client.get(ME).status_code == 401


def test_me_patch_changes_profile_but_not_privileges(user_client, user):
    response = user_client.patch(
        ME, {"first_name": "Grace", "email": "grace@example.com", "is_staff": True, "id": 999}
    )

    assert response.status_code == 200
    assert response.json()["first_name"] == "Grace"
    user.refresh_from_db()
    assert (user.first_name, user.pending_email, user.is_staff, user.pk) == (
        "Grace",
        "grace@example.com",  # the address itself changes once confirmed (test_verification)
        False,
        response.json()["id"],
    )


@pytest.mark.parametrize(
    ("field", "taken"), [("username", "TAKEN"), ("email", "Taken@Example.com")], ids=["username", "email"]
)
def test_me_patch_keeps_uniqueness_any_case(user_client, user, field, taken):
    UserFactory(username="taken", email="taken@example.com")

    response = user_client.patch(ME, {field: taken})

    assert response.status_code == 400
    assert field in response.json()
    user.refresh_from_db()
    assert getattr(user, field) != taken


def test_me_patch_may_change_case_of_own_username(user_client, user):
    response = user_client.patch(ME, {"username": user.username.upper()})

    assert response.status_code == 200


def test_me_patch_rejects_blank_email(user_client):
    assert user_client.patch(ME, {"email": ""}).status_code == 400


def test_me_put_is_not_allowed(user_client):
    assert user_client.put(ME, {"username": "x"}).status_code == 405


def test_me_delete_removes_account_and_tokens(user, api_client):
    client = client_for(user)

    response = client.delete(ME, {"password": PASSWORD})

    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert client.get(ME).status_code == 401
    assert api_client.post(REFRESH, {"refresh": client.pair.refresh}).status_code == 401


@pytest.mark.parametrize("body", [{}, {"password": "wrong"}], ids=["missing", "wrong"])
def test_me_delete_needs_the_right_password(user_client, user, body):
    response = user_client.delete(ME, body)

    assert response.status_code == 400
    assert "password" in response.json()
    assert User.objects.filter(pk=user.pk).exists()


# --- password ------------------------------------------------------------------------


def test_password_change_returns_a_fresh_pair_and_revokes_earlier_tokens(user, api_client):
    client = client_for(user)
    other = sessions.start_session(user=user)
    new_password = "an even longer fresh passphrase"

    response = client.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": new_password})

    assert response.status_code == 200
    fresh = response.json()
    assert set(fresh) == {"access", "refresh"}
    assert bearer_client(fresh["access"]).get(ME).status_code == 200
    for pair in (client.pair, other):
        assert bearer_client(pair.access).get(ME).status_code == 401
        assert api_client.post(REFRESH, {"refresh": pair.refresh}).status_code == 401
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert LoginSession.objects.live().filter(user=user).count() == 1


def test_password_change_with_wrong_old_password_is_400(user_client, user):
    response = user_client.post(
        PASSWORD_CHANGE, {"old_password": "nope", "new_password": "a fine new passphrase"}
    )

    assert response.status_code == 400
    assert "old_password" in response.json()
    assert user_client.get(ME).status_code == 200


def test_password_change_to_a_weak_password_is_400(user_client, user):
    response = user_client.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": "123"})

    assert response.status_code == 400
    assert "new_password" in response.json()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_needs_authentication(api_client):
    assert api_client.post(PASSWORD_CHANGE, {}).status_code == 401


# --- users ---------------------------------------------------------------------------


def test_users_list_shows_public_fields_to_users(user_client):
    UserFactory.create_batch(2)

    response = user_client.get(USERS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert {"count", "next", "previous", "results"} == set(body)
    assert all(set(row) == PUBLIC_FIELDS for row in body["results"])


def test_users_list_shows_more_to_staff(staff_client):
    response = staff_client.get(USERS)

    assert all(set(row) == STAFF_FIELDS for row in response.json()["results"])


def test_users_detail_by_role(user_client, staff_client):
    other = UserFactory()

    assert set(user_client.get(f"{USERS}{other.pk}/").json()) == PUBLIC_FIELDS
    assert set(staff_client.get(f"{USERS}{other.pk}/").json()) == STAFF_FIELDS
    assert user_client.get(f"{USERS}999999/").status_code == 404


def test_each_shape_of_a_user_says_which_view_it_is(user_client, staff_client):
    other = UserFactory(is_staff=True)

    assert user_client.get(f"{USERS}{other.pk}/").json()["view"] == "public"
    assert staff_client.get(f"{USERS}{other.pk}/").json()["view"] == "staff"


def test_users_need_authentication(api_client):
    assert api_client.get(USERS).status_code == 401


def test_users_list_is_paginated(user_client):
    UserFactory.create_batch(24)

    body = user_client.get(USERS).json()

    assert (body["count"], len(body["results"])) == (25, 20)
    assert len(user_client.get(USERS, {"page_size": 5}).json()["results"]) == 5


def test_users_list_query_count_does_not_grow(user_client, django_assert_max_num_queries):
    UserFactory.create_batch(60)

    with django_assert_max_num_queries(3):
        user_client.get(USERS, {"page_size": 50})


def test_staff_deactivation_cuts_off_the_user_on_the_next_request(staff_client, api_client):
    target = UserFactory()
    target_client = client_for(target)

    response = staff_client.patch(f"{USERS}{target.pk}/", {"is_active": False})

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert target_client.get(ME).status_code == 401
    assert api_client.post(REFRESH, {"refresh": target_client.pair.refresh}).status_code == 401


def test_reactivation_does_not_revive_old_tokens(staff_client):
    target = UserFactory()
    target_client = client_for(target)
    staff_client.patch(f"{USERS}{target.pk}/", {"is_active": False})

    staff_client.patch(f"{USERS}{target.pk}/", {"is_active": True})

    assert target_client.get(ME).status_code == 401


def test_superuser_can_promote_but_not_edit_other_fields(superuser_client):
    target = UserFactory(username="original")

    response = superuser_client.patch(f"{USERS}{target.pk}/", {"is_staff": True, "username": "renamed"})

    assert response.status_code == 200
    target.refresh_from_db()
    assert (target.is_staff, target.username) == (True, "original")


def test_staff_cannot_deactivate_themselves(staff_client, staff):
    response = staff_client.patch(f"{USERS}{staff.pk}/", {"is_active": False})

    assert response.status_code == 400
    staff.refresh_from_db()
    assert staff.is_active


def test_staff_cannot_delete_themselves_here(staff_client, staff):
    response = staff_client.delete(f"{USERS}{staff.pk}/")

    assert response.status_code == 400
    assert User.objects.filter(pk=staff.pk).exists()


def test_non_staff_cannot_change_or_delete_users(user_client, user):
    target = UserFactory()

    assert user_client.patch(f"{USERS}{target.pk}/", {"is_active": False}).status_code == 403
    assert user_client.patch(f"{USERS}{user.pk}/", {"is_staff": True}).status_code == 403
    assert user_client.delete(f"{USERS}{target.pk}/").status_code == 403
    target.refresh_from_db()
    user.refresh_from_db()
    assert target.is_active and not user.is_staff


def test_staff_delete_user_removes_them_and_their_tokens(staff_client):
    target = UserFactory()
    target_client = client_for(target)

    response = staff_client.delete(f"{USERS}{target.pk}/")

    assert response.status_code == 204
    assert not User.objects.filter(pk=target.pk).exists()
    assert target_client.get(ME).status_code == 401


def test_users_put_is_not_allowed(staff_client, user):
    assert staff_client.put(f"{USERS}{user.pk}/", {"is_active": False}).status_code == 405


def test_no_response_contains_a_password_hash(staff_client, staff, user):
    responses = [
        staff_client.get(USERS),
        staff_client.get(f"{USERS}{user.pk}/"),
        staff_client.get(ME),
        staff_client.patch(f"{USERS}{user.pk}/", {"is_staff": False}),
        staff_client.patch(ME, {"first_name": "Z"}),
    ]

    hashes = [staff.password, user.password]
    for response in responses:
        assert response.status_code == 200
        text = response.content.decode()
        assert "password" not in text
        assert not any(h in text for h in hashes)


def test_refusing_to_lock_yourself_out_answers_in_drfs_usual_shape(staff_client, staff):
    response = staff_client.patch(f"{USERS}{staff.pk}/", {"is_staff": False})

    assert response.json() == {"non_field_errors": ["You cannot deactivate or demote your own account."]}


def test_a_new_password_like_the_accounts_own_name_is_refused(user, user_client):
    response = user_client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": f"{user.username}!!"}
    )

    assert response.status_code == 400
    assert response.json()["new_password"] == ["The password is too similar to the username."]
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
