"""authors.services under the conditions the API rarely shows: exact import reports, races."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from authors import selectors, services
from authors.models import DUPLICATE_NAME, Author
from authors.tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db


def row(name: str, booker_prize="false", **fields) -> dict:
    return {"name": name, "book": "A book", "country": "Ireland", "booker_prize": booker_prize, **fields}


def test_an_import_reports_exactly_what_it_did(user):
    AuthorFactory(owner=user, name="Here Already")
    rows = [row("One"), row("here already"), row("", book=""), row("Two"), row("ONE")]

    report = services.import_authors(owner=user, rows=rows)

    assert (report.created, report.skipped, report.rolled_back) == (2, 2, False)
    # Each reason names its field, fields apart with "; ".
    assert report.rejected == [(3, "name: This field cannot be blank.; book: This field cannot be blank.")]
    assert Author.objects.filter(owner=user).count() == 3


def test_a_rolled_back_import_reports_nothing_created(user):
    report = services.import_authors(owner=user, rows=[row("One"), row("")], atomic=True)

    assert (report.created, report.rolled_back) == (0, True)
    assert not Author.objects.exists()


@pytest.mark.parametrize("word", [*sorted(services.TRUE_WORDS), "TRUE", " Yes ", True, 1])
def test_every_true_word_imports_as_true(user, word):
    services.import_authors(owner=user, rows=[row("Winner", booker_prize=word)])

    assert Author.objects.get(owner=user).booker_prize is True


@pytest.mark.parametrize("word", [*sorted(services.FALSE_WORDS - {""}), "FALSE", " No ", None, False, 0])
def test_every_false_word_imports_as_false(user, word):
    services.import_authors(owner=user, rows=[row("Nominee", booker_prize=word)])

    assert Author.objects.get(owner=user).booker_prize is False


def test_an_import_that_loses_a_race_for_a_name_skips_the_row_and_goes_on(user, monkeypatch):
    AuthorFactory(owner=user, name="Raced")
    monkeypatch.setattr(selectors, "name_taken", lambda **kwargs: False)  # the check ran before the insert

    report = services.import_authors(owner=user, rows=[row("RACED"), row("After"), row("raced")])

    assert (report.created, report.skipped) == (1, 2)
    assert sorted(Author.objects.values_list("name", flat=True)) == ["After", "Raced"]


def test_an_update_that_loses_a_race_for_a_name_is_a_field_error_and_leaves_the_transaction_usable(user):
    AuthorFactory(owner=user, name="Taken")
    author = AuthorFactory(owner=user, name="Mine")

    with pytest.raises(ValidationError) as refused:
        services.update_author(author=author, name="TAKEN")

    assert refused.value.message_dict == {"name": [DUPLICATE_NAME]}
    # On PostgreSQL a failed statement outside a savepoint would poison what follows.
    assert Author.objects.get(pk=author.pk).name == "Mine"
    assert connection.is_usable()


def test_a_rejected_field_with_two_faults_gives_both_reasons_in_one_sentence(user):
    report = services.import_authors(owner=user, rows=[row("\x07" + "x" * 100)])

    assert report.rejected == [
        (
            1,
            "name: Control characters are not allowed. Ensure this value has at most 100 characters (it has 101).",
        )
    ]
