from django.db.models import QuerySet, Value
from django.db.models.functions import Lower

from .models import LoginSession, User


def live_sessions(user: User) -> QuerySet[LoginSession]:
    """The user's sessions whose refresh token can still be exchanged, newest first."""
    return LoginSession.objects.live().filter(user=user)


def users() -> QuerySet[User]:
    return User.objects.order_by("id")


def users_named(username: str) -> QuerySet[User]:
    """Users whose username is `username` in any case, through the unique index on
    LOWER(username); `username__iexact` would scan the table."""
    return User.objects.alias(lower_username=Lower("username")).filter(lower_username=Lower(Value(username)))


def users_with_email(email: str) -> QuerySet[User]:
    """Users whose email is `email` in any case, through the unique index on LOWER(email)
    (a partial index over non-empty emails, hence the exclude)."""
    return (
        User.objects.alias(lower_email=Lower("email"))
        .filter(lower_email=Lower(Value(email)))
        .exclude(email="")
    )


def username_taken(username: str, *, excluding: User | None = None) -> bool:
    """Whether another user has `username`, in any case (the rule of USERNAME_TAKEN)."""
    return _others(users_named(username), excluding).exists()


def email_taken(email: str, *, excluding: User | None = None) -> bool:
    """Whether another user has `email`, in any case (the rule of EMAIL_TAKEN)."""
    return _others(users_with_email(email), excluding).exists()


def _others(found: QuerySet[User], excluding: User | None) -> QuerySet[User]:
    return found if excluding is None or excluding.pk is None else found.exclude(pk=excluding.pk)
