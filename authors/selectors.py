import functools

from django.db import connections, router
from django.db.models import QuerySet, Value
from django.db.models.functions import Lower

from accounts.models import User
from library import sql

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


# --- the plain list and one author: statements written once (library/sql.py) -------------
# The list with no filter, search or sort, and one author by id, are most requests; the
# ORM spent ~1 ms building their two queries, the database ~0.1 ms answering them.

# The fields of an author as the API shows it (authors/serializers.authors_data), in order.
ROW_FIELDS = ("id", "name", "book", "country", "booker_prize", "created_at", "updated_at")


class Library:
    """`owner`'s authors as a paginator reads them, newest first (the list's order,
    Author.Meta.ordering): count() is the library's size, a slice one statement for that
    page's rows of ROW_FIELDS. Reversed, the same rows oldest first (library/api.py's
    paginator reads a back page from the end)."""

    ordered = True

    def __init__(self, owner: User, *, newest_first: bool = True):
        self.owner, self.newest_first = owner, newest_first

    def count(self) -> int:
        return library_size(self.owner)

    def reverse(self) -> "Library":
        return Library(self.owner, newest_first=not self.newest_first)

    def __getitem__(self, rows: slice) -> list[list]:
        using = router.db_for_read(Author)
        params = {"owner": self.owner.pk, "limit": rows.stop - rows.start, "offset": rows.start}
        return sql.fetch(using, _page(using, self.newest_first), params, _FIELDS)


def author_row(owner: User, author_id: int) -> list | None:
    """The values of ROW_FIELDS of `owner`'s author `author_id`, or None."""
    using = router.db_for_read(Author)
    rows = sql.fetch(using, _one(using), {"owner": owner.pk, "id": author_id}, _FIELDS)
    return rows[0] if rows else None


_FIELDS = [Author._meta.get_field(name) for name in ROW_FIELDS]


def _select(using: str) -> str:
    quote = connections[using].ops.quote_name
    columns = ", ".join(quote(field.column) for field in _FIELDS)
    owner = quote(Author._meta.get_field("owner").column)
    return f"SELECT {columns} FROM {quote(Author._meta.db_table)} WHERE {owner} = %(owner)s"  # noqa: S608


@functools.cache
def _page(using: str, newest_first: bool) -> str:
    quote = connections[using].ops.quote_name
    way = "DESC" if newest_first else "ASC"
    order = f"{quote('created_at')} {way}, {quote('id')} {way}"
    return f"{_select(using)} ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s"


@functools.cache
def _one(using: str) -> str:
    return f"{_select(using)} AND {connections[using].ops.quote_name('id')} = %(id)s"


def library_size(owner: User) -> int:
    """How many authors `owner` has.  (Placeholder until the counter lands.)"""
    return Author.objects.filter(owner=owner).count()
