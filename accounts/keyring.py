"""The keys that sign our tokens: which one signs, which ones verify, what others may see.

The ring lives in the database (`SigningKey`), which every process and every host of a
deployment already shares: a rotation made anywhere (`manage.py jwt_keys rotate`) is
signed with by every process from its next token on, and accepted everywhere at once.
Nothing is derived from, or shared with, Django's SECRET_KEY.

- The newest key signs, from a second after it is made (FRESH). Each older key only verifies, until the longest token it can
  have signed (a refresh token) has expired; then it is dropped: it verifies nothing,
  its key material is erased at the next rotation, and its row stays so that the same key
  is never taken back.
- The configured key (JWT_SIGNING_KEY, or JWT_PRIVATE_KEY(_FILE) for EdDSA, ES256 and
  RS256) joins the ring, as its newest key, the first time a process sees it; so putting a
  new key in the environment is a rotation too. A key's id (`kid`) is its RFC 7638
  thumbprint, the same in every process.
- A token names its key in its `kid` header and is checked with that key's own
  algorithm; a token whose key is unknown or dropped, whose `alg` differs, or whose header
  points elsewhere (`jku`, `x5u`, `jwk`, ...) is refused by accounts/jwt.py, and nothing is
  ever fetched.

Verification is on every request, so each process keeps the ring in memory, and reads it
again when it signs a token, serves the JWK Set or meets a `kid` it has not seen (each at
most once a second), and every JWT_KEYRING_RELOAD_SECONDS.
"""

import base64
import functools
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from jwt.algorithms import get_default_algorithms

from .models import SigningKey

ALGORITHMS = ("HS256", "EdDSA", "ES256", "RS256")
RSA_KEY_BITS = 3072  # what `generate` makes; keys brought from elsewhere need 2048 at least
RSA_MIN_KEY_BITS = 2048
# A process may still sign with a key for this long after a rotation (a token signed
# in a request that read the ring just before it), so the key verifies this much longer.
SIGNING_GRACE = timedelta(minutes=1)
# How old this process's copy of the ring may be when it signs a token, serves the JWK
# Set, or meets a key id it has not seen (so forged key ids cost no more than one small
# query a second). A new key signs only once it is this old: by then every process that
# meets its kid reads the ring again and finds it (publish first, then sign).
FRESH = timedelta(seconds=1)
_THUMBPRINT_MEMBERS = {
    "oct": ("k", "kty"),
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
}


@dataclass(frozen=True)
class Key:
    kid: str
    algorithm: str
    signing: Any  # the HS256 secret (bytes), or a cryptography private key
    verifying: Any  # the same secret, or the public key
    created_at: datetime
    retired_at: datetime | None  # when a newer key took over the signing

    @property
    def verifies_until(self) -> datetime | None:
        if self.retired_at is None:
            return None
        return self.retired_at + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] + SIGNING_GRACE

    def verifies_at(self, now: datetime) -> bool:
        return _verifies(self.retired_at, now)

    def public_jwk(self) -> dict | None:
        """The public key as an RFC 7517 JWK, or None for a shared secret."""
        if self.algorithm == "HS256":
            return None
        jwk = _to_jwk(self.algorithm, self.verifying)
        jwk.pop("key_ops", None)
        return {**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}


@dataclass(frozen=True)
class Ring:
    keys: tuple[Key, ...]  # newest first; only keys that may still verify
    loaded_at: datetime

    def signer(self, now: datetime) -> Key:
        """The newest key at least FRESH old (or the only one): it signs."""
        return next((key for key in self.keys if key.created_at <= now - FRESH), self.keys[-1])

    def key(self, kid: str) -> Key | None:
        return next((key for key in self.keys if key.kid == kid), None)


@dataclass(frozen=True)
class ListedKey:
    kid: str
    algorithm: str
    created_at: datetime
    state: str  # "next" (signs within a second), "signs", "verifies", "dropped"
    verifies_until: datetime | None


_ring: Ring | None = None
_parsed: dict[str, tuple[Any, Any]] = {}  # kid: (signing, verifying), parsing RSA keys takes ms


# --- what a key is -------------------------------------------------------------------


