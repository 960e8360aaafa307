import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import UserFactory
from authors.management.commands.seed_demo import DEMO_AUTHORS, DEMO_USERNAME
from authors.models import Author
from authors.tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_csv_creates_skips_and_rejects_with_reasons(tmp_path, owner):
    AuthorFactory(owner=owner, name="Already Here")
    path = write(
        tmp_path,
        "authors.csv",
        "name,book,country,booker_prize\n"
        "Anna Burns,Milkman,United Kingdom,true\n"
        "already here,Other,Ireland,no\n"
        ",No Name,Ireland,false\n"
        "Ali Smith,Autumn,United Kingdom,perhaps\n"
        "ANNA BURNS,Duplicate in file,UK,false\n",
    )

    out, err = run("import_authors", path, "--owner", "OWNER")

    assert "1 created, 2 skipped, 2 rejected." in out
    assert "Row 3 rejected: name:" in err
    assert "Row 4 rejected: booker_prize:" in err
    anna = Author.objects.get(owner=owner, name="Anna Burns")
    assert (anna.book, anna.booker_prize) == ("Milkman", True)
    assert Author.objects.filter(owner=owner).count() == 2


def test_import_json_applies_the_apis_length_rules(tmp_path, owner):
    rows = [{"name": "x" * 101, "book": "B", "country": "C"}, {"name": "Fine", "book": "B", "country": "C"}]
    path = write(tmp_path, "authors.json", json.dumps(rows))

    out, err = run("import_authors", path, "--owner", "owner")

    assert "1 created, 0 skipped, 1 rejected." in out
    assert "at most 100 characters" in err


def test_import_atomic_imports_nothing_when_a_row_is_rejected(tmp_path, owner):
    path = write(tmp_path, "a.csv", "name,book,country\nGood,B,C\n,B,C\n")

    with pytest.raises(CommandError, match="Nothing imported"):
        run("import_authors", path, "--owner", "owner", "--atomic")

    assert not Author.objects.exists()


def test_import_atomic_imports_everything_when_all_rows_are_valid(tmp_path, owner):
    path = write(tmp_path, "a.csv", "name,book,country\nGood,B,C\nAlso Good,B,C\n")

    out, _ = run("import_authors", path, "--owner", "owner", "--atomic")

    assert "2 created" in out
    assert Author.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.json", "{not json", "not valid JSON"),
        ("obj.json", '{"name": "x"}', "a list of objects"),
        ("noheader.csv", "who,what\nx,y\n", "lacks: book, country, name"),
        ("authors.txt", "", "--format"),
    ],
    ids=["malformed-json", "json-object", "csv-without-header", "unknown-format"],
)
def test_import_refuses_unreadable_files(tmp_path, owner, name, text, message):
    path = write(tmp_path, name, text)

    with pytest.raises(CommandError, match=message):
        run("import_authors", path, "--owner", "owner")


def test_import_rejects_non_object_json_rows(tmp_path, owner):
    path = write(tmp_path, "a.json", '["just a string", {"name": "N", "book": "B", "country": "C"}]')

    out, err = run("import_authors", path, "--owner", "owner")

    assert "1 created, 0 skipped, 1 rejected." in out
    assert "Row 1 rejected: A row must be an object with name, book, country, booker_prize." in err


def test_import_and_export_need_a_known_owner(tmp_path):
    path = write(tmp_path, "a.csv", "name,book,country\nN,B,C\n")

    with pytest.raises(CommandError, match="No user named"):
        run("import_authors", path, "--owner", "ghost")
    with pytest.raises(CommandError, match="No user named"):
        run("export_authors", "--owner", "ghost")


def test_import_of_a_missing_file_is_a_clear_error(owner):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_authors", "/nonexistent/a.csv", "--owner", "owner")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_round_trips(tmp_path, owner, fmt):
    AuthorFactory(owner=owner, name="Zadie Smith", book="On Beauty, a novel", booker_prize=False)
    AuthorFactory(owner=owner, name="Ben Okri", book='The "Famished" Road', booker_prize=True)
    AuthorFactory(name="Not mine")
    path = str(tmp_path / f"out.{fmt}")

    out, _ = run("export_authors", "--owner", "owner", "--output", path)
    newcomer = UserFactory(username="newcomer")
    run("import_authors", path, "--owner", "newcomer")

    assert "Exported 2 authors" in out
    fields = ("name", "book", "country", "booker_prize")
    assert sorted(Author.objects.filter(owner=newcomer).values_list(*fields)) == sorted(
        Author.objects.filter(owner=owner).values_list(*fields)
    )


def test_export_json_to_stdout(owner):
    AuthorFactory(owner=owner, name="Anna Burns", book="Milkman", country="UK", booker_prize=True)

    out, _ = run("export_authors", "--owner", "owner", "--format", "json")

    assert json.loads(out) == [
        {"name": "Anna Burns", "book": "Milkman", "country": "UK", "booker_prize": True}
    ]


def test_export_of_an_empty_library_is_valid(owner):
    out, _ = run("export_authors", "--owner", "owner", "--format", "json")

    assert json.loads(out) == []


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True

    first, _ = run("seed_demo")
    second, _ = run("seed_demo")

    assert f"{len(DEMO_AUTHORS)} authors added" in first
    assert "0 authors added" in second
    assert Author.objects.filter(owner__username=DEMO_USERNAME).count() == len(DEMO_AUTHORS)


def test_seed_demo_refuses_production(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        run("seed_demo")


def test_import_draws_a_progress_bar_on_a_terminal(tmp_path, owner, terminal_stderr):
    path = write(tmp_path, "a.csv", "name,book,country\nA,B,C\nD,E,F\n")

    run("import_authors", path, "--owner", "owner")

    assert "Importing: 100%" in terminal_stderr.getvalue()
    assert "2/2" in terminal_stderr.getvalue()


def test_import_writes_no_bar_when_not_on_a_terminal(tmp_path, owner, capsys):
    path = write(tmp_path, "a.csv", "name,book,country\nA,B,C\n")

    run("import_authors", path, "--owner", "owner")

    assert "Importing" not in capsys.readouterr().err


def test_export_to_a_file_draws_a_progress_bar_on_a_terminal(tmp_path, owner, terminal_stderr):
    AuthorFactory.create_batch(3, owner=owner)

    out, _ = run("export_authors", "--owner", "owner", "-o", str(tmp_path / "out.json"))

    assert "Exporting: 100%" in terminal_stderr.getvalue()
    assert "Exported 3 authors" in out
