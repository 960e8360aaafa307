"""The JWK Set at /api/auth/jwks/ and /.well-known/jwks.json (accounts/views/keys.py)."""

import jwt as pyjwt
import pytest
import time_machine
from django.conf import settings

from accounts import keyring, sessions
from accounts.models import SigningKey
from library.tests.helpers import JWKS, WELL_KNOWN_JWKS

pytestmark = pytest.mark.django_db


@pytest.fixture
def eddsa(settings):
    """An EdDSA ring (JWT_ALGORITHM=EdDSA, a key the ring makes itself)."""
    settings.JWT_ALGORITHM, settings.JWT_PRIVATE_KEY = "EdDSA", ""
    keyring.forget()
    return keyring.signing_key()


def test_with_hs256_the_set_is_empty(api_client):
    response = api_client.get(JWKS)

    assert response.status_code == 200
    assert response.json() == {"keys": []}


def test_the_set_holds_the_public_key_with_kid_alg_and_use(api_client, eddsa):
    [jwk] = api_client.get(JWKS).json()["keys"]

    assert {key: jwk[key] for key in ("kid", "alg", "use", "kty", "crv")} == {
        "kid": eddsa.kid,
        "alg": "EdDSA",
        "use": "sig",
        "kty": "OKP",
        "crv": "Ed25519",
    }
    assert sorted(jwk) == ["alg", "crv", "kid", "kty", "use", "x"]  # never the private part "d"


def test_a_token_verifies_with_the_published_key_alone(api_client, user, eddsa):
    access = sessions.start_session(user=user).access
    key_set = pyjwt.PyJWKSet.from_dict(api_client.get(JWKS).json())

    public = key_set[pyjwt.get_unverified_header(access)["kid"]]

    assert pyjwt.decode(access, public, algorithms=[public.algorithm_name])["user_id"] == str(user.pk)


@pytest.mark.parametrize(
    "algorithm, members", [("ES256", ["crv", "kty", "x", "y"]), ("RS256", ["e", "kty", "n"])]
)
def test_each_asymmetric_algorithm_is_published(api_client, settings, algorithm, members):
    settings.JWT_ALGORITHM, settings.JWT_PRIVATE_KEY = algorithm, keyring.generate(algorithm)

    [jwk] = api_client.get(JWKS).json()["keys"]

    assert (jwk["alg"], jwk["kid"]) == (algorithm, keyring.signing_key().kid)
    # The public members only, and "use" without "key_ops" (RFC 7517 4.3: one or the other).
    assert sorted(jwk) == sorted(["alg", "kid", "use", *members])
    assert pyjwt.PyJWK(jwk).algorithm_name == algorithm


def test_after_a_rotation_both_keys_are_published_the_signing_one_first(api_client, eddsa):
    new = keyring.rotate()

    kids = [jwk["kid"] for jwk in api_client.get(JWKS).json()["keys"]]

    assert kids == [new.kid, eddsa.kid]


def test_a_key_past_its_last_token_leaves_the_set_before_any_rotation_erases_it(api_client, eddsa):
    newest = keyring.rotate()
    after_its_tokens = (
        newest.created_at + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] + keyring.SIGNING_GRACE
    )

    with time_machine.travel(after_its_tokens, tick=False):
        kids = [jwk["kid"] for jwk in api_client.get(JWKS).json()["keys"]]

    assert kids == [newest.kid]
    assert SigningKey.objects.get(kid=eddsa.kid).secret  # not erased yet: no rotation since


def test_the_set_may_be_cached_and_carries_an_etag(api_client, eddsa):
    response = api_client.get(JWKS)

    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"].startswith('"')
    assert "Pragma" not in response


def test_a_current_etag_is_answered_304_without_a_body(api_client, eddsa):
    etag = api_client.get(JWKS)["ETag"]

    response = api_client.get(JWKS, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_a_rotation_changes_the_etag(api_client, eddsa):
    etag = api_client.get(JWKS)["ETag"]
    keyring.rotate()

    response = api_client.get(JWKS, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert len(response.json()["keys"]) == 2


def test_the_well_known_path_answers_the_same(api_client, eddsa):
    documented, well_known = api_client.get(JWKS), api_client.get(WELL_KNOWN_JWKS)

    assert well_known.status_code == 200
    assert well_known.json() == documented.json()
    assert well_known["ETag"] == documented["ETag"]
    assert well_known["Cache-Control"] == documented["Cache-Control"]


def test_no_credentials_are_needed_and_a_bad_one_is_ignored(eddsa):
    from library.tests.helpers import client_with_authorization

    response = client_with_authorization("Bearer not-a-token").get(JWKS)

    assert response.status_code == 200
