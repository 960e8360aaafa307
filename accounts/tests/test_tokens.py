"""Login, refresh, verify and revoke: the token rows of the contract."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import jwt, sessions
from accounts.models import LoginSession, RevokedAccessToken
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import LOGIN, ME, REFRESH, REVOKE, VERIFY, bearer_client, client_for

pytestmark = pytest.mark.django_db


# --- login ---------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["reader", "READER", "reader@example.com", "Reader@Example.com"])
def test_login_with_username_or_email_returns_a_working_pair(api_client, identifier):
    user = UserFactory(username="reader", email="reader@example.com")

    response = api_client.post(LOGIN, {"username": identifier, "password": PASSWORD})

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert bearer_client(response.json()["access"]).get(ME).json()["id"] == user.pk
    assert LoginSession.objects.filter(user=user).count() == 1


def test_login_records_the_session_client(api_client, user):
    api_client.post(LOGIN, {"username": user.username, "password": PASSWORD}, HTTP_USER_AGENT="Shelf/2.0")

    session = LoginSession.objects.get(user=user)
    assert (session.user_agent, session.ip) == ("Shelf/2.0", "127.0.0.1")
    user.refresh_from_db()
    assert user.last_login is not None


def test_login_failures_share_one_generic_401(api_client):
    UserFactory(username="reader")
    UserFactory(username="sleeper", is_active=False)
    attempts = [
        {"username": "nobody", "password": PASSWORD},
        {"username": "reader", "password": "wrong password"},
        {"username": "sleeper", "password": PASSWORD},
    ]

    answers = [api_client.post(LOGIN, body) for body in attempts]

    assert [answer.status_code for answer in answers] == [401, 401, 401]
    assert len({answer.content for answer in answers}) == 1
    assert answers[0].json()["code"] == "invalid_credentials"
    assert not LoginSession.objects.exists()


def test_login_with_unknown_user_still_hashes_a_password(api_client, monkeypatch):
    from accounts.models import User

    calls = []
    original = User.set_password
    monkeypatch.setattr(User, "set_password", lambda self, raw: calls.append(raw) or original(self, raw))

    api_client.post(LOGIN, {"username": "nobody", "password": "guess"})

    assert calls == ["guess"]


def test_login_missing_fields_is_400(api_client):
    response = api_client.post(LOGIN, {})

    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_login_upgrades_a_pbkdf2_hash_to_argon2(api_client, settings):
    settings.PASSWORD_HASHERS = settings.PASSWORD_HASHERS[1:]  # Argon2 first, PBKDF2 second
    user = UserFactory()
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = api_client.post(LOGIN, {"username": user.username, "password": PASSWORD})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


# --- refresh (rotation) --------------------------------------------------------------


def test_refresh_rotates_and_old_refresh_stops_working(api_client, user):
    pair = sessions.start_session(user=user)

    first = api_client.post(REFRESH, {"refresh": pair.refresh})

    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh"}
    assert first.json()["refresh"] != pair.refresh
    assert bearer_client(first.json()["access"]).get(ME).status_code == 200
    assert BlacklistedToken.objects.filter(token__jti=jwt.SessionRefreshToken(pair.refresh)["jti"]).exists()


def test_rotated_refresh_reused_revokes_the_whole_session(api_client, user):
    pair = sessions.start_session(user=user)
    rotated = api_client.post(REFRESH, {"refresh": pair.refresh}).json()

    reuse = api_client.post(REFRESH, {"refresh": pair.refresh})

    assert reuse.status_code == 401
    assert reuse.json()["code"] == "token_not_valid"
    # Every token descended from that login is dead: the thief's and the owner's.
    assert api_client.post(REFRESH, {"refresh": rotated["refresh"]}).status_code == 401
    assert bearer_client(rotated["access"]).get(ME).status_code == 401
    assert bearer_client(pair.access).get(ME).status_code == 401
    assert LoginSession.objects.get(pk=pair.session.pk).revoked_at is not None


def test_reuse_ends_only_that_session(api_client, user):
    stolen = sessions.start_session(user=user)
    other = sessions.start_session(user=user)
    api_client.post(REFRESH, {"refresh": stolen.refresh})

    api_client.post(REFRESH, {"refresh": stolen.refresh})

    assert bearer_client(other.access).get(ME).status_code == 200


def test_refresh_with_an_access_token_is_401(api_client, user):
    pair = sessions.start_session(user=user)

    response = api_client.post(REFRESH, {"refresh": pair.access})

    assert response.status_code == 401
    assert bearer_client(pair.access).get(ME).status_code == 200  # A mistake is not theft.


@pytest.mark.parametrize("garbage", ["not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.sig"])
def test_refresh_malformed_is_401(api_client, garbage):
    response = api_client.post(REFRESH, {"refresh": garbage})

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refresh_expired_is_401(api_client, user, settings):
    pair = sessions.start_session(user=user)

    with time_machine.travel(
        timezone.now() + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] + timedelta(seconds=1)
    ):
        response = api_client.post(REFRESH, {"refresh": pair.refresh})

    assert response.status_code == 401


def test_refresh_of_revoked_session_is_401(api_client, user):
    pair = sessions.start_session(user=user)
    sessions.end_all_sessions(user)

    assert api_client.post(REFRESH, {"refresh": pair.refresh}).status_code == 401


def test_refresh_of_deactivated_user_is_401(api_client, user):
    pair = sessions.start_session(user=user)
    user.is_active = False
    user.save()

    assert api_client.post(REFRESH, {"refresh": pair.refresh}).status_code == 401


def test_refresh_extends_session_and_records_use(api_client, user):
    pair = sessions.start_session(user=user)
    later = timezone.now() + timedelta(days=1)

    with time_machine.travel(later, tick=False):
        api_client.post(REFRESH, {"refresh": pair.refresh})

    session = LoginSession.objects.get(pk=pair.session.pk)
    assert session.last_used_at == later
    assert session.expires_at > pair.session.expires_at


# --- access token expiry -------------------------------------------------------------


def test_access_token_expires_after_its_lifetime(user, settings):
    pair = sessions.start_session(user=user)
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]

    with time_machine.travel(timezone.now() + lifetime - timedelta(seconds=5)):
        assert bearer_client(pair.access).get(ME).status_code == 200
    with time_machine.travel(timezone.now() + lifetime + timedelta(seconds=1)):
        assert bearer_client(pair.access).get(ME).status_code == 401


# --- verify --------------------------------------------------------------------------


def test_verify_accepts_live_access_and_refresh_tokens(api_client, user):
    pair = sessions.start_session(user=user)

    for token in (pair.access, pair.refresh):
        response = api_client.post(VERIFY, {"token": token})
        assert (response.status_code, response.json()) == (200, {})


def test_verify_refuses_revoked_expired_and_tampered_tokens(api_client, user):
    revoked = sessions.start_session(user=user)
    sessions.end_sessions(LoginSession.objects.filter(pk=revoked.session.pk))
    live = sessions.start_session(user=user)
    header, payload, signature = live.access.split(".")
    tampered = f"{header}.{payload[:-2]}xx.{signature}"

    assert api_client.post(VERIFY, {"token": revoked.access}).status_code == 401
    assert api_client.post(VERIFY, {"token": revoked.refresh}).status_code == 401
    assert api_client.post(VERIFY, {"token": tampered}).status_code == 401
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert api_client.post(VERIFY, {"token": live.access}).status_code == 401


def test_verify_refuses_a_rotated_refresh_as_the_refresh_does(api_client, user):
    pair = sessions.start_session(user=user)
    api_client.post(REFRESH, {"refresh": pair.refresh})

    response = api_client.post(VERIFY, {"token": pair.refresh})

    assert (response.status_code, response.json()) == (
        401,
        {
            "detail": "Refresh token was already used, revoked or expired; log in again.",
            "code": "token_not_valid",
        },
    )


# --- revoke --------------------------------------------------------------------------


def test_revoke_access_token_is_seen_on_the_next_request(user):
    client = client_for(user)
    spare = sessions.start_session(user=user)  # another session, unaffected

    response = client.post(REVOKE, {"token": client.pair.access})

    assert response.status_code == 204
    assert client.get(ME).status_code == 401
    assert RevokedAccessToken.objects.count() == 1
    assert bearer_client(spare.access).get(ME).status_code == 200


def test_revoke_access_leaves_its_refresh_usable(user, api_client):
    client = client_for(user)
    victim = sessions.start_session(user=user)

    client.post(REVOKE, {"token": victim.access})

    assert bearer_client(victim.access).get(ME).status_code == 401
    assert api_client.post(REFRESH, {"refresh": victim.refresh}).status_code == 200


def test_revoke_refresh_ends_its_session(user, api_client):
    client = client_for(user)
    victim = sessions.start_session(user=user)

    assert client.post(REVOKE, {"token": victim.refresh}).status_code == 204

    assert api_client.post(REFRESH, {"refresh": victim.refresh}).status_code == 401
    assert bearer_client(victim.access).get(ME).status_code == 401
    assert client.get(ME).status_code == 200


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_revoke_is_idempotent(user_client, user, kind):
    token = getattr(sessions.start_session(user=user), kind)

    answers = [user_client.post(REVOKE, {"token": token}).status_code for _ in range(2)]

    assert answers == [204, 204]


def test_revoke_needs_authentication(api_client, user):
    pair = sessions.start_session(user=user)

    response = api_client.post(REVOKE, {"token": pair.access})

    assert response.status_code == 401
    assert bearer_client(pair.access).get(ME).status_code == 200


@pytest.mark.parametrize("token", ["garbage", "", "a.b.c"])
def test_revoke_malformed_is_400(user_client, token):
    response = user_client.post(REVOKE, {"token": token})

    assert response.status_code == 400
    assert "token" in response.json()


def test_revoke_another_users_token_is_403(user_client):
    victim = sessions.start_session(user=UserFactory())

    response = user_client.post(REVOKE, {"token": victim.access})

    assert response.status_code == 403
    assert bearer_client(victim.access).get(ME).status_code == 200


def test_staff_may_revoke_anyones_token(staff_client):
    victim = sessions.start_session(user=UserFactory())

    assert staff_client.post(REVOKE, {"token": victim.refresh}).status_code == 204
    assert bearer_client(victim.access).get(ME).status_code == 401


def test_revoke_an_expired_token_is_a_no_op(user):
    old = sessions.start_session(user=user)

    with time_machine.travel(timezone.now() + timedelta(days=30)):
        response = client_for(user).post(REVOKE, {"token": old.refresh})

    assert response.status_code == 204


# --- records kept for the admin ------------------------------------------------------


def test_outstanding_tokens_are_recorded_without_the_signed_token(user):
    pair = sessions.start_session(user=user)

    outstanding = OutstandingToken.objects.get(user=user)
    assert outstanding.jti == jwt.SessionRefreshToken(pair.refresh)["jti"]
    assert outstanding.token == ""


# --- tokens signed with our key but not shaped like ours ------------------------------


def forged_access(user, **claims) -> str:
    """An access token signed with the real key, with claims replaced (None removes one)."""
    token = jwt.SignedAccessToken(sessions.start_session(user=user).access)
    for claim, value in claims.items():
        if value is None:
            del token[claim]
        else:
            token[claim] = value
    return str(token)


@pytest.mark.parametrize(
    "claims",
    [
        {"user_id": None},
        {"user_id": "abc"},
        {"user_id": ["1"]},
        {"user_id": True},
        {"user_id": "\u0661"},  # an Arabic-Indic digit one
        {"user_id": "99999999999999999999"},
        {"sid": None},
        {"sid": "not-a-uuid"},
        {"sid": 12},
        {"jti": None},
        {"jti": 5},
        {"token_type": "refresh"},
    ],
    # Plain ids: mutmut hands node ids back to pytest, and quotes or brackets do not survive.
    ids=[
        "no-user",
        "user-not-a-number",
        "user-a-list",
        "user-a-boolean",
        "user-a-non-ascii-digit",
        "user-out-of-range",
        "no-session",
        "session-not-a-uuid",
        "session-a-number",
        "no-id",
        "id-a-number",
        "refresh-as-access",
    ],
)
def test_signed_tokens_with_bad_claims_are_401(user, claims):
    response = bearer_client(forged_access(user, **claims)).get(ME)

    assert response.status_code == 401
    assert response.json()["code"] in {"token_not_valid", "authentication_failed"}


def test_a_signed_token_naming_another_users_session_is_401(user):
    other_session = sessions.start_session(user=UserFactory()).session

    response = bearer_client(forged_access(user, sid=str(other_session.pk))).get(ME)

    assert response.status_code == 401


def test_revoking_a_rotated_refresh_token_ends_its_session(user, api_client):
    first = sessions.start_session(user=user)
    rotated = sessions.rotate(first.refresh)

    response = bearer_client(rotated.access).post(REVOKE, {"token": first.refresh})

    assert response.status_code == 204
    assert LoginSession.objects.get(pk=first.session.pk).revoked_at is not None
    assert api_client.post(REFRESH, {"refresh": rotated.refresh}).status_code == 401
    assert bearer_client(rotated.access).get(ME).status_code == 401


def test_revoking_another_users_rotated_refresh_token_is_403_and_ends_nothing(user, api_client):
    victim = sessions.start_session(user=UserFactory())
    sessions.rotate(victim.refresh)

    response = client_for(user).post(REVOKE, {"token": victim.refresh})

    assert response.status_code == 403
    assert LoginSession.objects.get(pk=victim.session.pk).revoked_at is None


def test_a_retry_after_a_lost_refresh_answer_ends_the_session_there_is_no_grace(api_client, user):
    """README, "A lost refresh answer": the decision not to have a reuse grace period."""
    pair = sessions.start_session(user=user)
    api_client.post(REFRESH, {"refresh": pair.refresh})  # the answer is lost in transit

    retry = api_client.post(REFRESH, {"refresh": pair.refresh})  # at once, the same token

    assert retry.status_code == 401
    assert LoginSession.objects.get(pk=pair.session.pk).revoked_at is not None


def test_a_refresh_costs_a_fixed_number_of_queries(api_client, user, django_assert_max_num_queries):
    pair = sessions.start_session(user=user)

    # One transaction (a savepoint here, inside the test's): the throttle counter (5
    # statements in the database store, with its savepoint), then the user check, the
    # swap, the new outstanding row and the blacklisting of the old one (one INSERT ...
    # SELECT), in a savepoint. Nothing is read back. Signing may read the keyring (at
    # most once a second).
    with django_assert_max_num_queries(14):
        response = api_client.post(REFRESH, {"refresh": pair.refresh})

    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reused", [False, True], ids=["rotation", "reuse"])
def test_a_refresh_commits_once_with_its_throttle_count(api_client, user, monkeypatch, reused):
    from django.db import connection

    pair = sessions.start_session(user=user)
    if reused:
        sessions.rotate(pair.refresh)
    commits = []
    commit = connection.commit
    monkeypatch.setattr(connection, "commit", lambda: commits.append(commit()))

    response = api_client.post(REFRESH, {"refresh": pair.refresh})

    assert response.status_code == (401 if reused else 200)
    assert len(commits) == 1  # one fsync on SQLite's durable default, not two
    assert (LoginSession.objects.get().revoked_at is not None) == reused  # a reuse's ending stays


def refresh_jti(raw: str) -> str:
    return jwt.SessionRefreshToken(raw)[jwt.JTI_CLAIM]


def test_every_refresh_token_a_session_had_ends_blacklisted_once(user):
    first = sessions.start_session(user=user)
    second = sessions.rotate(first.refresh)
    other = sessions.start_session(user=user)

    sessions.end_sessions(LoginSession.objects.filter(pk=first.session.pk))
    jwt.record_blacklisted([refresh_jti(second.refresh)])  # again: nothing changes

    listed = list(BlacklistedToken.objects.values_list("token__jti", flat=True))
    assert sorted(listed) == sorted([refresh_jti(first.refresh), refresh_jti(second.refresh)])
    assert refresh_jti(other.refresh) not in listed


def test_a_refresh_token_whose_outstanding_row_is_gone_still_rotates(api_client, user):
    pair = sessions.start_session(user=user)
    OutstandingToken.objects.filter(jti=refresh_jti(pair.refresh)).delete()  # as the admin may

    response = api_client.post(REFRESH, {"refresh": pair.refresh})

    assert response.status_code == 200
    assert not BlacklistedToken.objects.exists()
    assert OutstandingToken.objects.filter(jti=refresh_jti(response.json()["refresh"])).exists()


# --- the claims of an access token, checked once per process (jwt.access_claims) -------


def simplejwt_accepts(raw: str) -> bool:
    try:
        jwt.SignedAccessToken(raw)
    except jwt.TokenError:
        return False
    return True


@pytest.mark.parametrize(
    "claims",
    [
        {},
        {"jti": None},
        {"exp": None},
        {"token_type": None},
        {"token_type": "refresh"},
        {"token_type": "sliding"},
    ],
    ids=["valid", "no-id", "no-expiry", "no-type", "refresh", "sliding"],
)
def test_access_claims_accepts_what_simplejwt_accepts(user, claims):
    raw = forged_access(user, **claims)

    if simplejwt_accepts(raw):
        assert dict(jwt.access_claims(raw)) == jwt.SignedAccessToken(raw).payload
        assert dict(jwt.access_claims(raw)) == jwt.SignedAccessToken(raw).payload  # checked before
    else:
        with pytest.raises(jwt.InvalidToken):
            jwt.access_claims(raw)
    assert simplejwt_accepts(raw) == (claims == {})


def test_access_claims_refuses_tampered_expired_and_foreign_tokens(user, settings):
    raw = sessions.start_session(user=user).access
    header, payload, signature = raw.split(".")
    tampered = f"{header}.{payload}.{signature[:-2]}AA"
    refresh = sessions.start_session(user=user).refresh

    for token in [tampered, refresh, "not.a.token", ""]:
        with pytest.raises(jwt.InvalidToken):
            jwt.access_claims(token)
    jwt.access_claims(raw)  # now checked, then expired
    with (
        time_machine.travel(
            timezone.now() + settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] + timedelta(seconds=1)
        ),
        pytest.raises(jwt.InvalidToken),
    ):
        jwt.access_claims(raw)


def test_a_checked_token_of_a_dropped_key_is_refused_at_its_next_request(user):
    from accounts import keyring

    old_kid = keyring.signing_key().kid
    client = bearer_client(sessions.start_session(user=user).access)
    assert client.get(ME).status_code == 200
    keyring.rotate()

    with time_machine.travel(timezone.now() + keyring.FRESH + timedelta(seconds=1), tick=False):
        keyring.drop(old_kid)
        response = client.get(ME)

    assert response.status_code == 401


def test_the_checked_tokens_a_process_keeps_are_bounded(user, monkeypatch):
    monkeypatch.setattr(jwt, "CHECKED_TOKENS", 3)
    monkeypatch.setattr(jwt, "_CHECKED", {})
    tokens = [sessions.start_session(user=user).access for _ in range(7)]

    for raw in tokens:
        jwt.access_claims(raw)
        assert len(jwt._CHECKED) <= 3
    assert all(jwt.access_claims(raw)["user_id"] == str(user.pk) for raw in tokens)


def test_checked_claims_are_read_only(user):
    claims = jwt.access_claims(sessions.start_session(user=user).access)

    with pytest.raises(TypeError):
        claims["user_id"] = "1"
