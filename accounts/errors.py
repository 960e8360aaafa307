"""What the session rules refuse with; library/api.py answers them as 401s (403s for
NotPermitted kinds, 429 for AccountLocked)."""

from library.errors import AuthenticationError, NotPermitted, TooManyAttempts


class InvalidCredentials(AuthenticationError):
    """A login whose identifier and password do not name an active account."""

    default_code = "invalid_credentials"


class InvalidToken(AuthenticationError):
    """A token that is malformed, badly signed, expired, revoked or of the wrong kind."""

    default_code = "token_not_valid"


class ExpiredToken(InvalidToken):
    """A well-formed token of ours past its expiry: refused, and already harmless."""


class EmailNotVerified(NotPermitted):
    """The right password, but EMAIL_VERIFICATION=mandatory and the address is not verified."""

    default_code = "email_not_verified"


class AccountLocked(TooManyAttempts):
    """Too many failed passwords for this identifier lately (accounts/lockout.py): refused
    for `retry_after` seconds, whether or not the identifier names an account."""

    default_code = "account_locked"
