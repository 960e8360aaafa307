"""Statements written once, for the few reads on every request where the ORM spends more
building a query (~0.2-1 ms) than the database spends answering it (~10-80 us).

A caller writes its SELECT from the models' meta (names quoted by the backend, every
value a named parameter) in a plain function of the database's alias, which
`statement` calls once a process and keeps; `fetch` runs it, and the rows come back as a
query set would give them, each backend's converters applied (SQLite's timestamps are
text, for one). Anything not on a hot path uses the ORM.

The writers are plain functions, not `functools.cache`d ones, and `forget` drops what
is kept: mutmut leaves decorated functions alone, and a test that changes the code
behind a statement (a mutant) must see that code run (conftest.py forgets before each test).
"""

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from django.db import connections
from django.db.models import Field, Model

_STATEMENTS: dict[tuple, str] = {}
_CONVERTERS: dict[tuple, list] = {}


def statement(write: Callable[..., str], using: str, *args: Hashable) -> str:
    """`write(using, *args)`, the text of a statement, written once a process for each
    database and arguments."""
    key = (write, using, *args)
    text = _STATEMENTS.get(key)
    if text is None:
        text = _STATEMENTS[key] = write(using, *args)
    return text


def forget() -> None:
    """Drops every kept statement and converter list: they are written again on next use."""
    _STATEMENTS.clear()
    _CONVERTERS.clear()


def column(using: str, model: type[Model], name: str) -> str:
    """`model`'s field `name` as a statement names its column, quoted by the backend: a
    statement takes every name from the models' meta, so a misspelt one fails at once
    (FieldDoesNotExist) rather than in one database's SQL (SQLite folds quoted names'
    case, and reads an unknown quoted name as a string)."""
    return connections[using].ops.quote_name(model._meta.get_field(name).column)


def table(using: str, model: type[Model]) -> str:
    """`model`'s table, quoted by the backend."""
    return connections[using].ops.quote_name(model._meta.db_table)


def fetch(using: str, statement: str, params: Mapping[str, Any], fields: Sequence[Field]) -> list[list]:
    """The rows of `statement`, whose first columns are `fields` in order, converted;
    any columns after those come as the database's driver reads them.

    Named parameters: SQLite's cursor turns them into its own with one `%` instead of a
    regular expression over the text, and the statement's meaning does not hang on order.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    key = (using, tuple(fields))
    converters = _CONVERTERS.get(key)
    if converters is None:
        converters = _CONVERTERS[key] = _converters(using, key[1])
    if not converters:
        return [list(row) for row in rows]
    converted = []
    for row in rows:
        values = list(row)
        for index, column, functions in converters:
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        converted.append(values)
    return converted


def _converters(using: str, fields: tuple[Field, ...]) -> list[tuple[int, Any, list]]:
    """What a query set's compiler applies to each column, found once a process (it costs
    more than the query): the backend's and the field's converters, for the fields with any.
    The backend's are read-only functions of the settings (the connection's time zone),
    so a connection of one thread may run those found on another's."""
    connection = connections[using]
    found = []
    for index, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            found.append((index, column, functions))
    return found