def generate(algorithm: str) -> str:
    """A new key's material as text: an HS256 secret, or a private key in PKCS#8 PEM."""
    if algorithm == "HS256":
        return secrets.token_urlsafe(48)  # 384 random bits
    if algorithm == "EdDSA":
        private = ed25519.Ed25519PrivateKey.generate()
    elif algorithm == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    elif algorithm == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    else:
        raise ValueError(f"Unsupported algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}.")
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def parse(algorithm: str, material: str) -> tuple[Any, Any]:
    """(signing, verifying) keys from a key's text; ImproperlyConfigured if it is not a
    key of `algorithm`."""
    if algorithm == "HS256":
        secret = material.encode()
        return secret, secret
    try:
        private = serialization.load_pem_private_key(material.encode(), password=None)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"The {algorithm} key is not an unencrypted private key in PEM: {error}"
        ) from None
    fits = {
        "EdDSA": isinstance(private, ed25519.Ed25519PrivateKey),
        "ES256": isinstance(private, ec.EllipticCurvePrivateKey) and isinstance(private.curve, ec.SECP256R1),
        "RS256": isinstance(private, rsa.RSAPrivateKey) and private.key_size >= RSA_MIN_KEY_BITS,
    }
    if not fits.get(algorithm):
        raise ImproperlyConfigured(
            f"The private key is not an {algorithm} key (EdDSA: Ed25519; ES256: P-256; "
            f"RS256: RSA of {RSA_MIN_KEY_BITS} bits or more)."
        )
    return private, private.public_key()


def key_id(algorithm: str, verifying: Any) -> str:
    """The key's RFC 7638 thumbprint (SHA-256, base64url): the same wherever it is made."""
    jwk = _to_jwk(algorithm, verifying)
    members = {name: jwk[name] for name in _THUMBPRINT_MEMBERS[jwk["kty"]]}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _to_jwk(algorithm: str, verifying: Any) -> dict:
    return get_default_algorithms()[algorithm].to_jwk(verifying, as_dict=True)


# --- the ring ------------------------------------------------------------------------


def signing_key() -> Key:
    """The key that signs now: a key made anywhere signs a second (FRESH) after it is made."""
    return _ring_within(FRESH).signer(timezone.now())


def verifying_key(kid: str) -> Key | None:
    """The key named `kid` if it may verify a token now; None if unknown or dropped."""
    ring = _ring_within(timedelta(seconds=settings.JWT_KEYRING_RELOAD_SECONDS))
    key = ring.key(kid)
    if key is None:
        key = _ring_within(FRESH).key(kid)
    return key if key is not None and key.verifies_at(timezone.now()) else None


def public_keys() -> list[dict]:
    """The ring's public keys as JWKs, the newest first (none with HS256)."""
    return [jwk for key in _ring_within(FRESH).keys if (jwk := key.public_jwk()) is not None]


def rotate(algorithm: str | None = None) -> Key:
    """Make a new key of `algorithm` (JWT_ALGORITHM by default), which signs a second
    later; the old ones keep verifying until their tokens have expired. Erases dropped
    keys' material."""
    algorithm = algorithm or settings.JWT_ALGORITHM
    _reload()  # the configured key joins first, or it would later come back as the newest
    material = generate(algorithm)
    signing, verifying = parse(algorithm, material)
    kid = key_id(algorithm, verifying)
    SigningKey.objects.create(kid=kid, algorithm=algorithm, secret=material, created_at=_newest_time())
    _parsed[kid] = (signing, verifying)
    drop_expired()
    return _reload().key(kid)


def drop(kid: str) -> None:
    """Drop a key before its time (it leaked): it verifies nothing from now on, in every
    process within JWT_KEYRING_RELOAD_SECONDS; whoever holds a token it signed logs in
    again. The signing key cannot be dropped: rotate first."""
    ring = _reload()
    if ring.key(kid) is None:
        raise ValueError(f"The ring holds no key {kid!r} that still verifies.")
    if ring.key(kid) is ring.signer(timezone.now()) or ring.key(kid) is ring.keys[0]:
        raise ValueError("That key signs (or is about to): rotate first, then drop it a second later.")
    SigningKey.objects.filter(kid=kid).update(secret="")
    _parsed.pop(kid, None)
    forget()


def drop_expired() -> int:
    """Erase the material of keys that verify nothing any more; their rows stay."""
    now = timezone.now()
    expired = [row.kid for row, retired_at in _with_retirement(_rows()) if not _verifies(retired_at, now)]
    for kid in expired:
        _parsed.pop(kid, None)
    return SigningKey.objects.filter(kid__in=expired).update(secret="")


