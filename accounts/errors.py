"""What the session rules refuse with; library/api.py answers them as 401s."""

from library.errors import AuthenticationError


class InvalidCredentials(AuthenticationError):
    """A login whose identifier and password do not name an active account."""

    default_code = "invalid_credentials"


class InvalidToken(AuthenticationError):
    """A token that is malformed, badly signed, expired, revoked or of the wrong kind."""

    default_code = "token_not_valid"


class ExpiredToken(InvalidToken):
    """A well-formed token of ours past its expiry: refused, and already harmless."""
