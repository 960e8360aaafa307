from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from accounts.models import User

from .models import Author

DUPLICATE_NAME = "This name is already in your library."


def create_author(*, owner: User, name: str, book: str, country: str, booker_prize: bool = False) -> Author:
    """Add an author to `owner`'s library; a name may appear once per library, in any case."""
    try:
        with transaction.atomic():
            return Author.objects.create(
                owner=owner,
                name=name,
                book=book,
                country=country,
                booker_prize=booker_prize,
            )
    except IntegrityError:
        raise ValidationError({"name": [DUPLICATE_NAME]}) from None


def update_author(*, author: Author, **fields) -> Author:
    """Change an author's fields under the same rule as `create_author`."""
    for field, value in fields.items():
        setattr(author, field, value)
    try:
        with transaction.atomic():
            author.save()
    except IntegrityError:
        raise ValidationError({"name": [DUPLICATE_NAME]}) from None
    return author


def delete_authors(*, authors: QuerySet[Author]) -> int:
    """Delete the given authors in one statement; returns how many went."""
    deleted, _ = authors.order_by().delete()
    return deleted
