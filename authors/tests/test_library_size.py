"""The per-owner author counter (LibrarySize) stays exact whatever path writes authors.

Each write path is followed by `assert_counters_exact`, which compares every counter with
a real count through the ORM, independently of the check command's SQL."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Case, Count, Value, When
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from authors import selectors
from authors.models import Author, LibrarySize
from authors.tests.factories import AuthorFactory
from library.tests.helpers import AUTHORS

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def assert_counters_exact() -> None:
    real = dict(Author.objects.order_by().values_list("owner").annotate(n=Count("id")))
    counted = {owner: n for owner, n in LibrarySize.objects.values_list("owner", "authors") if n != 0}
    assert counted == real


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def other(db):
    return UserFactory(username="other")


# --- the API ---------------------------------------------------------------------------


def test_api_create_counts_the_author(user_client, user, other):
    AuthorFactory(owner=other)

    response = user_client.post(AUTHORS, {"name": "Anna Burns", "book": "Milkman", "country": "UK"})

    assert response.status_code == 201
    assert (selectors.library_size(user), selectors.library_size(other)) == (1, 1)
    assert_counters_exact()


def test_api_create_refused_as_a_duplicate_counts_nothing(user_client, user):
    AuthorFactory(owner=user, name="Anna Burns")

    response = user_client.post(AUTHORS, {"name": "ANNA BURNS", "book": "Milkman", "country": "UK"})

    assert response.status_code == 400
    assert selectors.library_size(user) == 1
    assert_counters_exact()


def test_api_delete_uncounts_the_author(user_client, user):
    first, _ = AuthorFactory.create_batch(2, owner=user)

    assert user_client.delete(f"{AUTHORS}{first.pk}/").status_code == 204

    assert selectors.library_size(user) == 1
    assert_counters_exact()


@pytest.mark.parametrize("query, left", [("?all=true", 0), ("?country=Peru", 1), ("?search=smith", 1)])
def test_api_bulk_delete_uncounts_what_went(user_client, user, other, query, left):
    AuthorFactory(owner=user, name="Ali Smith", country="Peru")
    AuthorFactory(owner=user, name="Zadie Smith", country="Peru")
    AuthorFactory(owner=user, name="Anna Burns", country="Ireland")
    AuthorFactory(owner=other, name="Other Smith", country="Peru")

    assert user_client.delete(f"{AUTHORS}{query}").json() == {"deleted": 3 - left}

    assert (selectors.library_size(user), selectors.library_size(other)) == (left, 1)
    assert_counters_exact()


# --- the import command ------------------------------------------------------------------


def test_import_counts_created_rows_not_skipped_or_rejected(tmp_path, user):
    AuthorFactory(owner=user, name="Already Here")
    path = tmp_path / "a.csv"
    path.write_text("name,book,country\nNew,B,C\nalready here,B,C\n,B,C\nAlso New,B,C\n", encoding="utf-8")

    assert "2 created, 1 skipped, 1 rejected." in run("import_authors", str(path), "--owner", user.username)

    assert selectors.library_size(user) == 3
    assert_counters_exact()


def test_import_rolled_back_counts_nothing(tmp_path, user):
    AuthorFactory(owner=user)
    path = tmp_path / "a.csv"
    path.write_text("name,book,country\nGood,B,C\nAlso Good,B,C\n,B,C\n", encoding="utf-8")

    with pytest.raises(CommandError, match="Nothing imported"):
        run("import_authors", str(path), "--owner", user.username, "--atomic")

    assert selectors.library_size(user) == 1
    assert_counters_exact()


# --- the admin ---------------------------------------------------------------------------


def test_admin_delete_view_uncounts_the_author(admin_browser, user):
    author, _ = AuthorFactory.create_batch(2, owner=user)

    response = admin_browser.post(f"/admin/authors/author/{author.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert selectors.library_size(user) == 1
    assert_counters_exact()


def test_admin_delete_selected_action_uncounts_each_owners_authors(admin_browser, user, other):
    mine = AuthorFactory.create_batch(3, owner=user)
    theirs = AuthorFactory.create_batch(2, owner=other)
    chosen = [mine[0].pk, mine[1].pk, theirs[0].pk]

    response = admin_browser.post(
        "/admin/authors/author/", {"action": "delete_selected", "_selected_action": chosen, "post": "yes"}
    )

    assert response.status_code == 302
    assert not Author.objects.filter(pk__in=chosen).exists()
    assert (selectors.library_size(user), selectors.library_size(other)) == (1, 1)
    assert_counters_exact()


# --- the ORM -----------------------------------------------------------------------------


def test_bulk_create_counts_every_row(user, other):
    Author.objects.bulk_create(
        [*AuthorFactory.build_batch(5, owner=user), *AuthorFactory.build_batch(2, owner=other)]
    )

    assert (selectors.library_size(user), selectors.library_size(other)) == (5, 2)
    assert_counters_exact()


def test_bulk_create_ignoring_conflicts_counts_only_the_rows_inserted(user):
    AuthorFactory(owner=user, name="Taken")

    Author.objects.bulk_create(
        [AuthorFactory.build(owner=user, name="taken"), AuthorFactory.build(owner=user, name="Free")],
        ignore_conflicts=True,
    )

    assert Author.objects.filter(owner=user).count() == 2
    assert selectors.library_size(user) == 2
    assert_counters_exact()


def test_queryset_delete_uncounts_each_owners_rows(user, other):
    AuthorFactory.create_batch(3, owner=user, country="Peru")
    AuthorFactory.create_batch(2, owner=other, country="Peru")
    AuthorFactory(owner=other, country="Chile")

    Author.objects.filter(country="Peru").delete()

    assert (selectors.library_size(user), selectors.library_size(other)) == (0, 1)
    assert_counters_exact()


def test_queryset_update_of_owner_moves_the_count(user, other):
    AuthorFactory.create_batch(3, owner=user)
    AuthorFactory(owner=other)

    Author.objects.filter(owner=user).update(owner=other)

    assert (selectors.library_size(user), selectors.library_size(other)) == (0, 4)
    assert_counters_exact()


def test_one_update_swapping_two_libraries_swaps_their_counts(user, other):
    AuthorFactory.create_batch(2, owner=user)
    AuthorFactory(owner=other)

    Author.objects.update(owner=Case(When(owner=user, then=Value(other.pk)), default=Value(user.pk)))

    assert (selectors.library_size(user), selectors.library_size(other)) == (1, 2)
    assert_counters_exact()


def test_saving_an_author_with_a_new_owner_moves_the_count_to_an_owner_without_a_row(user, other):
    author = AuthorFactory(owner=user)
    assert not LibrarySize.objects.filter(owner=other).exists()

    author.owner = other
    author.save()

    assert (selectors.library_size(user), selectors.library_size(other)) == (0, 1)
    assert_counters_exact()


def test_updates_that_keep_the_owner_change_no_count(user):
    author = AuthorFactory(owner=user)

    author.name = "Renamed"
    author.save()
    Author.objects.filter(owner=user).update(owner=user, country="Peru")

    assert selectors.library_size(user) == 1
    assert_counters_exact()


def test_deleting_the_user_deletes_their_authors_and_counter(user, other):
    AuthorFactory.create_batch(3, owner=user)
    AuthorFactory(owner=other)
    gone = user.pk

    user.delete()
    connection.check_constraints()  # the deferred foreign keys, as a commit would

    assert not LibrarySize.objects.filter(owner_id=gone).exists()
    assert selectors.library_size(other) == 1
    assert_counters_exact()


def test_a_rolled_back_transaction_leaves_the_counts_as_they_were(user):
    AuthorFactory(owner=user)

    with pytest.raises(RuntimeError), transaction.atomic():
        AuthorFactory.create_batch(2, owner=user)
        Author.objects.filter(owner=user).first().delete()
        raise RuntimeError

    assert selectors.library_size(user) == 1
    assert_counters_exact()


def test_two_owners_count_independently(user, other):
    AuthorFactory.create_batch(2, owner=user)
    AuthorFactory.create_batch(5, owner=other)

    Author.objects.filter(owner=other).first().delete()

    assert (selectors.library_size(user), selectors.library_size(other)) == (2, 4)
    assert_counters_exact()


# --- raw SQL -----------------------------------------------------------------------------


def test_raw_sql_insert_and_delete_are_counted(user):
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO authors_author (owner_id, name, book, country, booker_prize, created_at, updated_at)"
            " VALUES (%s, 'Raw One', 'B', 'C', FALSE, %s, %s), (%s, 'Raw Two', 'B', 'C', FALSE, %s, %s)",
            [user.pk, now, now, user.pk, now, now],
        )
    assert selectors.library_size(user) == 2

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM authors_author WHERE name = 'Raw One'")

    assert selectors.library_size(user) == 1
    assert_counters_exact()


@on_postgresql
def test_truncate_forgets_every_count(user, other):
    AuthorFactory(owner=user)
    AuthorFactory(owner=other)
    connection.check_constraints()  # TRUNCATE refuses a table with deferred checks pending

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE authors_author")

    assert (selectors.library_size(user), selectors.library_size(other)) == (0, 0)
    assert not LibrarySize.objects.exists()


# --- the selectors -----------------------------------------------------------------------


def test_library_size_is_zero_without_a_counter_row_in_one_query(user, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert selectors.library_size(user) == 0


def test_library_size_reads_the_counter_in_one_query(user, django_assert_num_queries):
    AuthorFactory.create_batch(3, owner=user)

    with django_assert_num_queries(1):
        assert selectors.library_size(user) == 3


def test_staff_see_every_library_counted_and_users_only_their_own(user, other, staff):
    AuthorFactory.create_batch(2, owner=user)
    AuthorFactory.create_batch(3, owner=other)

    assert selectors.count_authors_visible_to(staff) == 5 == selectors.authors_visible_to(staff).count()
    assert type(selectors.count_authors_visible_to(staff)) is int  # a JSON number, on PostgreSQL too
    assert selectors.count_authors_visible_to(user) == 2 == selectors.authors_visible_to(user).count()


def test_staff_count_is_zero_in_an_empty_library(staff):
    assert selectors.count_authors_visible_to(staff) == 0


# --- manage.py check_author_counts ---------------------------------------------------------


def tamper(owner: User, authors: int) -> None:
    """Write the counter behind the triggers' back, as a bug or a careless hand would."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE authors_librarysize SET authors = %s WHERE owner_id = %s", [authors, owner.pk])


