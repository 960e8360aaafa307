"""The second factor: TOTP (RFC 6238) with single-use recovery codes, and the second step
of a login.

- Setting up makes a pending secret; a first right code turns TOTP on and hands out ten
  recovery codes, shown once. RFC 6238's defaults (SHA-1, 6 digits, 30 s steps) with one
  step of drift either way (pyotp).
- A code works once: the device keeps the time step of the last code it accepted and
  refuses that step and any earlier one (a compare-and-swap, so two requests racing
  with one code cannot both pass). A recovery code works once (its row is marked used
  by a conditional UPDATE) and is stored as a SHA-256 digest only.
- The secret is stored encrypted (Fernet) under a key derived (HKDF-SHA256) from
  MFA_ENCRYPTION_KEY, or from SECRET_KEY (its fallbacks still decrypt). A secret no key
  decrypts accepts no code; recovery codes still work.
- With TOTP on, the password step of a login makes a challenge instead of a session: a
  random `mfa_token` (not a JWT: no authentication class accepts it, and no access token
  is one), stored as a digest, for MFA_TOKEN_SECONDS. A right code spends it; each wrong
  one counts, and the MFA_TOKEN_TRIES-th ends it. Over all of one user's challenges, at
  most MFA_USER_FAILURES wrong codes in MFA_USER_WINDOW_SECONDS. A challenge dies with
  the user's sessions (a new password, deactivation, logout everywhere) and with the
  device it was made for.
- Sensitive operations (accounts/services.py) call check_second_factor: with TOTP on,
  they need a code beside the password.

The challenge is a database row, not a cache entry: its tries are counted by atomic
UPDATEs in the store every process shares and that does not fail open (the throttles'
cache falls back to counting per process), and it dies with the user's rows.
"""

import base64
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from . import events
from .models import MfaChallenge, RecoveryCode, TOTPDevice, User

logger = logging.getLogger(__name__)

METHODS = ["totp", "recovery_code"]
DIGITS = 6  # pyotp's default, as RFC 6238's
DRIFT_STEPS = 1  # RFC 6238 section 5.2: one step each way for clocks and typing
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # 5 bits a character
RECOVERY_CODE_LENGTH = 16  # 80 bits, shown as four groups of four

CODE_REQUIRED = "Your second factor is on: enter a code from your authenticator app, or a recovery code."
WRONG_CODE = "The code is wrong, expired or already used."
ALREADY_ON = "The second factor is already on; turn it off first to set up another."
NOT_SET_UP = "Nothing to confirm: start with POST /api/auth/mfa/totp/setup/."
NOT_ON = "The second factor is not on."
LOGIN_OVER = "This sign-in has expired, was used, or had too many wrong codes; log in again."
TOO_MANY_WRONG_CODES = "Too many wrong codes for this account; wait a few minutes, then log in again."


@dataclass(frozen=True)
class Setup:
    secret: str
    otpauth_url: str
    qr_svg: str


@dataclass(frozen=True)
class Challenge:
    """What the password step answers with TOTP on: the token of the second step."""

    mfa_token: str
    expires_in: int
    methods: tuple[str, ...] = tuple(METHODS)


def enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


# --- turn on, off, renew ---------------------------------------------------------------------


def begin_setup(user: User) -> Setup:
    """A new pending secret for `user` (replacing any earlier pending one); TOTP is not on
    until confirm_setup. Refused while TOTP is on."""
    if enabled(user):
        raise ValidationError({NON_FIELD_ERRORS: [ALREADY_ON]})
    secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
    TOTPDevice.objects.update_or_create(
        user=user,
        defaults={"encrypted_secret": _encrypt(secret), "created_at": timezone.now(), "last_used_step": None},
    )
    url = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=settings.MFA_ISSUER)
    return Setup(secret=secret, otpauth_url=url, qr_svg=segno.make(url, error="m").svg_inline(scale=4))


