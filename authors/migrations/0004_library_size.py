"""The per-owner author counter (LibrarySize) and the triggers that alone keep it.

The triggers are created before the backfill: on PostgreSQL CREATE TRIGGER locks
authors_author against writes until this migration commits, so no author can be written
between the count and the first trigger; on SQLite writers are serialised anyway.
A missing counter row means 0, and a row that falls to 0 stays (deleting it would only
make the next insert re-create it). Deletes only decrement, so a user's cascade may
delete the counter row before or after the authors: nothing fails, nothing is left.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import NotSupportedError, migrations, models

SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER authors_author_counted_insert AFTER INSERT ON authors_author
    BEGIN
        INSERT INTO authors_librarysize (owner_id, authors) VALUES (NEW.owner_id, 1)
            ON CONFLICT (owner_id) DO UPDATE SET authors = authors + 1;
    END
    """,
    """
    CREATE TRIGGER authors_author_counted_delete AFTER DELETE ON authors_author
    BEGIN
        UPDATE authors_librarysize SET authors = authors - 1 WHERE owner_id = OLD.owner_id;
    END
    """,
    """
    CREATE TRIGGER authors_author_counted_move AFTER UPDATE OF owner_id ON authors_author
    WHEN OLD.owner_id IS NOT NEW.owner_id
    BEGIN
        UPDATE authors_librarysize SET authors = authors - 1 WHERE owner_id = OLD.owner_id;
        INSERT INTO authors_librarysize (owner_id, authors) VALUES (NEW.owner_id, 1)
            ON CONFLICT (owner_id) DO UPDATE SET authors = authors + 1;
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS authors_author_counted_insert",
    "DROP TRIGGER IF EXISTS authors_author_counted_delete",
    "DROP TRIGGER IF EXISTS authors_author_counted_move",
]

# Statement-level with transition tables: one upsert per owner per statement. Row-level
# triggers updated the same counter row once per author, and PostgreSQL walks every
# version a transaction left of that row on each update: 20,000 rows inserted in one
# statement took 13 s, a DELETE of a large library grew with the square of its size.
# Owners are taken in order, so two statements never lock two counters in opposite
# orders. UPDATE triggers cannot name a column when they see transition tables, so the
# one on UPDATE runs for every UPDATE and counts only the rows whose owner changed.
# TRUNCATE fires no row events: a statement trigger forgets every count with the rows.
POSTGRESQL_TRIGGERS = [
    """
    CREATE FUNCTION authors_library_size_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO authors_librarysize AS size (owner_id, authors)
            SELECT owner_id, COUNT(*) FROM inserted GROUP BY owner_id ORDER BY owner_id
            ON CONFLICT (owner_id) DO UPDATE SET authors = size.authors + EXCLUDED.authors;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION authors_library_size_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE authors_librarysize AS size SET authors = size.authors - gone.authors
            FROM (SELECT owner_id, COUNT(*) AS authors FROM deleted GROUP BY owner_id ORDER BY owner_id) gone
            WHERE size.owner_id = gone.owner_id;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION authors_library_size_move() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH moved AS (
            SELECT before.owner_id AS old_owner, after.owner_id AS new_owner
            FROM before JOIN after ON after.id = before.id
            WHERE after.owner_id <> before.owner_id
        ), change AS (
            SELECT owner_id, SUM(delta) AS delta FROM (
                SELECT old_owner AS owner_id, -1 AS delta FROM moved
                UNION ALL SELECT new_owner, 1 FROM moved
            ) deltas GROUP BY owner_id HAVING SUM(delta) <> 0
        )
        INSERT INTO authors_librarysize AS size (owner_id, authors)
            SELECT owner_id, delta FROM change ORDER BY owner_id
            ON CONFLICT (owner_id) DO UPDATE SET authors = size.authors + EXCLUDED.authors;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION authors_library_size_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM authors_librarysize;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER authors_author_counted_insert AFTER INSERT ON authors_author
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION authors_library_size_insert()
    """,
    """
    CREATE TRIGGER authors_author_counted_delete AFTER DELETE ON authors_author
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION authors_library_size_delete()
    """,
    """
    CREATE TRIGGER authors_author_counted_move AFTER UPDATE ON authors_author
    REFERENCING OLD TABLE AS before NEW TABLE AS after
    FOR EACH STATEMENT EXECUTE FUNCTION authors_library_size_move()
    """,
    """
    CREATE TRIGGER authors_author_counted_truncate AFTER TRUNCATE ON authors_author
    FOR EACH STATEMENT EXECUTE FUNCTION authors_library_size_forget()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS authors_author_counted_insert ON authors_author",
    "DROP TRIGGER IF EXISTS authors_author_counted_delete ON authors_author",
    "DROP TRIGGER IF EXISTS authors_author_counted_move ON authors_author",
    "DROP TRIGGER IF EXISTS authors_author_counted_truncate ON authors_author",
    "DROP FUNCTION IF EXISTS authors_library_size_insert()",
    "DROP FUNCTION IF EXISTS authors_library_size_delete()",
    "DROP FUNCTION IF EXISTS authors_library_size_move()",
    "DROP FUNCTION IF EXISTS authors_library_size_forget()",
]

BACKFILL = (
    "INSERT INTO authors_librarysize (owner_id, authors)"
    " SELECT owner_id, COUNT(*) FROM authors_author GROUP BY owner_id"
)

TRIGGERS = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}
DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}


def _statements(statements: dict, vendor: str) -> list[str]:
    # Another database would have a counter nothing keeps: refuse rather than drift.
    if vendor not in statements:
        raise NotSupportedError(f"The author counter has no triggers for {vendor}.")
    return statements[vendor]


def create_triggers_and_count(apps, schema_editor):
    for statement in [*_statements(TRIGGERS, schema_editor.connection.vendor), BACKFILL]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in _statements(DROP, schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("authors", "0003_author_text_pattern_said_positively"),
    ]

    operations = [
        migrations.CreateModel(
            name="LibrarySize",
            fields=[
                (
                    "owner",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="library_size",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("authors", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_triggers_and_count, drop_triggers),
    ]