def listed() -> list[ListedKey]:
    """Every key the ring has held, newest first, with what it does now."""
    ring, now = _reload(), timezone.now()
    signer = ring.signer(now)
    keys = {key.kid: key for key in ring.keys}
    listing = []
    for row in SigningKey.objects.order_by("-created_at", "-kid"):
        key = keys.get(row.kid)
        if key is None:
            state = "dropped"
        else:
            state = "signs" if key is signer else "next" if key.created_at > signer.created_at else "verifies"
        listing.append(ListedKey(row.kid, row.algorithm, row.created_at, state, key and key.verifies_until))
    return listing


def forget() -> None:
    """Drop this process's copy of the ring (tests, and after changes made here)."""
    global _ring
    _ring = None


def _ring_within(age: timedelta) -> Ring:
    """This process's copy of the ring, read again if older than `age` (either way: a
    clock moved back by a test counts too)."""
    ring = _ring
    if ring is None or abs(timezone.now() - ring.loaded_at) >= age:
        ring = _reload()
    return ring


def _reload() -> Ring:
    global _ring
    now = timezone.now()
    rows = _rows()
    configured = _configured_key()
    if configured is not None and configured.kid not in {row.kid for row in rows}:
        configured.created_at = _newest_time(rows)
        SigningKey.objects.bulk_create([configured], ignore_conflicts=True)
        rows = _rows()
    live = [row for row, retired_at in _with_retirement(rows) if _verifies(retired_at, now)]
    if configured is None and (not live or live[-1].algorithm != settings.JWT_ALGORITHM):
        # Development without a configured key for JWT_ALGORITHM: the ring makes its own.
        material = generate(settings.JWT_ALGORITHM)
        kid = key_id(settings.JWT_ALGORITHM, parse(settings.JWT_ALGORITHM, material)[1])
        SigningKey.objects.create(
            kid=kid, algorithm=settings.JWT_ALGORITHM, secret=material, created_at=_newest_time(rows)
        )
        rows = _rows()
    keys = []
    for row, retired_at in _with_retirement(rows):
        if _verifies(retired_at, now):
            if row.kid not in _parsed:
                _parsed[row.kid] = parse(row.algorithm, row.secret)
            keys.append(Key(row.kid, row.algorithm, *_parsed[row.kid], row.created_at, retired_at))
    _ring = Ring(keys=tuple(reversed(keys)), loaded_at=now)
    return _ring


def _rows() -> list[SigningKey]:
    """Every key the ring has held, oldest first (a dropped one has no material)."""
    return list(SigningKey.objects.order_by("created_at", "kid"))


def _newest_time(rows: list[SigningKey] | None = None) -> datetime:
    """Now, or just after the newest key if the clock says otherwise (a clock set back, a
    frozen one in tests): a new key is always the newest."""
    rows = _rows() if rows is None else rows
    now = timezone.now()
    return max(now, rows[-1].created_at + timedelta(microseconds=1)) if rows else now


def _with_retirement(rows: list[SigningKey]) -> list[tuple[SigningKey, datetime | None]]:
    """Each key not dropped (oldest first) with the time it stopped signing: when the
    next was made (dropped or not)."""
    successors = [*rows[1:], None] if rows else []
    return [
        (row, successor.created_at if successor else None)
        for row, successor in zip(rows, successors, strict=True)
        if row.secret
    ]


def _verifies(retired_at: datetime | None, now: datetime) -> bool:
    return (
        retired_at is None or now < retired_at + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] + SIGNING_GRACE
    )


def _configured_key() -> SigningKey | None:
    """The key the environment holds, as a ring row; None in development without one."""
    algorithm = settings.JWT_ALGORITHM
    material = settings.JWT_SIGNING_KEY if algorithm == "HS256" else settings.JWT_PRIVATE_KEY
    if not material:
        return None
    kid = _configured_kid(algorithm, material)
    return SigningKey(kid=kid, algorithm=algorithm, secret=material)


@functools.cache
def _configured_kid(algorithm: str, material: str) -> str:
    signing, verifying = parse(algorithm, material)
    kid = key_id(algorithm, verifying)
    _parsed.setdefault(kid, (signing, verifying))
    return kid
