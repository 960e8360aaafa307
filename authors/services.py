import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from accounts.models import User
from library import sql

from . import selectors
from .models import DUPLICATE_NAME, Author, LibrarySize


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
    for name, value in fields.items():
        setattr(author, name, value)
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


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reasons)
    rolled_back: bool = False


IMPORTED_FIELDS = ("name", "book", "country", "booker_prize")
TRUE_WORDS = {"true", "t", "yes", "y", "1"}
FALSE_WORDS = {"false", "f", "no", "n", "0", ""}


def import_authors(*, owner: User, rows: Iterable[dict], atomic: bool = False) -> ImportReport:
    """Add rows to `owner`'s library under the model's rules, the same the API enforces.

    A row whose name is already in the library is skipped, so a file can be imported
    twice; an invalid row is rejected with its reasons. With `atomic`, one rejected row
    rolls back the whole import.
    """
    report = ImportReport()
    with transaction.atomic():
        for number, row in enumerate(rows, start=1):
            try:
                author = _author_from_row(owner, row)
            except ValidationError as error:
                report.rejected.append((number, _reasons(error)))
                continue
            if selectors.name_taken(owner=owner, name=author.name):
                report.skipped += 1
                continue
            try:
                with transaction.atomic():
                    author.save()
            except IntegrityError:  # The same name arrived through the API meanwhile.
                report.skipped += 1
                continue
            report.created += 1
        if atomic and report.rejected:
            transaction.set_rollback(True)
            report.created, report.rolled_back = 0, True
    return report


def _author_from_row(owner: User, row: dict) -> Author:
    if not isinstance(row, dict):
        raise ValidationError("A row must be an object with name, book, country, booker_prize.")
    text = {name: str(row.get(name) or "").strip() for name in ("name", "book", "country")}
    errors = {}
    try:
        booker_prize = _parse_bool(row.get("booker_prize"))
    except ValidationError as error:
        booker_prize, errors = False, error.message_dict
    author = Author(owner=owner, booker_prize=booker_prize, **text)
    try:
        author.full_clean(exclude=["owner"], validate_constraints=False)
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    return author


def _parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    word = "" if value is None else str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError({"booker_prize": [f"{value!r} is not true or false."]})


def _reasons(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
    return " ".join(error.messages)


def recount_library_sizes() -> int:
    """Rewrite every owner's author counter from a real count, in one transaction that
    no author write can cross; returns how many counters there are now. Only for
    repairing drift: the triggers of migration 0004 are the counter's one writer."""
    using = connection.alias
    authors, sizes = sql.table(using, Author), sql.table(using, LibrarySize)
    owner, size = sql.column(using, Author, "owner"), functools.partial(sql.column, using, LibrarySize)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # SQLite's IMMEDIATE transaction already holds the write lock
            cursor.execute(f"LOCK TABLE {authors} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {sizes}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {sizes} ({size('owner')}, {size('authors')})"  # noqa: S608
            f" SELECT {owner}, COUNT(*) FROM {authors} GROUP BY {owner}"
        )
        return cursor.rowcount
