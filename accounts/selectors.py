from django.db.models import QuerySet

from .models import LoginSession, User


def live_sessions(user: User) -> QuerySet[LoginSession]:
    """The user's sessions whose refresh token can still be exchanged, newest first."""
    return LoginSession.objects.live().filter(user=user)


def users() -> QuerySet[User]:
    return User.objects.order_by("id")
