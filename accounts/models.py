import unicodedata
import uuid

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from library.validators import no_control_characters

# One message per uniqueness rule: the constraints below, the early check in the
# serializers and the services' race fallback all say it with these.
USERNAME_TAKEN = "A user with that username already exists."
EMAIL_TAKEN = "A user with that email already exists."


def identity_key(value: str) -> str:
    """What decides whether two usernames (or two emails) are the same: NFKC, then case
    folded, so "Ädam", "ädam" and a fullwidth "adam" (U+FF41...) collide on every
    database alike (SQLite's LOWER() folds ASCII only)."""
    return unicodedata.normalize("NFKC", value).casefold()


# No "@" in usernames, so a login identifier with "@" is always an email address.
username_validator = RegexValidator(
    r"^[\w.+-]+\Z",
    "Enter a valid username: letters, digits and . + - _ only.",
    code="invalid",
)


class User(AbstractUser):
    username = models.CharField(
        "username",
        max_length=150,
        unique=True,
        validators=[username_validator],
        help_text="150 characters or fewer: letters, digits and . + - _ only.",
        error_messages={"unique": USERNAME_TAKEN},
    )
    email = models.EmailField("email address", blank=True)
    # identity_key of username and email, kept by save(); the unique indexes are on these.
    username_key = models.CharField(max_length=150, unique=True, editable=False)
    # NULL, not "", for users without an email: unique indexes let NULLs repeat.
    email_key = models.CharField(max_length=254, unique=True, null=True, editable=False)  # noqa: DJ001
    sessions_ended_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When all of the user's sessions were last ended; browser logins from before stop too.",
    )
    # Email verification (accounts/verification.py): when the user last proved that mail to
    # `email` reaches them, and the new address waiting for the same proof before it
    # replaces `email`.
    email_verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    pending_email = models.EmailField("email address waiting for confirmation", null=True, blank=True)  # noqa: DJ001

    REQUIRED_FIELDS = ["email"]

    def __str__(self) -> str:
        return self.username

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def save(self, *args, **kwargs):
        """Every path that saves a user (the API, the admin, createsuperuser, plain ORM)
        stores the username in NFKC, the email (and a pending one) with its domain in
        lower case, and the keys that decide uniqueness."""
        self.username = self.normalize_username(self.username)
        self.email = BaseUserManager.normalize_email(self.email)
        self.pending_email = BaseUserManager.normalize_email(self.pending_email) or None
        self.username_key = identity_key(self.username)
        self.email_key = identity_key(self.email) or None  # no email: no key, no collision
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            keys = {"username": "username_key", "email": "email_key"}
            kwargs["update_fields"] = {
                *update_fields,
                *(keys[name] for name in keys if name in update_fields),
            }
        super().save(*args, **kwargs)

    # --- credentials: what ends every session when it changes (accounts/signals.py) -------

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user.remember_credentials()
        return user

    def remember_credentials(self) -> None:
        """Note the password hash and active flag as stored, to tell a change on save."""
        deferred = self.get_deferred_fields()
        stored = None if {"password", "is_active"} & deferred else (self.password, self.is_active)
        self._stored_credentials = stored
        flags = None if set(self.FLAGS) & deferred else {name: getattr(self, name) for name in self.FLAGS}
        self._stored_flags = flags
        self._rehashing = False

    def credentials_changed(self, update_fields=None) -> bool:
        """Whether saving this object changes the password or deactivates the user.

        A rehash at login (a stronger hasher for the same password) is not a change. An
        object never loaded from the database cannot tell, and reports no change.
        """
        stored = getattr(self, "_stored_credentials", None)
        if stored is None:
            return False
        written = set(update_fields) if update_fields is not None else {"password", "is_active"}
        password, was_active = stored
        new_password = "password" in written and self.password != password and not self._rehashing
        deactivated = "is_active" in written and was_active and not self.is_active
        return new_password or deactivated

    # The flags whose changes the security log records (accounts/signals.py).
    FLAGS = ("is_active", "is_staff", "is_superuser")

    def password_changed(self, update_fields=None) -> bool:
        """Whether saving this object stores a new password (a rehash at login is not one)."""
        stored = getattr(self, "_stored_credentials", None)
        written = set(update_fields) if update_fields is not None else {"password"}
        return (
            stored is not None
            and "password" in written
            and self.password != stored[0]
            and not self._rehashing
        )

    def changed_flags(self, update_fields=None) -> dict[str, bool]:
        """The FLAGS that saving this object changes, with their new values."""
        stored = getattr(self, "_stored_flags", None)
        if stored is None:
            return {}
        written = set(update_fields) if update_fields is not None else set(self.FLAGS)
        return {
            name: getattr(self, name)
            for name in self.FLAGS
            if name in written and getattr(self, name) != stored[name]
        }

    def check_password(self, raw_password: str) -> bool:
        self._rehashing = True  # Django saves an upgraded hash of the same password here.
        try:
            return super().check_password(raw_password)
        finally:
            self._rehashing = False

    def _get_session_auth_hash(self, secret=None) -> str:
        # Django signs browser logins with the password hash; ending every session also
        # ends them, through sessions_ended_at. Unset, the hash is Django's own.
        if self.sessions_ended_at is None:
            return super()._get_session_auth_hash(secret=secret)
        key_salt = "accounts.User.get_session_auth_hash"
        value = f"{self.password}|{self.sessions_ended_at.isoformat()}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


SESSION_NAME_MAX_LENGTH = 100