def test_check_says_so_when_every_counter_agrees(user, other):
    AuthorFactory.create_batch(2, owner=user)
    AuthorFactory(owner=other).delete()

    assert "Every library's author counter agrees with a real count." in run("check_author_counts")


def test_check_names_the_owner_whose_counter_differs_and_fails(user, other):
    AuthorFactory.create_batch(2, owner=user)
    AuthorFactory(owner=other)
    tamper(user, 7)

    out = StringIO()
    with pytest.raises(CommandError, match="1 library: the counter differs"):
        call_command("check_author_counts", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[1].split() == [user.username, "7", "2"]
    assert len(lines) == 2


def test_check_finds_a_missing_counter_and_one_left_without_authors(user, other):
    AuthorFactory.create_batch(2, owner=user)
    AuthorFactory(owner=other).delete()
    LibrarySize.objects.filter(owner=user).delete()
    tamper(other, 3)

    assert [(m.username, m.counted, m.actual) for m in selectors.library_size_mismatches()] == sorted(
        [(user.username, 0, 2), (other.username, 3, 0)]
    )
    with pytest.raises(CommandError, match="2 libraries"):
        run("check_author_counts")


def test_check_repair_rewrites_the_counters_from_a_real_count(user, other):
    AuthorFactory.create_batch(2, owner=user)
    AuthorFactory.create_batch(3, owner=other)
    tamper(user, 9)
    LibrarySize.objects.filter(owner=other).delete()

    out = run("check_author_counts", "--repair")

    assert "Repaired 2 libraries; rewrote 2 counters" in out
    assert (selectors.library_size(user), selectors.library_size(other)) == (2, 3)
    assert_counters_exact()
    assert "agrees" in run("check_author_counts")


def test_the_counter_keeps_counting_after_a_repair(user):
    AuthorFactory(owner=user)
    tamper(user, 0)
    run("check_author_counts", "--repair")

    AuthorFactory(owner=user)

    assert selectors.library_size(user) == 2


# --- the migration -----------------------------------------------------------------------

BEFORE_COUNTER = [("authors", "0003_author_text_pattern_said_positively")]


def migrate_to_the_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migration_counts_the_authors_already_there():
    user, other = UserFactory(), UserFactory()
    MigrationExecutor(connection).migrate(BEFORE_COUNTER)
    try:
        old_apps = MigrationExecutor(connection).loader.project_state(BEFORE_COUNTER).apps
        OldAuthor = old_apps.get_model("authors", "Author")
        OldAuthor.objects.bulk_create(
            [OldAuthor(owner_id=user.pk, name=f"A{n}", book="B", country="C") for n in range(3)]
            + [OldAuthor(owner_id=other.pk, name="O", book="B", country="C")]
        )
    finally:
        migrate_to_the_latest()

    assert (selectors.library_size(user), selectors.library_size(other)) == (3, 1)
    assert_counters_exact()
    AuthorFactory(owner=other)
    assert selectors.library_size(other) == 2
