"""Signing keys: a kid on every token, the keyring's rotation and drop, each algorithm,
and the tokens it refuses (accounts/keyring.py, accounts/jwt.py)."""

import hmac
import socket
import urllib.request
from datetime import timedelta

import jwt as pyjwt
import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import keyring, sessions
from accounts.models import SigningKey
from library.tests.helpers import ME, REFRESH, VERIFY, bearer_client

pytestmark = pytest.mark.django_db

ASYMMETRIC = ["EdDSA", "ES256", "RS256"]
REFRESH_LIFETIME = timedelta(days=7)


def header(token: str) -> dict:
    return pyjwt.get_unverified_header(token)


def claims(token: str) -> dict:
    return pyjwt.decode(token, options={"verify_signature": False})


def resigned(token: str, key, algorithm: str, **headers) -> str:
    """`token`'s claims (a live session's, so only the signature can fail) signed again."""
    return pyjwt.encode(claims(token), key, algorithm=algorithm, headers=headers)


def status_of(token: str) -> int:
    return bearer_client(token).get(ME).status_code


def a_second_later():
    """The clock once a new key signs (keyring.FRESH after it is made), and stopped."""
    return time_machine.travel(timezone.now() + keyring.FRESH, tick=False)


def rotated_elsewhere() -> tuple[bytes, str]:
    """A new HS256 key written to the ring as another process's rotation writes it: its
    secret and its kid."""
    secret = keyring.generate("HS256")
    kid = keyring.key_id("HS256", secret.encode())
    SigningKey.objects.create(kid=kid, algorithm="HS256", secret=secret)
    return secret.encode(), kid


@pytest.fixture
def use_algorithm(settings):
    """Switch JWT_ALGORITHM with no configured key, as in development: the ring makes a
    key of that algorithm, the newest, on its next read."""

    def use(algorithm: str) -> keyring.Key:
        settings.JWT_ALGORITHM = algorithm
        settings.JWT_PRIVATE_KEY = ""
        keyring.forget()
        return keyring.signing_key()

    return use


@pytest.fixture
def fetches(monkeypatch) -> list:
    """Every outgoing connection or URL opened from here on (there must be none)."""
    opened = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: opened.append(a) or 1 / 0)
    real_connect = socket.socket.connect

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            opened.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return opened


# --- every token names its key ------------------------------------------------------


def test_every_token_carries_the_kid_of_the_signing_key(user):
    pair = sessions.start_session(user=user)

    kid = keyring.signing_key().kid
    assert header(pair.access) == {"alg": "HS256", "typ": "JWT", "kid": kid}
    assert header(pair.refresh)["kid"] == kid


def test_the_hs256_key_is_the_configured_one_not_the_secret_key(user, settings):
    key = keyring.signing_key()

    assert key.signing == settings.JWT_SIGNING_KEY.encode()
    assert settings.JWT_SIGNING_KEY != settings.SECRET_KEY
    assert SigningKey.objects.get().kid == key.kid


def test_a_token_signed_with_the_secret_key_is_refused(user, settings):
    access = sessions.start_session(user=user).access

    forged = resigned(access, settings.SECRET_KEY, "HS256", kid=header(access)["kid"])

    assert status_of(forged) == 401
    assert status_of(access) == 200


