"""What a mail grants, and how it is checked: password reset tokens and email
verification keys. Neither is stored anywhere; both are signed with SECRET_KEY.

- A reset token is Django's PasswordResetTokenGenerator's: an HMAC over the user's
  password hash, last login, email and the time it was made. It expires after
  PASSWORD_RESET_TIMEOUT, and dies once the password changes by any path, the user logs
  in or the address changes. With it travels `uid`, the user's id in base 64 (Django's
  convention).
- A verification key is a signed, timestamped `(user, address, state)`: it expires after
  EMAIL_VERIFICATION_TIMEOUT, and works only in the state it was made in (the same
  address, pending address and verification time). Using it changes that state, so it
  works once, and every other key made before dies with it.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from .models import User, identity_key

INVALID_RESET_LINK = (
    "This password reset link is invalid, has expired or was already used; ask for a new one."
)
INVALID_KEY = "This verification link is invalid or was already used."
EXPIRED_KEY = "This verification link has expired; ask for a new one."

VERIFICATION_SALT = "accounts.tokens.verification"


# --- password reset ----------------------------------------------------------------------


def reset_uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def make_reset_token(user: User) -> str:
    return default_token_generator.make_token(user)


def user_for_reset(uid: str, token: str) -> User:
    """The active user whose reset link `uid` and `token` are; a ValidationError on
    `token` otherwise, whatever is wrong (one message: nothing to learn from it)."""
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        pk = None
    user = User.objects.filter(pk=pk).first() if pk else None
    check_reset_token(user, token)
    return user


def check_reset_token(user: User | None, token: str) -> None:
    if user is None or not user.is_active or not default_token_generator.check_token(user, token):
        raise ValidationError({"token": [INVALID_RESET_LINK]})


# --- email verification --------------------------------------------------------------------


def awaits_verification(user: User, address: str) -> bool:
    """Whether `address` is the user's pending new address, or their unverified own."""
    key = identity_key(address)
    pending = identity_key(user.pending_email or "")
    return bool(key) and (key == pending or (key == user.email_key and not user.email_verified))


def make_verification_key(user: User, address: str) -> str:
    payload = {"user": user.pk, "email": address, "state": _state(user, address)}
    return signing.dumps(payload, salt=VERIFICATION_SALT, compress=True)


def read_verification_key(key: str) -> tuple[User, str]:
    """The user and the address a key proves, if it still may; a ValidationError on `key`
    when it is tampered with, expired, or was made before the state changed (used)."""
    try:
        payload = signing.loads(key, salt=VERIFICATION_SALT, max_age=settings.EMAIL_VERIFICATION_TIMEOUT)
    except signing.SignatureExpired:
        raise ValidationError({"key": [EXPIRED_KEY]}) from None
    except signing.BadSignature:
        raise ValidationError({"key": [INVALID_KEY]}) from None
    user = User.objects.filter(pk=payload["user"]).first()
    if user is None or not verification_key_works(user, payload["email"], payload["state"]):
        raise ValidationError({"key": [INVALID_KEY]})
    return user, payload["email"]


def verification_key_works(user: User, address: str, state: str) -> bool:
    return state == _state(user, address) and awaits_verification(user, address)


def _state(user: User, address: str) -> str:
    """A digest of what a verification changes; a key made in another state is dead."""
    verified = user.email_verified_at.isoformat() if user.email_verified_at else ""
    facts = [identity_key(address), user.email_key or "", identity_key(user.pending_email or ""), verified]
    return hashlib.sha256("\n".join(facts).encode()).hexdigest()[:24]
