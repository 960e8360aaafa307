"""What the management commands of every app look up the same way."""

from django.core.management.base import CommandError

from accounts import selectors
from accounts.models import User


def user_named(username: str) -> User:
    """The user called `username`, in any case, or a CommandError that says there is none."""
    try:
        return selectors.users_named(username).get()
    except User.DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None
