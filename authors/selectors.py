import functools
from dataclasses import dataclass

from django.db import connection, connections, router
from django.db.models import QuerySet, Value
from django.db.models.functions import Lower

from accounts.models import User
from library import sql

from .models import Author, LibrarySize


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
    """Whether another of `owner`'s authors is called `name`, in any case (DUPLICATE_NAME):
    authors_named's lookup, through the same unique index, in a statement written once
    (library/sql.py), since every create and update asks."""
    using = router.db_for_read(Author)
    params = {"owner": owner.pk, "name": name}
    if excluding is not None and excluding.pk is not None:
        params["excluding"] = excluding.pk
    return bool(sql.fetch(using, sql.statement(_name_taken, using, "excluding" in params), params, ()))


def library_size(owner: User) -> int:
    """How many authors `owner` has, from the counter the triggers keep (no row: 0).

    One lookup by primary key in SQL written once, as it runs on every list request:
    about 40-60 us of CPU a call, where the ORM's `values_list(...).first()` took 650 us
    (SQLite, DEBUG off, a loaded 2-core machine)."""
    using = router.db_for_read(LibrarySize)
    rows = sql.fetch(using, sql.statement(_library_size_sql, using), {"owner": owner.pk}, ())
    return rows[0][0] if rows else 0


def count_authors_visible_to(user: User) -> int:
    """How many authors `authors_visible_to(user)` holds, unfiltered, without counting them.

    Staff see every library: the sum of the counters, one short row per owner, which
    stays far below a COUNT over every author. (PostgreSQL sums bigints as numeric.)"""
    if not user.is_staff:
        return library_size(user)
    using = router.db_for_read(LibrarySize)
    [[total]] = sql.fetch(using, sql.statement(_all_libraries_size_sql, using), {}, ())
    return int(total)


@dataclass(frozen=True)
class LibrarySizeMismatch:
    owner_id: int
    username: str
    counted: int  # what the counter says
    actual: int  # what COUNT(*) says


def library_size_mismatches() -> list[LibrarySizeMismatch]:
    """Every owner whose counter differs from a real count of their authors, by username.

    One statement, so it reads one snapshot: a write committed meanwhile changes both
    sides or neither. An owner with authors and no counter row, and a counter row left
    for an owner with none, both count as differing (a missing row means 0)."""
    with connection.cursor() as cursor:
        cursor.execute(sql.statement(_mismatches_sql, cursor.db.alias))
        return [LibrarySizeMismatch(*row) for row in cursor.fetchall()]


def _library_size_sql(using: str) -> str:
    size = functools.partial(sql.column, using, LibrarySize)
    return f"SELECT {size('authors')} FROM {sql.table(using, LibrarySize)} WHERE {size('owner')} = %(owner)s"  # noqa: S608


def _all_libraries_size_sql(using: str) -> str:
    size = functools.partial(sql.column, using, LibrarySize)
    return f"SELECT COALESCE(SUM({size('authors')}), 0) FROM {sql.table(using, LibrarySize)}"  # noqa: S608


def _mismatches_sql(using: str) -> str:
    """Counters and real counts side by side (a full outer join written as a UNION ALL,
    which every supported SQLite has), kept where they differ."""
    size = functools.partial(sql.column, using, LibrarySize)
    owner, user = sql.column(using, Author, "owner"), functools.partial(sql.column, using, User)
    # Only identifiers from the models go into the text; there are no values.
    return (
        f"SELECT sides.owner, u.{user('username')}, SUM(sides.counted), SUM(sides.actual) FROM ("  # noqa: S608
        f" SELECT {size('owner')} AS owner, {size('authors')} AS counted,"
        f" 0 AS actual FROM {sql.table(using, LibrarySize)}"
        f" UNION ALL SELECT {owner}, 0, COUNT(*) FROM {sql.table(using, Author)} GROUP BY {owner}"
        f") sides JOIN {sql.table(using, User)} u ON u.{user('id')} = sides.owner"
        f" GROUP BY sides.owner, u.{user('username')}"
        " HAVING SUM(sides.counted) <> SUM(sides.actual)"
        f" ORDER BY u.{user('username')}"
    )


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
        return sql.fetch(using, sql.statement(_page, using, self.newest_first), params, _converted(using))


def author_row(owner: User, author_id: int) -> list | None:
    """The values of ROW_FIELDS of `owner`'s author `author_id`, or None."""
    using = router.db_for_read(Author)
    rows = sql.fetch(
        using, sql.statement(_one, using), {"owner": owner.pk, "id": author_id}, _converted(using)
    )
    return rows[0] if rows else None


_FIELDS = [Author._meta.get_field(name) for name in ROW_FIELDS]


def _converted(using: str) -> list:
    """The fields whose values sql.fetch converts: all but the two timestamps (the last
    columns, which then come as the driver reads them) where the database's time zone is
    UTC. SQLite's driver then gives naive datetimes in UTC, which authors_data formats
    as they are; Django's converter made them aware first, and authors_data took them
    back to UTC: the list of 20 cost 1,330 us of CPU that way and 1,060 us this way
    (in process, interleaved, the best of 30 rounds). PostgreSQL's driver gives aware
    datetimes either way."""
    if connections[using].timezone_name == "UTC":
        return _FIELDS[: ROW_FIELDS.index("created_at")]
    return _FIELDS


def _select(using: str) -> str:
    columns = ", ".join(sql.column(using, Author, field.name) for field in _FIELDS)
    owner = sql.column(using, Author, "owner")
    return f"SELECT {columns} FROM {sql.table(using, Author)} WHERE {owner} = %(owner)s"  # noqa: S608


def _page(using: str, newest_first: bool) -> str:
    way = "DESC" if newest_first else "ASC"
    order = f"{sql.column(using, Author, 'created_at')} {way}, {sql.column(using, Author, 'id')} {way}"
    return f"{_select(using)} ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s"


def _name_taken(using: str, excluding: bool) -> str:
    author = functools.partial(sql.column, using, Author)
    other = f" AND {author('id')} <> %(excluding)s" if excluding else ""
    return (
        f"SELECT 1 FROM {sql.table(using, Author)}"  # noqa: S608
        f" WHERE {author('owner')} = %(owner)s AND LOWER({author('name')}) = LOWER(%(name)s){other} LIMIT 1"
    )


def _one(using: str) -> str:
    return f"{_select(using)} AND {sql.column(using, Author, 'id')} = %(id)s"