def test_the_kid_is_the_keys_rfc_7638_thumbprint():
    # RFC 7638 section 3.1's example key and its thumbprint.
    jwk = {
        "kty": "RSA",
        "e": "AQAB",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKR"
        "XjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8"
        "KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBn"
        "iIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    }
    public = pyjwt.PyJWK(jwk, algorithm="RS256").key

    assert keyring.key_id("RS256", public) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


# --- rotation ----------------------------------------------------------------------


def test_after_a_rotation_new_tokens_carry_the_new_kid_and_old_ones_still_work(user, api_client):
    old = sessions.start_session(user=user)

    new_key = keyring.rotate()

    with a_second_later():
        new = sessions.start_session(user=user)
        assert header(new.access)["kid"] == new_key.kid != header(old.access)["kid"]
        assert status_of(old.access) == 200
        assert status_of(new.access) == 200
        rotated = api_client.post(REFRESH, {"refresh": old.refresh})
        assert rotated.status_code == 200
        assert header(rotated.json()["access"])["kid"] == new_key.kid


def test_a_new_key_is_published_at_once_and_signs_a_second_later(user, api_client):
    old_key = keyring.signing_key()

    new_key = keyring.rotate()

    published = [jwk["kid"] for jwk in keyring.public_keys()] or [key.kid for key in keyring.listed()]
    assert new_key.kid in published
    assert keyring.verifying_key(new_key.kid) == new_key
    assert header(sessions.start_session(user=user).access)["kid"] == old_key.kid
    with a_second_later():
        assert header(sessions.start_session(user=user).access)["kid"] == new_key.kid


def test_an_old_key_verifies_until_its_last_refresh_token_has_expired(user, api_client):
    old = sessions.start_session(user=user)
    rotated_at = timezone.now()
    keyring.rotate()

    with time_machine.travel(rotated_at + REFRESH_LIFETIME - timedelta(minutes=1), tick=False):
        assert api_client.post(REFRESH, {"refresh": old.refresh}).status_code == 200


def test_a_dropped_key_verifies_nothing(user):
    old_key = keyring.signing_key()
    access = sessions.start_session(user=user).access
    keyring.rotate()

    with time_machine.travel(timezone.now() + REFRESH_LIFETIME + keyring.SIGNING_GRACE, tick=False):
        # Signed now with the dropped key, so it is not merely expired.
        fresh = claims(access) | {"exp": int(timezone.now().timestamp()) + 60}
        forged = pyjwt.encode(fresh, old_key.signing, algorithm="HS256", headers={"kid": old_key.kid})

        assert bearer_client(forged).post(VERIFY, {"token": forged}).status_code == 401
        assert keyring.verifying_key(old_key.kid) is None


def test_a_rotation_erases_the_material_of_dropped_keys_and_keeps_their_rows(user):
    first = keyring.signing_key()
    keyring.rotate()

    with time_machine.travel(timezone.now() + REFRESH_LIFETIME + timedelta(hours=1), tick=False):
        keyring.rotate()
        listed = [key.state for key in keyring.listed()]

    assert SigningKey.objects.get(kid=first.kid).secret == ""
    assert listed == ["next", "signs", "dropped"]


def test_a_key_made_after_the_clock_was_set_back_still_signs(user):
    keyring.rotate()

    with time_machine.travel(timezone.now() - timedelta(hours=1), tick=False):
        newest = keyring.rotate()

    with a_second_later():
        assert header(sessions.start_session(user=user).access)["kid"] == newest.kid


def test_a_rotation_erases_the_material_of_expired_keys_made_elsewhere(user):
    keyring.signing_key()
    start = timezone.now()
    # Two rotations by other processes; this one never reads the first key while it lives.
    made = [keyring.generate("HS256") for _ in range(2)]
    for minutes, secret in zip([1, 2], made, strict=True):
        kid = keyring.key_id("HS256", secret.encode())
        SigningKey.objects.create(
            kid=kid, algorithm="HS256", secret=secret, created_at=start + timedelta(minutes=minutes)
        )

    with time_machine.travel(
        start + timedelta(minutes=2) + REFRESH_LIFETIME + timedelta(hours=1), tick=False
    ):
        keyring.rotate()
        states = [key.state for key in keyring.listed()]

    assert states == ["next", "signs", "dropped", "dropped"]
    assert SigningKey.objects.filter(secret="").count() == 2


def test_a_dropped_configured_key_is_never_taken_back(user, settings):
    configured = keyring.signing_key()
    keyring.rotate()
    with time_machine.travel(timezone.now() + REFRESH_LIFETIME + timedelta(hours=1), tick=False):
        newest = keyring.rotate()
        keyring.forget()  # as a restart with the same environment does

    with time_machine.travel(newest.created_at + keyring.FRESH, tick=False):
        assert keyring.signing_key().kid == newest.kid
        assert SigningKey.objects.get(kid=configured.kid).secret == ""


def test_a_new_configured_key_joins_the_ring_as_the_signing_key(user, settings):
    old = sessions.start_session(user=user)

    settings.JWT_SIGNING_KEY = keyring.generate("HS256")
    keyring.forget()  # as a restart with the new environment does
    keyring.signing_key()
    with a_second_later():
        new = sessions.start_session(user=user)

        assert header(new.access)["kid"] != header(old.access)["kid"]
        assert status_of(old.access) == status_of(new.access) == 200
    assert SigningKey.objects.count() == 2


def test_a_new_configured_key_written_meanwhile_by_another_process_still_joins(user, settings, monkeypatch):
    settings.JWT_SIGNING_KEY = keyring.generate("HS256")
    keyring.forget()  # as a restart with the new environment does, in two processes at once
    configured_key, raced = keyring._configured_key, []

    def written_meanwhile():
        key = configured_key()
        if not raced:  # once: the other process writes the row after this one has read the ring
            raced.append(key.kid)
            SigningKey.objects.create(kid=key.kid, algorithm=key.algorithm, secret=key.secret)
        return key

    monkeypatch.setattr(keyring, "_configured_key", written_meanwhile)
    keyring.signing_key()

    with a_second_later():
        assert status_of(sessions.start_session(user=user).access) == 200
    assert SigningKey.objects.filter(secret=settings.JWT_SIGNING_KEY).count() == 1


def test_a_rotation_made_by_another_process_is_followed_within_a_second(user):
    keyring.signing_key()  # this process has read the ring
    _, kid = rotated_elsewhere()

    with a_second_later():
        assert header(sessions.start_session(user=user).access)["kid"] == kid


def test_a_token_from_a_key_made_elsewhere_is_accepted_on_its_first_request(user):
    access = sessions.start_session(user=user).access
    other, kid = rotated_elsewhere()

    with a_second_later():
        assert status_of(resigned(access, other, "HS256", kid=kid)) == 200


def test_a_refresh_token_from_a_key_made_elsewhere_is_accepted_on_its_first_use(user, api_client):
    refresh = sessions.start_session(user=user).refresh
    other, kid = rotated_elsewhere()

    with a_second_later():
        response = api_client.post(REFRESH, {"refresh": resigned(refresh, other, "HS256", kid=kid)})

    assert response.status_code == 200  # a refresh, unlike a bearer token, is decoded once


def test_unknown_kids_read_the_ring_at_most_once_a_second(user):
    access = sessions.start_session(user=user).access
    forged = [resigned(access, b"k" * 32, "HS256", kid=f"forged-{n}") for n in range(3)]

    with (
        time_machine.travel(timezone.now() + keyring.FRESH, tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        statuses = [status_of(token) for token in forged]

    assert statuses == [401, 401, 401]
    assert sum("accounts_signingkey" in query["sql"] for query in queries.captured_queries) == 1


# --- what is refused ----------------------------------------------------------------


@pytest.mark.parametrize("headers", [{"kid": "no-such-key"}, {}], ids=["unknown kid", "no kid"])
def test_a_token_naming_no_key_of_ours_is_refused(user, headers):
    access = sessions.start_session(user=user).access
    key = keyring.signing_key()

    assert status_of(resigned(access, key.signing, "HS256", **headers)) == 401


def test_a_kid_that_is_not_a_string_is_refused(user):
    access = sessions.start_session(user=user).access
    key = keyring.signing_key()
    head = pyjwt.utils.base64url_encode(b'{"alg":"HS256","typ":"JWT","kid":7}').decode()
    body = access.split(".")[1]
    signature = hmac.new(key.signing, f"{head}.{body}".encode(), "sha256").digest()

    assert status_of(f"{head}.{body}.{pyjwt.utils.base64url_encode(signature).decode()}") == 401


@pytest.mark.parametrize(
    "field, value",
    [
        ("jku", "https://attacker.example/jwks.json"),
        ("x5u", "https://attacker.example/cert.pem"),
        ("jwk", {"kty": "oct", "k": "a2V5"}),
        ("x5c", ["MIIB"]),
        ("crit", ["exp"]),
    ],
)
def test_a_token_whose_header_points_elsewhere_is_refused_without_a_fetch(user, fetches, field, value):
    access = sessions.start_session(user=user).access
    key = keyring.signing_key()

    token = resigned(access, key.signing, "HS256", kid=key.kid, **{field: value})

    assert status_of(token) == 401
    assert fetches == []


def test_an_unknown_kid_causes_no_fetch(user, fetches):
    access = sessions.start_session(user=user).access

    assert status_of(resigned(access, b"k" * 32, "HS256", kid="https://attacker.example/key")) == 401
    assert fetches == []


@pytest.mark.parametrize("algorithm", ASYMMETRIC)
def test_an_hs256_token_signed_with_the_rings_public_key_is_refused(user, use_algorithm, algorithm):
    key = use_algorithm(algorithm)
    access = sessions.start_session(user=user).access
    public_pem = key.verifying.public_bytes(
        keyring.serialization.Encoding.PEM, keyring.serialization.PublicFormat.SubjectPublicKeyInfo
    )

    # PyJWT itself refuses a PEM as an HMAC key; an attacker's library need not.
    signing_input = ".".join(resigned(access, b"x" * 32, "HS256", kid=key.kid).split(".")[:2])
    signature = hmac.new(public_pem, signing_input.encode(), "sha256").digest()
    confused = f"{signing_input}.{pyjwt.utils.base64url_encode(signature).decode()}"

    assert status_of(confused) == 401
    assert status_of(access) == 200


def test_a_token_in_an_algorithm_other_than_its_keys_is_refused(user, use_algorithm):
    key = use_algorithm("RS256")
    access = sessions.start_session(user=user).access

    other = resigned(access, key.signing, "RS512", kid=key.kid)  # the same key, another hash

    assert status_of(other) == 401


def test_an_unsigned_token_naming_our_key_is_refused(user):
    access = sessions.start_session(user=user).access
    head, body, _ = resigned(access, None, "none", kid=keyring.signing_key().kid).split(".")

    assert status_of(f"{head}.{body}.") == 401


# --- each algorithm --------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ASYMMETRIC)
def test_each_asymmetric_algorithm_signs_and_verifies(user, api_client, use_algorithm, algorithm):
    key = use_algorithm(algorithm)

    pair = sessions.start_session(user=user)

    assert header(pair.access) == {"alg": algorithm, "typ": "JWT", "kid": key.kid}
    assert status_of(pair.access) == 200
    assert api_client.post(REFRESH, {"refresh": pair.refresh}).status_code == 200


def test_a_switch_of_algorithm_while_the_clock_is_behind_makes_one_newest_key(user, use_algorithm):
    ahead = timezone.now() + timedelta(hours=1)
    with time_machine.travel(ahead, tick=False):
        keyring.rotate()  # a key dated an hour ahead: the clock was set back since

    use_algorithm("EdDSA")
    keyring.forget()
    keyring.signing_key()  # the ring read again, as every process does

    with time_machine.travel(ahead + timedelta(minutes=1), tick=False):
        assert header(sessions.start_session(user=user).access)["alg"] == "EdDSA"
    assert SigningKey.objects.filter(algorithm="EdDSA").count() == 1


def test_tokens_of_the_old_algorithm_keep_working_after_a_switch(user, use_algorithm):
    hs256 = sessions.start_session(user=user)

    use_algorithm("EdDSA")

    with a_second_later():
        assert status_of(hs256.access) == 200
        assert header(sessions.start_session(user=user).access)["alg"] == "EdDSA"


@pytest.mark.parametrize("algorithm", ASYMMETRIC)
def test_a_configured_private_key_signs(user, settings, algorithm):
    pem = keyring.generate(algorithm)
    settings.JWT_ALGORITHM, settings.JWT_PRIVATE_KEY = algorithm, pem

    access = sessions.start_session(user=user).access

    verifying = keyring.parse(algorithm, pem)[1]
    assert pyjwt.decode(access, verifying, algorithms=[algorithm])["token_type"] == "access"
    assert header(access)["kid"] == keyring.key_id(algorithm, verifying)


@pytest.mark.parametrize(
    "algorithm, other",
    [("EdDSA", "ES256"), ("ES256", "RS256"), ("RS256", "EdDSA")],
)
def test_a_private_key_of_another_algorithm_is_a_configuration_error(settings, algorithm, other):
    settings.JWT_ALGORITHM, settings.JWT_PRIVATE_KEY = algorithm, keyring.generate(other)

    with pytest.raises(ImproperlyConfigured, match=f"not an {algorithm} key"):
        keyring.signing_key()


def test_a_private_key_that_is_no_pem_is_a_configuration_error(settings):
    settings.JWT_ALGORITHM, settings.JWT_PRIVATE_KEY = "EdDSA", "not a key"

    with pytest.raises(ImproperlyConfigured, match="not an unencrypted private key in PEM"):
        keyring.signing_key()


def test_generated_keys_are_strong_enough():
    assert len(keyring.generate("HS256")) == 64  # 48 random bytes (384 bits) in base64url
    rsa = keyring.parse("RS256", keyring.generate("RS256"))[0]
    assert rsa.key_size == keyring.RSA_KEY_BITS


def test_dropping_a_key_does_not_lengthen_the_life_of_the_one_before_it(user):
    first = keyring.signing_key()
    second = keyring.rotate()
    with time_machine.travel(second.created_at + timedelta(minutes=1), tick=False):
        keyring.rotate()
    with time_machine.travel(second.created_at + timedelta(minutes=2), tick=False):
        keyring.drop(second.kid)

    # The first key stopped signing when the second was made, whatever became of it.
    with time_machine.travel(second.created_at + REFRESH_LIFETIME + keyring.SIGNING_GRACE, tick=False):
        assert keyring.verifying_key(first.kid) is None


@pytest.mark.parametrize("header_json", [b"[]", b'"kid"', b"7", b"not json"])
def test_a_header_that_is_not_an_object_is_refused(user, header_json):
    access = sessions.start_session(user=user).access
    _, body, signature = access.split(".")

    assert status_of(f"{pyjwt.utils.base64url_encode(header_json).decode()}.{body}.{signature}") == 401


def test_an_unsupported_algorithm_is_named_in_the_error(settings):
    settings.JWT_ALGORITHM, settings.JWT_PRIVATE_KEY = "HS512", ""
    keyring.forget()

    with pytest.raises(ValueError) as error:
        keyring.signing_key()

    assert str(error.value) == "Unsupported algorithm 'HS512'; use one of HS256, EdDSA, ES256, RS256."


def test_an_rsa_key_of_the_minimum_size_is_accepted(user, settings):
    private = keyring.rsa.generate_private_key(public_exponent=65537, key_size=keyring.RSA_MIN_KEY_BITS)
    pem = private.private_bytes(
        keyring.serialization.Encoding.PEM,
        keyring.serialization.PrivateFormat.PKCS8,
        keyring.serialization.NoEncryption(),
    ).decode()
    settings.JWT_ALGORITHM, settings.JWT_PRIVATE_KEY = "RS256", pem

    access = sessions.start_session(user=user).access

    assert header(access)["alg"] == "RS256"
    assert status_of(access) == 200


def test_a_key_expires_between_two_reads_of_the_ring(user):
    old_key = keyring.signing_key()
    access = sessions.start_session(user=user).access
    keyring.rotate()
    expires = timezone.now() + REFRESH_LIFETIME + keyring.SIGNING_GRACE

    with time_machine.travel(expires - timedelta(seconds=2), tick=False):
        fresh = claims(access) | {"exp": int(timezone.now().timestamp()) + 60}
        forged = pyjwt.encode(fresh, old_key.signing, algorithm="HS256", headers={"kid": old_key.kid})
        assert status_of(forged) == 200  # this process reads the ring here
    with time_machine.travel(expires + timedelta(seconds=2), tick=False):
        assert status_of(forged) == 401


def test_a_known_key_costs_no_query_until_the_ring_is_read_again(user):
    access = sessions.start_session(user=user).access
    status_of(access)

    with (
        time_machine.travel(timezone.now() + keyring.FRESH * 2, tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert status_of(access) == 200

    assert not any("accounts_signingkey" in query["sql"] for query in queries.captured_queries)


def test_an_old_key_verifies_through_the_grace_after_its_last_refresh_token(user):
    old_key = keyring.signing_key()
    access = sessions.start_session(user=user).access
    new = keyring.rotate()

    with time_machine.travel(new.created_at + REFRESH_LIFETIME + keyring.SIGNING_GRACE / 2, tick=False):
        # A token the old key signed in the grace, as a process that had not yet seen the rotation.
        fresh = claims(access) | {"exp": int(timezone.now().timestamp()) + 60}
        late = pyjwt.encode(fresh, old_key.signing, algorithm="HS256", headers={"kid": old_key.kid})

        assert status_of(late) == 200


def test_a_rotation_elsewhere_signs_exactly_a_second_after_this_process_read_the_ring(user):
    read_at = timezone.now()
    with time_machine.travel(read_at - timedelta(minutes=1), tick=False):
        keyring.signing_key()  # the configured key joins the ring
    with time_machine.travel(read_at, tick=False):
        keyring.forget()
        keyring.signing_key()  # read here; then another process rotates
        _, kid = rotated_elsewhere()

    with time_machine.travel(read_at + keyring.FRESH, tick=False):
        assert keyring.signing_key().kid == kid
