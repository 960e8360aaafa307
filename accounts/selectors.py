from datetime import datetime

from django.db.models import QuerySet

from .models import LoginSession, SecurityEvent, User, identity_key


def live_sessions(user: User) -> QuerySet[LoginSession]:
    """The user's sessions whose refresh token can still be exchanged, newest first."""
    return LoginSession.objects.live().filter(user=user)


def security_events_visible_to(user: User) -> QuerySet[SecurityEvent]:
    """The security log `user` may read, newest first: their own; staff, everyone's (the
    API's list narrows staff to their own unless they name a user: accounts/filters.py)."""
    events = SecurityEvent.objects.select_related("user", "actor").order_by("-created_at", "-id")
    return events if user.is_staff else events.filter(user=user)


def logged_in_from(user: User, *, user_agent: str, ip: str | None, since: datetime) -> bool:
    """Whether `user` has logged in since `since` from this client: this user agent (as a
    session stores it) and this address, both. The history is the security log's
    login_succeeded events, through the index on (user, created_at)."""
    return SecurityEvent.objects.filter(
        user=user,
        type=SecurityEvent.Type.LOGIN_SUCCEEDED,
        created_at__gte=since,
        user_agent=(user_agent or "")[:255],
        ip=ip,
    ).exists()


def users() -> QuerySet[User]:
    return User.objects.order_by("id")


def users_named(username: str) -> QuerySet[User]:
    """The user whose username is `username` in any case or Unicode form, through the
    unique index on username_key."""
    return User.objects.filter(username_key=identity_key(username))


def users_with_email(email: str) -> QuerySet[User]:
    """The user whose email is `email` in any case or Unicode form, through the unique
    index on email_key (no user has the empty email's key)."""
    return User.objects.filter(email_key=identity_key(email) or None).exclude(email_key=None)


def users_identified_by(identifier: str) -> QuerySet[User]:
    """The user a login identifier names: an email address if it has "@" (no username
    has one), a username otherwise; in any case or Unicode form."""
    return users_with_email(identifier) if "@" in identifier else users_named(identifier)


def username_taken(username: str, *, excluding: User | None = None) -> bool:
    """Whether another user has `username`, in any case (the rule of USERNAME_TAKEN)."""
    return _others(users_named(username), excluding).exists()


def email_taken(email: str, *, excluding: User | None = None) -> bool:
    """Whether another user has `email`, in any case (the rule of EMAIL_TAKEN)."""
    return _others(users_with_email(email), excluding).exists()


def _others(found: QuerySet[User], excluding: User | None) -> QuerySet[User]:
    return found if excluding is None or excluding.pk is None else found.exclude(pk=excluding.pk)
