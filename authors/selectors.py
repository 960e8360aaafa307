from django.db.models import QuerySet, Value
from django.db.models.functions import Lower

from accounts.models import User

from .models import Author


def authors_owned_by(user: User) -> QuerySet[Author]:
    return Author.objects.filter(owner=user).select_related("owner")


def authors_visible_to(user: User) -> QuerySet[Author]:
    """Staff see every library; everyone else sees only their own."""
    if user.is_staff:
        return Author.objects.select_related("owner")
    return authors_owned_by(user)


def authors_named(*, owner: User, name: str) -> QuerySet[Author]:
    """`owner`'s authors called `name` in any case, found through the unique index on
    (owner, LOWER(name)); `name__iexact` would scan the whole library."""
    return Author.objects.alias(lower_name=Lower("name")).filter(owner=owner, lower_name=Lower(Value(name)))


def name_taken(*, owner: User, name: str, excluding: Author | None = None) -> bool:
    """Whether another of `owner`'s authors is called `name`, in any case (DUPLICATE_NAME)."""
    same_name = authors_named(owner=owner, name=name)
    if excluding is not None and excluding.pk is not None:
        same_name = same_name.exclude(pk=excluding.pk)
    return same_name.exists()