class LoginSessionQuerySet(models.QuerySet):
    def live(self) -> "LoginSessionQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class LoginSession(models.Model):
    """One login: every refresh and access token descended from it carries its id.

    Only the refresh token whose id is `refresh_jti` may be exchanged; presenting any
    earlier one is reuse of a rotated token, and ends the session.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    refresh_jti = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(default=timezone.now)
    user_agent = models.CharField(max_length=255, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Named by accounts/client.client_name when it starts; renamed by its owner.
    name = models.CharField(
        max_length=SESSION_NAME_MAX_LENGTH,
        validators=[no_control_characters],
        help_text='What its owner calls it ("Ada\'s phone"); until renamed, a name made from its '
        'user agent ("Firefox on Linux").',
    )

    objects = LoginSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "expires_at"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"


class RevokedAccessToken(models.Model):
    """An access token revoked before its expiry; kept until it would have expired."""

    jti = models.CharField(max_length=64, primary_key=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.jti


class OutgoingMail(models.Model):
    """A mail the worker composed, and how its delivery went (accounts/tasks.py).

    Nothing here grants access: a reset or verification link is made afresh from `kind`
    at each attempt, so `context` holds only what the text tells (when, from which
    address and client).
    """

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        RETRYING = "retrying", "Waiting to retry"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (staff may retry)"
        CANCELLED = "cancelled", "Nothing to send any more"

    kind = models.CharField(max_length=40)
    to = models.EmailField()
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}"


class SecurityEvent(models.Model):
    """One entry of the security log: what happened to an account, when, from which client,
    and in which login session. Written only by accounts/events.record; read by its owner
    (GET /api/auth/events/) and by staff (the admin). A deleted account's events stay,
    without their user, until `manage.py prune_events` removes them by age."""

    class Type(models.TextChoices):
        LOGIN_SUCCEEDED = "login_succeeded", "Login succeeded"
        LOGIN_FAILED = "login_failed", "Login failed"
        MFA_FAILED = "mfa_failed", "Second factor failed"
        ACCOUNT_LOCKED = "account_locked", "Account locked (too many failed logins)"
        ACCOUNT_UNLOCKED = "account_unlocked", "Account unlocked"
        REFRESH_REUSED = "refresh_reused", "Reuse of a rotated refresh token (session ended)"
        TOKEN_REVOKED = "token_revoked", "Token revoked"
        SESSION_ENDED = "session_ended", "Login session ended"
        SESSION_EVICTED = "session_evicted", "Least recently used session ended (session limit)"
        LOGOUT = "logout", "Logged out"
        LOGOUT_ALL = "logout_all", "Logged out everywhere"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset from a mailed link"
        EMAIL_CHANGE_REQUESTED = "email_change_requested", "Email change requested"
        EMAIL_CHANGE_CONFIRMED = "email_change_confirmed", "Email change confirmed"
        TOTP_ENABLED = "totp_enabled", "Second factor (TOTP) turned on"
        TOTP_DISABLED = "totp_disabled", "Second factor (TOTP) turned off"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", "Recovery codes renewed"
        ACCOUNT_DEACTIVATED = "account_deactivated", "Account deactivated"
        ACCOUNT_REACTIVATED = "account_reactivated", "Account reactivated"
        ACCOUNT_DELETED = "account_deleted", "Account deleted"
        STAFF_STATUS_CHANGED = "staff_status_changed", "Staff status granted or removed"

    id = models.BigAutoField(primary_key=True)
    type = models.CharField(max_length=40, choices=Type.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # SET_NULL: an account's log outlives the account (staff may need it) until pruned.
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="security_events"
    )
    # Who did it, when that is not the user: a staff member acting on the account.
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The login session concerned; an id, not a key: sessions are pruned, the log is not.
    session_id = models.UUIDField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    # What was typed to identify the account (a failed login), or a deleted one's username.
    identifier = models.CharField(max_length=254, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="event_user_newest"),
            models.Index(fields=["created_at"], name="event_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} at {self.created_at:%Y-%m-%d %H:%M:%S}"


# --- the second factor (accounts/mfa.py) ------------------------------------------------------


class TOTPDevice(models.Model):
    """A user's authenticator app: its shared secret, encrypted (never in clear here or in
    the admin), pending until the user proves it with a first code."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="totp")
    # A Fernet token of the base32 secret, under a key derived from MFA_ENCRYPTION_KEY
    # (or SECRET_KEY): accounts/mfa.py is the one reader and writer.
    encrypted_secret = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)  # NULL: set up, not on yet
    # The RFC 6238 time step of the last accepted code: a code of this step or an earlier
    # one is refused, so each code works once.
    last_used_step = models.BigIntegerField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"TOTP of {self.user_id} ({'on' if self.confirmed_at else 'pending'})"


class RecoveryCode(models.Model):
    """One single-use recovery code, stored as the SHA-256 of its normalised text (the
    codes are 80 random bits: a fast digest is enough, and lets a code be found by it)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recovery code of {self.user_id}"


class MfaChallenge(models.Model):
    """The second step of a login: made when the password was right and TOTP is on. The
    client holds `mfa_token`; only its SHA-256 is stored. It ends when spent, when it
    expires, or after MFA_TOKEN_TRIES wrong codes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    failures = models.PositiveSmallIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="mfa_challenge_user_recent")]

    def __str__(self) -> str:
        return f"Second step of {self.user_id} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class SigningKey(models.Model):
    """A key of the token keyring (accounts/keyring.py). The newest signs; an older one
    only verifies, until the longest token it signed has expired, and then it is dropped:
    its key material erased, its row kept so the same key is never taken back."""

    kid = models.CharField(max_length=64, primary_key=True)
    algorithm = models.CharField(max_length=8)
    # The HS256 secret or the private key in PEM; empty once dropped.
    secret = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-kid"]

    def __str__(self) -> str:
        return f"{self.algorithm} {self.kid}"
