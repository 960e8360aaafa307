"""Errors a service raises for the client to act on, without knowing about HTTP.

Services raise these, or Django's own `ValidationError` (with a field dict),
`PermissionDenied` and `ObjectDoesNotExist`; `library.api.exception_handler` is the one
place that turns any of them into the API's JSON answer.
"""


class ApplicationError(Exception):
    """A refusal with a message for people and a code for programs."""

    default_code = "error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code


class AuthenticationError(ApplicationError):
    """The credentials presented (a password, a token) are not accepted."""

    default_code = "authentication_failed"


class NotPermitted(ApplicationError):
    """The caller is known, but may not do this (yet): 403 with the error's own code."""

    default_code = "permission_denied"


class TooManyAttempts(ApplicationError):
    """Refused for a while, whoever asks: 429 with Retry-After `retry_after` seconds."""

    default_code = "throttled"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after
