from django.db.models import QuerySet

from accounts.models import User

from .models import Author


def authors_owned_by(user: User) -> QuerySet[Author]:
    return Author.objects.filter(owner=user).select_related("owner")


def authors_visible_to(user: User) -> QuerySet[Author]:
    """Staff see every library; everyone else sees only their own."""
    if user.is_staff:
        return Author.objects.select_related("owner")
    return authors_owned_by(user)