def confirm_setup(user: User, *, code: str, user_agent: str = "", ip: str | None = None) -> list[str]:
    """Turn TOTP on with a first right code of the pending secret; the answer is the new
    recovery codes, in clear this once."""
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None or device.confirmed_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: [ALREADY_ON if device else NOT_SET_UP]})
    step = _matching_step(device, code)
    if step is None:
        raise ValidationError({"code": [WRONG_CODE]})
    with transaction.atomic():
        # The confirming code is spent too; a second confirmation racing this one loses.
        confirmed = TOTPDevice.objects.filter(pk=device.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now(), last_used_step=step
        )
        if not confirmed:
            raise ValidationError({NON_FIELD_ERRORS: [ALREADY_ON]})
        codes = _replace_recovery_codes(user)
        events.record(events.Type.TOTP_ENABLED, user=user, user_agent=user_agent, ip=ip)
    return codes


def disable(user: User, *, actor: User | None = None, user_agent: str = "", ip: str | None = None) -> bool:
    """Turn TOTP off (the user, having proved both factors; or staff, `actor`, for a lost
    phone): the secret and the recovery codes are deleted. False if it was not on."""
    with transaction.atomic():
        was_on = enabled(user)
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        if was_on:
            events.record(events.Type.TOTP_DISABLED, user=user, actor=actor, user_agent=user_agent, ip=ip)
    return was_on


def renew_recovery_codes(user: User, *, user_agent: str = "", ip: str | None = None) -> list[str]:
    """A new set of recovery codes; every code of the old set stops working."""
    if not enabled(user):
        raise ValidationError({NON_FIELD_ERRORS: [NOT_ON]})
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        events.record(events.Type.RECOVERY_CODES_RENEWED, user=user, user_agent=user_agent, ip=ip)
    return codes


# --- a code beside the password ------------------------------------------------------------


def check_second_factor(user: User, code: str, *, user_agent: str = "", ip: str | None = None) -> None:
    """For a sensitive operation, after its password check: with TOTP on, `code` must be a
    right TOTP or recovery code (it is spent); with TOTP off, nothing is asked."""
    if not enabled(user):
        return
    if not code:
        raise ValidationError({"code": [CODE_REQUIRED]})
    if not _accept(user, code, user_agent=user_agent, ip=ip):
        events.record(events.Type.MFA_FAILED, user=user, user_agent=user_agent, ip=ip)
        raise ValidationError({"code": [WRONG_CODE]})


# --- the second step of a login --------------------------------------------------------------


