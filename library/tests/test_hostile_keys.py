"""Forged signing keys against a real server: an RS256 ring under gunicorn, and tokens
that name a forged kid, confuse the public key for an HMAC secret, or point the server
at keys elsewhere. None gets in, and the server never fetches anything. Run by
`make test-hostile`."""

import base64
import hashlib
import hmac
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from accounts import keyring
from library.tests.servers import call, register_and_log_in, sqlite_server

pytestmark = pytest.mark.hostile


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with an RS256 key of its own, and a user's token pair."""
    tmp_path = tmp_path_factory.mktemp("keys")
    key_file = tmp_path / "jwt.pem"
    key_file.write_text(keyring.generate("RS256"))
    with sqlite_server(tmp_path, JWT_ALGORITHM="RS256", JWT_PRIVATE_KEY_FILE=str(key_file)) as (base, _):
        yield base, register_and_log_in(base, "victim")


@contextmanager
def attacker_site():
    """A web server on loopback that records every request it gets; yields (URL, requests)."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{site.server_port}", requests
    finally:
        site.shutdown()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def hs256(header: dict, payload: dict, secret: bytes) -> str:
    """An HS256 token made by hand, with any secret (PyJWT refuses a PEM as one)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def refused(base: str, token: str) -> bool:
    """Both the bearer check and token verification answer 401."""
    me = call(base, "GET", "/api/accounts/me/", token=token)[0]
    verify = call(base, "POST", "/api/auth/token/verify/", {"token": token})[0]
    return (me, verify) == (401, 401)


def test_the_real_token_passes_and_the_ring_is_published(server):
    base, pair = server
    status, key_set = call(base, "GET", "/.well-known/jwks.json")

    assert call(base, "GET", "/api/accounts/me/", token=pair["access"])[0] == 200
    assert status == 200
    assert [(jwk["alg"], jwk["kid"]) for jwk in key_set["keys"]] == [
        ("RS256", jwt.get_unverified_header(pair["access"])["kid"])
    ]


def test_a_forged_kid_is_refused(server):
    base, pair = server
    attacker = keyring.parse("RS256", keyring.generate("RS256"))[0]

    for kid in ("forged", "../../etc/passwd", "' OR 1=1 --", "x" * 2000):
        forged = jwt.encode(claims(pair["access"]), attacker, algorithm="RS256", headers={"kid": kid})
        assert refused(base, forged), kid[:20]


def test_an_hs256_token_signed_with_the_rings_public_key_is_refused(server):
    base, pair = server
    [jwk] = call(base, "GET", "/api/auth/jwks/")[1]["keys"]
    public = jwt.PyJWK(jwk).key
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    json_key = json.dumps(jwk).encode()

    for secret in (pem, pem.strip(), der, json_key):
        confused = hs256({"alg": "HS256", "typ": "JWT", "kid": jwk["kid"]}, claims(pair["access"]), secret)
        assert refused(base, confused)


def test_headers_pointing_at_other_keys_are_refused_and_never_fetched(server):
    base, pair = server
    attacker = keyring.parse("RS256", keyring.generate("RS256"))[0]
    attacker_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(attacker.public_key()))
    kid = jwt.get_unverified_header(pair["access"])["kid"]

    with attacker_site() as (site, requests):
        for extra in (
            {"jku": f"{site}/jwks.json"},
            {"x5u": f"{site}/cert.pem"},
            {"jwk": attacker_jwk},
            {"jku": f"{site}/jwks.json", "kid": "attacker"},
        ):
            headers = {"kid": kid, **extra}
            forged = jwt.encode(claims(pair["access"]), attacker, algorithm="RS256", headers=headers)
            assert refused(base, forged), extra

    assert requests == []


def test_alg_none_naming_the_real_key_is_refused(server):
    base, pair = server
    kid = jwt.get_unverified_header(pair["access"])["kid"]
    header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": kid}).encode())
    payload = b64(json.dumps(claims(pair["access"])).encode())

    assert refused(base, f"{header}.{payload}.")
