"""Session rules at their edges: what a weakened filter, a skipped check or a lost update
would let through. Each test names the rule it pins."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import Token

from accounts import jwt, services, sessions
from accounts.models import LoginSession, User
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import (
    LOGIN,
    LOGOUT,
    ME,
    REFRESH,
    REVOKE,
    VERIFY,
    bearer_client,
    client_for,
    client_with_authorization,
)

pytestmark = pytest.mark.django_db


class OtherKindToken(Token):
    """Signed with our key and shaped like ours, but neither an access nor a refresh token."""

    token_type = "other"
    lifetime = timedelta(minutes=5)
    _token_backend = jwt.BACKEND


def signed(user: User, **claims) -> str:
    """A token of another kind, with our claims unless `claims` replaces them."""
    token = OtherKindToken()
    pair = sessions.start_session(user=user)
    token[jwt.USER_CLAIM] = str(user.pk)
    token[jwt.SESSION_CLAIM] = str(pair.session.pk)
    for name, value in claims.items():
        if value is None:
            del token[name]
        else:
            token[name] = value
    return str(token)


def access_with(user: User, **claims) -> str:
    """A real access token of `user` with some claims replaced (None: removed), re-signed."""
    access = jwt.decode(sessions.start_session(user=user).access)
    for name, value in claims.items():
        if value is None:
            del access.payload[name]
        else:
            access[name] = value
    return str(access)


# --- rotation ------------------------------------------------------------------------------


def test_a_deactivated_users_refresh_is_refused_while_other_users_are_active(api_client, user):
    UserFactory.create_batch(2)  # active users elsewhere must not make the check pass
    pair = sessions.start_session(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)  # no signal: the rule itself must hold

    assert api_client.post(REFRESH, {"refresh": pair.refresh}).status_code == 401


def test_a_chain_of_rotations_keeps_working(api_client, user):
    refresh = sessions.start_session(user=user).refresh

    for _ in range(3):
        response = api_client.post(REFRESH, {"refresh": refresh})
        assert response.status_code == 200
        refresh = response.json()["refresh"]

    assert bearer_client(response.json()["access"]).get(ME).status_code == 200


def test_each_rotation_records_its_token_for_the_admin_with_owner_and_time(api_client, user):
    pair = sessions.start_session(user=user)

    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        api_client.post(REFRESH, {"refresh": pair.refresh})
        rotated_at = timezone.now()

    newest = OutstandingToken.objects.order_by("-id").first()
    assert newest.user_id == user.pk
    assert newest.created_at == rotated_at
    assert OutstandingToken.objects.filter(user=user).count() == 2


# --- verify and revoke: kinds and claims ------------------------------------------------


def test_verify_refuses_a_validly_signed_token_of_another_kind(api_client, user):
    response = api_client.post(VERIFY, {"token": signed(user)})

    assert response.status_code == 401
    assert response.json()["detail"] == "Token has an unknown type."


def test_revoke_refuses_a_validly_signed_token_of_another_kind(user_client, user):
    response = user_client.post(REVOKE, {"token": signed(user)})

    assert response.status_code == 400
    assert response.json() == {"token": ["Token is neither an access nor a refresh token."]}


def test_verify_refuses_a_refresh_of_a_user_deactivated_without_a_signal(api_client, user):
    pair = sessions.start_session(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert api_client.post(VERIFY, {"token": pair.refresh}).status_code == 401


@pytest.mark.parametrize("user_id", [None, "", "0x1", "1e3", True])
def test_an_access_token_without_a_valid_user_id_is_refused_everywhere(
    api_client, user, user_client, user_id
):
    token = access_with(user, **{jwt.USER_CLAIM: user_id})

    assert client_with_authorization(f"Bearer {token}").get(ME).status_code == 401
    assert api_client.post(VERIFY, {"token": token}).status_code == 401
    assert user_client.post(REVOKE, {"token": token}).status_code == 400


@pytest.mark.parametrize(
    ("jti", "detail"),
    [
        # SimpleJWT refuses some forms when it reads the token, we the rest.
        (None, "Token is malformed or its signature is invalid."),
        (12345, "Token is malformed or its signature is invalid."),
        ("", "Token lacks the claims of this API's tokens."),
    ],
)
def test_a_token_without_a_valid_id_is_refused_by_verify_and_revoke(
    api_client, user, user_client, jti, detail
):
    token = access_with(user, **{jwt.JTI_CLAIM: jti})

    assert api_client.post(VERIFY, {"token": token}).status_code == 401
    response = user_client.post(REVOKE, {"token": token})
    assert (response.status_code, response.json()) == (400, {"token": [detail]})


# --- credentials in the body, never the header ---------------------------------------------


@pytest.mark.parametrize("header", ["Bearer expired", "Bearer", "Basic abc"])
def test_login_refresh_and_verify_ignore_a_stale_authorization_header(user, header):
    client = client_with_authorization(header)
    pair = sessions.start_session(user=user)

    assert client.post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code == 200
    assert client.post(VERIFY, {"token": pair.access}).status_code == 200
    assert client.post(REFRESH, {"refresh": pair.refresh}).status_code == 200


def test_login_ignores_an_expired_access_token_in_the_header(user):
    old = sessions.start_session(user=user)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        client = bearer_client(old.access)

        response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})

    assert response.status_code == 200


# --- logout --------------------------------------------------------------------------------


def test_logout_from_a_browser_session_ends_the_given_refresh_tokens_session(user):
    pair = sessions.start_session(user=user)
    browser = Client()
    browser.force_login(user)

    response = browser.post(LOGOUT, {"refresh": pair.refresh}, content_type="application/json")

    assert response.status_code == 204
    assert LoginSession.objects.get(pk=pair.session.pk).revoked_at is not None


def test_logout_with_an_expired_refresh_token_ends_only_the_bearer_session(user):
    stale = sessions.start_session(user=user)
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        client = client_for(user)

        response = client.post(LOGOUT, {"refresh": stale.refresh})

        assert response.status_code == 204
        assert LoginSession.objects.get(pk=client.pair.session.pk).revoked_at is not None


def test_a_long_user_agent_is_stored_cut_to_its_column(user, api_client):
    response = api_client.post(
        LOGIN, {"username": user.username, "password": PASSWORD}, HTTP_USER_AGENT="Shelf/" + "x" * 1000
    )

    assert response.status_code == 200
    session = LoginSession.objects.get(user=user)
    assert session.user_agent == ("Shelf/" + "x" * 1000)[:255]


# --- lost updates: services write only what they change ---------------------------------------


def test_staff_flags_do_not_overwrite_a_change_made_meanwhile(staff):
    target = UserFactory(first_name="Before")
    User.objects.filter(pk=target.pk).update(first_name="Meanwhile", password="changed-meanwhile")

    services.set_user_flags(user=target, actor=staff, is_active=False)

    target.refresh_from_db()
    assert (target.first_name, target.password, target.is_active) == ("Meanwhile", "changed-meanwhile", False)


def test_a_profile_change_does_not_overwrite_flags_changed_meanwhile(user):
    User.objects.filter(pk=user.pk).update(is_staff=True, is_active=False)

    services.update_profile(user=user, first_name="Grace")

    user.refresh_from_db()
    assert (user.first_name, user.is_staff, user.is_active) == ("Grace", True, False)


@pytest.mark.parametrize("another_case", [False, True], ids=["new-address", "own-address-in-another-case"])
def test_a_change_of_address_does_not_overwrite_flags_changed_meanwhile(user, another_case):
    User.objects.filter(pk=user.pk).update(is_staff=True, is_active=False)

    services.update_profile(user=user, email=user.email.upper() if another_case else "new@example.com")

    user.refresh_from_db()
    assert (user.is_staff, user.is_active) == (True, False)


def test_a_password_change_does_not_overwrite_a_deactivation_made_meanwhile(user):
    User.objects.filter(pk=user.pk).update(is_active=False)

    services.change_password(user=user, old_password=PASSWORD, new_password="an even longer fresh phrase")

    assert not User.objects.get(pk=user.pk).is_active


# --- what services record and decide, seen from outside ---------------------------------------


def test_a_password_change_records_the_new_sessions_client(user, user_client):
    response = user_client.post(
        "/api/accounts/me/password/",
        {"old_password": PASSWORD, "new_password": "an even longer fresh phrase"},
        HTTP_USER_AGENT="Shelf/3.1",
        REMOTE_ADDR="198.51.100.23",
    )

    assert response.status_code == 200
    session = LoginSession.objects.live().get(user=user)
    assert (session.user_agent, session.ip) == ("Shelf/3.1", "198.51.100.23")


def test_registering_without_names_stores_empty_names(api_client):
    api_client.post(
        "/api/auth/register/", {"username": "plain", "email": "plain@example.com", "password": PASSWORD}
    )

    assert User.objects.filter(username="plain").values_list("first_name", "last_name").get() == ("", "")


def test_your_own_email_in_another_case_is_not_taken_by_yourself(user, user_client):
    response = user_client.patch(ME, {"email": user.email.upper()})

    assert response.status_code == 200


def test_a_rename_that_loses_a_race_is_a_username_error(user, user_client, monkeypatch):
    from accounts.serializers import MeSerializer

    UserFactory(username="Wanted")
    monkeypatch.setattr(
        MeSerializer, "validate_username", lambda self, value: value
    )  # checked before the race

    response = user_client.patch(ME, {"username": "wanted"})

    assert response.status_code == 400
    assert response.json() == {"username": ["A user with that username already exists."]}


# --- what a refused token is told: the detail names what is wrong ------------------------------


@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        ({jwt.USER_CLAIM: None}, "Token has no valid user id."),
        ({jwt.SESSION_CLAIM: "not-a-uuid"}, "Token has no valid session id."),
        ({jwt.JTI_CLAIM: ""}, "Token has no valid id."),
    ],
    ids=["user", "session", "id"],
)
def test_verify_says_which_claim_is_wrong(api_client, user, claims, detail):
    response = api_client.post(VERIFY, {"token": access_with(user, **claims)})

    assert response.json() == {"detail": detail, "code": "token_not_valid"}


def test_verify_says_a_token_is_expired_or_invalid(api_client, user):
    pair = sessions.start_session(user=user)
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        expired = api_client.post(VERIFY, {"token": pair.access})
    invalid = api_client.post(VERIFY, {"token": pair.access[:-4] + "AAAA"})

    assert expired.json() == {"detail": "Token is expired", "code": "token_not_valid"}
    assert invalid.json() == {"detail": "Token is invalid", "code": "token_not_valid"}


def test_a_revoked_bearer_token_is_told_why(user, user_client):
    user_client.post("/api/auth/logout-all/")

    response = user_client.get(ME)

    assert response.json() == {
        "detail": "Token has been revoked, or its user is inactive or gone.",
        "code": "token_not_valid",
    }


def test_a_refused_bearer_token_gets_simplejwt_answer_naming_why(user):
    pair = sessions.start_session(user=user)
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        expired = bearer_client(pair.access).get(ME)

    assert expired.status_code == 401
    assert expired.json() == {
        "detail": "Given token not valid for any token type",
        "code": "token_not_valid",
        "messages": [
            {"token_class": "SignedAccessToken", "token_type": "access", "message": "Token is expired"}
        ],
    }


def test_an_access_token_used_before_is_refused_from_its_expiry_on(user):
    pair = sessions.start_session(user=user)
    client = bearer_client(pair.access)
    assert client.get(ME).status_code == 200

    with time_machine.travel(jwt.expiry(jwt.decode(pair.access)), tick=False):
        response = client.get(ME)

    assert response.status_code == 401