def start_challenge(user: User) -> Challenge:
    """After a right password, with TOTP on: the token the second step takes."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    MfaChallenge.objects.create(
        user=user,
        digest=_digest(token),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.MFA_TOKEN_SECONDS),
    )
    return Challenge(mfa_token=token, expires_in=settings.MFA_TOKEN_SECONDS)


def pass_challenge(*, mfa_token: str, code: str, user_agent: str = "", ip: str | None = None) -> User:
    """The user whose challenge `mfa_token` is, once `code` is right: the token is spent.
    A wrong code counts against the token and the user."""
    now = timezone.now()
    challenge = (
        MfaChallenge.objects.select_related("user")
        .filter(digest=_digest(mfa_token), ended_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if challenge is None or not _still_valid(challenge):
        raise ValidationError({"mfa_token": [LOGIN_OVER]})
    user = challenge.user
    window_start = now - timedelta(seconds=settings.MFA_USER_WINDOW_SECONDS)
    recent = MfaChallenge.objects.filter(user=user, created_at__gte=window_start)
    if (recent.aggregate(failures=Sum("failures"))["failures"] or 0) >= settings.MFA_USER_FAILURES:
        raise ValidationError({"mfa_token": [TOO_MANY_WRONG_CODES]})
    # Claim a try before checking the code: of any number of concurrent requests with one
    # token, at most MFA_TOKEN_TRIES get a code checked.
    live = MfaChallenge.objects.filter(pk=challenge.pk, ended_at__isnull=True)
    if not live.filter(failures__lt=settings.MFA_TOKEN_TRIES).update(failures=F("failures") + 1):
        raise ValidationError({"mfa_token": [LOGIN_OVER]})
    if _accept(user, code, user_agent=user_agent, ip=ip):
        # A right code is no failure; the token is spent (unless a concurrent wrong code
        # ended it meanwhile).
        if not live.update(ended_at=now, failures=F("failures") - 1):
            raise ValidationError({"mfa_token": [LOGIN_OVER]})
        return user
    live.filter(failures__gte=settings.MFA_TOKEN_TRIES).update(ended_at=now)  # the last try was wrong
    events.record(events.Type.MFA_FAILED, user=user, user_agent=user_agent, ip=ip)
    raise ValidationError({"code": [WRONG_CODE]})


def _still_valid(challenge: MfaChallenge) -> bool:
    """Whether the challenge's user may still finish it: active, TOTP on since before it
    was made (not turned off and on again), and no session-ending change since."""
    user = challenge.user
    ended = user.sessions_ended_at
    return (
        user.is_active
        and (ended is None or ended <= challenge.created_at)
        and TOTPDevice.objects.filter(user=user, confirmed_at__lte=challenge.created_at).exists()
    )


# --- codes ---------------------------------------------------------------------------------------


def _accept(user: User, code: str, *, user_agent: str, ip: str | None) -> bool:
    """Spend `code`, a TOTP code of `user`'s confirmed device or one of their unused
    recovery codes; False if it is neither (or was already spent)."""
    code = "".join(code.split()).lower()
    if len(code) == DIGITS and code.isdigit():
        device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
        step = _matching_step(device, code) if device else None
        if step is None:
            return False
        earlier = Q(last_used_step__isnull=True) | Q(last_used_step__lt=step)
        return bool(TOTPDevice.objects.filter(earlier, pk=device.pk).update(last_used_step=step))
    spent = RecoveryCode.objects.filter(
        user=user, digest=_digest(code.replace("-", "")), used_at__isnull=True
    ).update(used_at=timezone.now())
    if spent:
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        events.record(
            events.Type.RECOVERY_CODE_USED, user=user, user_agent=user_agent, ip=ip, detail={"left": left}
        )
    return bool(spent)


def _matching_step(device: TOTPDevice, code: str) -> int | None:
    """The time step (within the drift) whose code `code` is, if any."""
    secret = _decrypt(device.encrypted_secret)
    if secret is None:
        return None
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(
            code.strip(), for_time=timezone.now(), valid_window=DRIFT_STEPS
        )
    except pyotp.exceptions.OTPVerificationError:
        return None


def _replace_recovery_codes(user: User) -> list[str]:
    codes = [
        "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, digest=_digest(code)) for code in codes])
    return ["-".join(code[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4)) for code in codes]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- the secret at rest --------------------------------------------------------------------------


def _cipher() -> MultiFernet:
    """Encrypts with the first key, decrypts with any: MFA_ENCRYPTION_KEY, or SECRET_KEY
    and then SECRET_KEY_FALLBACKS."""
    if settings.MFA_ENCRYPTION_KEY:
        sources = [settings.MFA_ENCRYPTION_KEY]
    else:
        sources = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([Fernet(_derive_key(source)) for source in sources])


def _derive_key(source: str) -> bytes:
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"library accounts.mfa totp secret")
    return base64.urlsafe_b64encode(kdf.derive(source.encode()))


def _encrypt(secret: str) -> str:
    return _cipher().encrypt(secret.encode()).decode()


def _decrypt(stored: str) -> str | None:
    try:
        return _cipher().decrypt(stored.encode()).decode()
    except InvalidToken:
        logger.error("A TOTP secret no configured key decrypts (MFA_ENCRYPTION_KEY or SECRET_KEY changed?)")
        return None
