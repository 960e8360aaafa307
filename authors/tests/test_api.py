"""/api/authors/: a private list per user, filters, ordering and bulk delete."""

import re

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from authors.models import Author
from authors.tests.factories import AuthorFactory
from library.tests.helpers import AUTHORS, author_names, client_for

pytestmark = pytest.mark.django_db


def detail(author) -> str:
    return f"{AUTHORS}{author.pk}/"


# --- list ----------------------------------------------------------------------------


def test_list_shows_only_the_callers_authors(user_client, user):
    mine = AuthorFactory(owner=user, name="Mine")
    AuthorFactory(name="Theirs")

    response = user_client.get(AUTHORS)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    assert body["results"][0] == {
        "id": mine.pk,
        "name": "Mine",
        "book": mine.book,
        "country": mine.country,
        "booker_prize": False,
        "owner": user.username,
        "created_at": mine.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": mine.updated_at.isoformat().replace("+00:00", "Z"),
    }


def test_list_needs_authentication(api_client):
    response = api_client.get(AUTHORS)

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_list_pages_by_20_and_allows_up_to_100(user_client, user):
    AuthorFactory.create_batch(120, owner=user)

    default = user_client.get(AUTHORS).json()
    asked = user_client.get(AUTHORS, {"page_size": 50}).json()
    capped = user_client.get(AUTHORS, {"page_size": 1000}).json()

    assert (default["count"], len(default["results"])) == (120, 20)
    assert default["next"].endswith("page=2") and default["previous"] is None
    assert len(asked["results"]) == 50
    assert len(capped["results"]) == 100


def test_list_pages_do_not_overlap(user_client, user):
    AuthorFactory.create_batch(30, owner=user, country="Same")

    first = author_names(user_client.get(AUTHORS, {"ordering": "country", "page_size": 15}))
    second = author_names(user_client.get(AUTHORS, {"ordering": "country", "page_size": 15, "page": 2}))

    assert len(set(first) | set(second)) == 30


def test_list_filters_country_case_insensitively(user_client, user):
    AuthorFactory(owner=user, name="A", country="Nigeria")
    AuthorFactory(owner=user, name="B", country="Ireland")

    assert author_names(user_client.get(AUTHORS, {"country": "NIGERIA"})) == ["A"]


def test_list_searches_name_or_book_case_insensitively(user_client, user):
    AuthorFactory(owner=user, name="Hilary Mantel", book="Wolf Hall")
    AuthorFactory(owner=user, name="Anna Burns", book="Milkman")
    AuthorFactory(owner=user, name="Ali Smith", book="Autumn")

    assert author_names(user_client.get(AUTHORS, {"search": "mantel"})) == ["Hilary Mantel"]
    assert author_names(user_client.get(AUTHORS, {"search": "MILK"})) == ["Anna Burns"]


@pytest.mark.parametrize("field", ["name", "country", "created_at"])
def test_list_orders_by_each_field_both_ways(user_client, user, field):
    AuthorFactory(owner=user, name="Bravo", country="Chile")
    AuthorFactory(owner=user, name="Alpha", country="Zambia")
    AuthorFactory(owner=user, name="Charlie", country="Austria")
    expected = [a.name for a in Author.objects.order_by(field)]

    assert author_names(user_client.get(AUTHORS, {"ordering": field})) == expected
    assert author_names(user_client.get(AUTHORS, {"ordering": f"-{field}"})) == expected[::-1]


@pytest.mark.parametrize(
    "ordering",
    ["book", "owner__password", "-owner__email", "name,bogus"],
    ids=["book", "owner-password", "owner-email-descending", "name-then-bogus"],
)
def test_list_refuses_ordering_by_fields_not_offered(user_client, ordering):
    response = user_client.get(AUTHORS, {"ordering": ordering})

    assert response.status_code == 400
    assert response.json()["ordering"] == [
        f"Cannot order by {ordering.removeprefix('name,')}; order by name, country or created_at, "
        "with - before it for descending."
    ]


def test_list_takes_several_orderings_and_an_empty_one(user_client, user):
    AuthorFactory(owner=user, name="B", country="Chile")
    AuthorFactory(owner=user, name="A", country="Chile")
    AuthorFactory(owner=user, name="C", country="Austria")

    assert author_names(user_client.get(AUTHORS, {"ordering": "country,-name"})) == ["C", "B", "A"]
    assert author_names(user_client.get(AUTHORS, {"ordering": ""})) == ["C", "A", "B"]


def test_list_names_every_field_it_cannot_order_by(user_client):
    response = user_client.get(AUTHORS, {"ordering": "book,name,-owner"})

    assert response.status_code == 400
    assert response.json()["ordering"] == [
        "Cannot order by book, -owner; order by name, country or created_at, with - before it for descending."
    ]


def test_list_orders_ties_by_age_in_the_sorts_direction(user_client, user):
    # Three authors added in the same instant: only the last sort key tells them apart.
    with time_machine.travel("2026-01-01 12:00Z", tick=False):
        for name in ("First", "Second", "Third"):
            AuthorFactory(owner=user, name=name)

    newest_first = ["Third", "Second", "First"]
    assert author_names(user_client.get(AUTHORS)) == newest_first  # the default: newest first
    assert author_names(user_client.get(AUTHORS, {"ordering": "-created_at"})) == newest_first
    assert author_names(user_client.get(AUTHORS, {"ordering": "created_at"})) == newest_first[::-1]


@pytest.mark.parametrize(
    "spelling, expected",
    [
        ("true", ["Winner"]),
        ("True", ["Winner"]),
        ("1", ["Winner"]),
        ("false", ["Nominee"]),
        ("False", ["Nominee"]),
        ("0", ["Nominee"]),
    ],
)
def test_list_filters_booker_prize_as_clients_spell_booleans(user_client, user, spelling, expected):
    AuthorFactory(owner=user, name="Winner", booker_prize=True)
    AuthorFactory(owner=user, name="Nominee", booker_prize=False)

    assert author_names(user_client.get(AUTHORS, {"booker_prize": spelling})) == expected


@pytest.mark.parametrize("spelling", ["maybe", "TRUE", "yes", "2"])
def test_list_refuses_other_booleans(user_client, spelling):
    response = user_client.get(AUTHORS, {"booker_prize": spelling})

    assert (response.status_code, response.json()) == (
        400,
        {"booker_prize": ["Must be true or false (True/False and 1/0 work too)."]},
    )


def test_browsable_apis_filter_form_offers_booker_prize_as_any_true_or_false(user, user_client):
    AuthorFactory(owner=user, name="Winner", booker_prize=True)
    AuthorFactory(owner=user, name="Nominee", booker_prize=False)
    browser = Client()
    browser.force_login(user)

    page = browser.get(AUTHORS, HTTP_ACCEPT="text/html").content.decode()

    select = re.search(r'<select name="booker_prize".*?</select>', page, re.DOTALL).group()
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    assert options == [("", "any"), ("true", "true"), ("false", "false")]
    # Each choice the form sends is one the API takes.
    filtered = [author_names(user_client.get(AUTHORS, {"booker_prize": value})) for value, _ in options]
    assert filtered == [["Nominee", "Winner"], ["Winner"], ["Nominee"]]


def test_staff_see_everyones_authors_and_filter_by_owner(staff_client):
    alice = UserFactory(username="alice")
    AuthorFactory(owner=alice, name="Alice's")
    AuthorFactory(name="Someone else's")

    assert author_count(staff_client.get(AUTHORS)) == 2
    assert author_names(staff_client.get(AUTHORS, {"owner": "ALICE"})) == ["Alice's"]


def author_count(response) -> int:
    return response.json()["count"]


def test_owner_filter_does_not_reveal_other_libraries(user_client):
    alice = UserFactory(username="alice")
    AuthorFactory(owner=alice)

    assert author_count(user_client.get(AUTHORS, {"owner": "alice"})) == 0


@pytest.mark.parametrize("page_size", [5, 50])
@pytest.mark.parametrize(
    "query",
    [{}, {"country": "chile"}, {"ordering": "name"}, {"search": "book"}],
    ids=["plain", "filtered", "sorted", "searched"],
)
def test_list_query_count_does_not_grow_with_page_size(
    user_client, user, page_size, query, django_assert_max_num_queries
):
    AuthorFactory.create_batch(60, owner=user, country="Chile", book="A book")

    # authenticate (1), count (1), page (1)
    with django_assert_max_num_queries(3):
        response = user_client.get(AUTHORS, {"page_size": page_size, **query})

    assert len(response.json()["results"]) == page_size


def test_staff_list_query_count_does_not_grow_with_owners(staff_client, django_assert_max_num_queries):
    for owner in UserFactory.create_batch(10):
        AuthorFactory.create_batch(3, owner=owner)

    with django_assert_max_num_queries(3):
        staff_client.get(AUTHORS, {"page_size": 30})


# --- create --------------------------------------------------------------------------


def test_create_adds_to_the_callers_library(user_client, user):
    response = user_client.post(
        AUTHORS, {"name": "Anna Burns", "book": "Milkman", "country": "United Kingdom", "booker_prize": True}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["owner"] == user.username
    assert {"id", "created_at", "updated_at"} <= set(body)
    author = Author.objects.get(pk=body["id"])
    assert (author.owner, author.name, author.booker_prize) == (user, "Anna Burns", True)


def test_create_defaults_booker_prize_to_false(user_client):
    response = user_client.post(AUTHORS, {"name": "N", "book": "B", "country": "C"})

    assert response.json()["booker_prize"] is False


def test_create_ignores_read_only_fields(user_client, user):
    other = UserFactory()

    response = user_client.post(
        AUTHORS,
        {
            "name": "N",
            "book": "B",
            "country": "C",
            "owner": other.username,
            "id": 999,
            "created_at": "2000-01-01",
        },
    )

    author = Author.objects.get()
    assert (author.owner, response.json()["owner"]) == (user, user.username)
    assert author.pk != 999 and author.created_at.year != 2000


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("name", "x" * 101),
        ("book", ""),
        ("book", "x" * 201),
        ("country", ""),
        ("country", "x" * 101),
        ("booker_prize", "perhaps"),
    ],
)
def test_create_validates_each_field(user_client, field, value):
    body = {"name": "N", "book": "B", "country": "C", field: value}

    response = user_client.post(AUTHORS, body)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Author.objects.exists()


def test_create_accepts_the_maximum_lengths(user_client):
    response = user_client.post(AUTHORS, {"name": "n" * 100, "book": "b" * 200, "country": "c" * 100})

    assert response.status_code == 201


@pytest.mark.parametrize("field", ["name", "book", "country"])
def test_create_requires_each_text_field(user_client, field):
    body = {"name": "N", "book": "B", "country": "C"}
    del body[field]

    assert user_client.post(AUTHORS, body).json() == {field: ["This field is required."]}


def test_duplicate_name_in_one_library_is_400_on_name(user_client, user):
    AuthorFactory(owner=user, name="Ali Smith")

    response = user_client.post(AUTHORS, {"name": "ALI SMITH", "book": "B", "country": "C"})

    assert response.status_code == 400
    assert response.json() == {"name": ["This name is already in your library."]}
    assert Author.objects.filter(owner=user).count() == 1


def test_an_update_to_a_taken_name_is_told_with_the_other_field_errors(user_client, user):
    """The early check names the clash beside every other field error, in one answer;
    only a race past it falls back to the unique index, after the fields pass."""
    AuthorFactory(owner=user, name="Ali Smith")
    author = AuthorFactory(owner=user, name="Zadie Smith")

    response = user_client.patch(detail(author), {"name": "ali smith", "country": ""})

    assert response.status_code == 400
    assert response.json() == {
        "name": ["This name is already in your library."],
        "country": ["This field may not be blank."],
    }
    author.refresh_from_db()
    assert author.name == "Zadie Smith"


def test_same_name_in_two_libraries_is_fine(user_client):
    AuthorFactory(name="Ali Smith")

    assert user_client.post(AUTHORS, {"name": "Ali Smith", "book": "B", "country": "C"}).status_code == 201


def test_duplicate_name_racing_past_validation_is_still_400(user, monkeypatch):
    from authors.serializers import AuthorSerializer

    AuthorFactory(owner=user, name="Ali Smith")
    monkeypatch.setattr(AuthorSerializer, "validate_name", lambda self, value: value)

    response = client_for(user).post(AUTHORS, {"name": "ali smith", "book": "B", "country": "C"})

    assert response.status_code == 400
    assert response.json() == {"name": ["This name is already in your library."]}


# --- detail --------------------------------------------------------------------------


def test_retrieve_update_and_delete_own_author(user_client, user):
    author = AuthorFactory(owner=user, name="Old")

    assert user_client.get(detail(author)).json()["name"] == "Old"
    assert user_client.patch(detail(author), {"name": "New"}).json()["name"] == "New"
    put = user_client.put(
        detail(author), {"name": "Newer", "book": "B2", "country": "C2", "booker_prize": True}
    )
    assert put.status_code == 200
    author.refresh_from_db()
    assert (author.name, author.book, author.country, author.booker_prize) == ("Newer", "B2", "C2", True)
    assert user_client.delete(detail(author)).status_code == 204
    assert not Author.objects.filter(pk=author.pk).exists()


def test_another_users_author_is_404_for_every_method(user_client):
    theirs = AuthorFactory(name="Theirs")

    answers = [
        user_client.get(detail(theirs)),
        user_client.patch(detail(theirs), {"name": "Mine now"}),
        user_client.put(detail(theirs), {"name": "Mine now", "book": "B", "country": "C"}),
        user_client.delete(detail(theirs)),
    ]

    assert [a.status_code for a in answers] == [404] * 4
    assert all(
        a.json() == {"detail": "No Author matches the given query.", "code": "not_found"} for a in answers
    )
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_rename_onto_an_existing_name_is_400(user_client, user):
    AuthorFactory(owner=user, name="Taken")
    author = AuthorFactory(owner=user, name="Free")

    response = user_client.patch(detail(author), {"name": "taken"})

    assert response.status_code == 400
    assert "name" in response.json()


def test_renaming_to_a_new_case_of_its_own_name_is_fine(user_client, user):
    author = AuthorFactory(owner=user, name="ali smith")

    assert user_client.patch(detail(author), {"name": "Ali Smith"}).status_code == 200


def test_patch_cannot_move_an_author_to_another_owner(user_client, user):
    author = AuthorFactory(owner=user)
    other = UserFactory()

    user_client.patch(detail(author), {"owner": other.username})

    author.refresh_from_db()
    assert author.owner == user


# --- bulk delete ---------------------------------------------------------------------


def test_bulk_delete_respects_filters(user_client, user):
    AuthorFactory(owner=user, name="Irish winner", country="Ireland", booker_prize=True)
    AuthorFactory(owner=user, name="Irish nominee", country="Ireland", booker_prize=False)
    AuthorFactory(owner=user, name="Indian winner", country="India", booker_prize=True)

    response = user_client.delete(f"{AUTHORS}?country=ireland&booker_prize=true")

    assert response.status_code == 200
    assert response.json() == {"deleted": 1}
    assert sorted(Author.objects.values_list("name", flat=True)) == ["Indian winner", "Irish nominee"]


def test_bulk_delete_respects_search(user_client, user):
    AuthorFactory(owner=user, name="Ali Smith")
    AuthorFactory(owner=user, name="Zadie Smith")
    AuthorFactory(owner=user, name="Anna Burns")

    assert user_client.delete(f"{AUTHORS}?search=smith").json() == {"deleted": 2}
    assert list(Author.objects.values_list("name", flat=True)) == ["Anna Burns"]


def test_bulk_delete_with_all_true_empties_only_the_callers_library(user_client, user):
    AuthorFactory.create_batch(3, owner=user)
    survivor = AuthorFactory()

    assert user_client.delete(f"{AUTHORS}?all=true").json() == {"deleted": 3}
    assert list(Author.objects.all()) == [survivor]


def test_staff_bulk_delete_touches_only_their_own(staff_client, staff):
    AuthorFactory(owner=staff)
    AuthorFactory.create_batch(2)

    assert staff_client.delete(f"{AUTHORS}?all=true").json() == {"deleted": 1}
    assert Author.objects.count() == 2


@pytest.mark.parametrize(
    "query, field",
    [
        ("", "non_field_errors"),
        ("?countyr=Peru", "countyr"),
        ("?country=", "country"),
        ("?booker_prize=", "booker_prize"),
        ("?search=", "search"),
        ("?page=2", "page"),
        ("?owner=someone", "owner"),
        ("?all=true&country=Peru", "non_field_errors"),
        ("?all=false", "non_field_errors"),
        ("?all=maybe", "all"),
    ],
)
def test_bulk_delete_refuses_a_query_that_could_be_a_typo(user_client, user, query, field):
    AuthorFactory.create_batch(3, owner=user, country="Peru")

    response = user_client.delete(f"{AUTHORS}{query}")

    assert response.status_code == 400
    assert field in response.json()
    assert Author.objects.filter(owner=user).count() == 3


def test_bulk_delete_needs_authentication(api_client):
    AuthorFactory()

    assert api_client.delete(AUTHORS).status_code == 401
    assert Author.objects.count() == 1


# --- the account's authors go with it ------------------------------------------------


def test_deleting_an_account_deletes_its_authors(user):
    AuthorFactory.create_batch(3, owner=user)
    survivor = AuthorFactory()

    response = client_for(user).delete("/api/accounts/me/", {"password": PASSWORD})

    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert list(Author.objects.all()) == [survivor]


def test_staff_deleting_a_user_deletes_their_authors(staff_client):
    target = AuthorFactory().owner

    staff_client.delete(f"/api/accounts/users/{target.pk}/")

    assert not Author.objects.exists()


# --- pagination at scale -------------------------------------------------------------


@pytest.mark.parametrize("ordering", [None, "name", "-country"])
def test_every_page_holds_what_an_offset_would_give(user_client, user, ordering):
    for n in range(47):
        AuthorFactory(owner=user, name=f"N{n % 13:02d}-{n}", country=f"C{n % 5}")
    query = {"page_size": 10, **({"ordering": ordering} if ordering else {})}
    expected = author_names(user_client.get(AUTHORS, {**query, "page_size": 100}))

    pages = [author_names(user_client.get(AUTHORS, {**query, "page": page})) for page in range(1, 6)]

    assert [name for page in pages for name in page] == expected
    assert [len(page) for page in pages] == [10, 10, 10, 10, 7]


def test_the_last_page_is_read_from_the_end_without_a_large_offset(user_client, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    AuthorFactory.create_batch(95, owner=user)

    with CaptureQueriesContext(connection) as queries:
        response = user_client.get(AUTHORS, {"page": 5})

    assert len(response.json()["results"]) == 15
    page_sql = queries.captured_queries[-1]["sql"]
    assert "OFFSET 80" not in page_sql and "LIMIT 15" in page_sql


def test_the_fast_representation_matches_drfs_own(user):
    from rest_framework import serializers

    from authors.serializers import AuthorSerializer

    author = AuthorFactory(owner=user, name="Zoë", booker_prize=True)
    serializer = AuthorSerializer()

    assert serializer.to_representation(author) == serializers.ModelSerializer.to_representation(
        serializer, author
    )
    assert list(serializer.to_representation(author)) == AuthorSerializer.Meta.fields


def test_the_duplicate_name_check_uses_the_unique_index(user):
    from django.db import connection

    from authors.selectors import authors_named

    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    sql, params = authors_named(owner=user, name="Ali Smith").query.sql_with_params()
    with connection.cursor() as cursor:
        plan = " ".join(str(row) for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())

    assert "authors_author_owner_name_ci_unique" in plan


def test_a_country_filters_count_uses_the_owner_country_index(user):
    from django.db import connection
    from rest_framework.test import APIRequestFactory

    from authors.filters import AuthorFilter
    from authors.selectors import authors_owned_by

    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    filtered = AuthorFilter(
        {"country": "IRELAND"}, authors_owned_by(user), request=APIRequestFactory().get("/")
    ).qs
    sql, params = filtered.order_by().query.sql_with_params()  # what count() runs, unordered
    with connection.cursor() as cursor:
        plan = " ".join(str(row) for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())

    assert "authors_owner_country_idx" in plan


@pytest.mark.parametrize("excluding", [False, True])
def test_the_early_duplicate_check_uses_the_unique_index(user, excluding):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from authors.selectors import name_taken

    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    author = AuthorFactory(owner=user, name="Ali Smith")
    with CaptureQueriesContext(connection) as queries:
        taken = name_taken(owner=user, name="ALI SMITH", excluding=author if excluding else None)
    with connection.cursor() as cursor:
        plan = " ".join(
            str(row) for row in cursor.execute(f"EXPLAIN QUERY PLAN {queries[0]['sql']}").fetchall()
        )

    assert taken is not excluding
    assert "authors_author_owner_name_ci_unique" in plan


def test_names_match_in_any_case(user):
    from authors.selectors import authors_named

    AuthorFactory(owner=user, name="Ali Smith")

    assert authors_named(owner=user, name="ALI SMITH").count() == 1
    assert authors_named(owner=user, name="Ali Smit").count() == 0
    assert authors_named(owner=UserFactory(), name="Ali Smith").count() == 0


def test_the_browsable_apis_delete_button_on_the_list_deletes_nothing(user):
    AuthorFactory.create_batch(2, owner=user)
    browser = Client()
    browser.force_login(user)

    response = browser.delete(AUTHORS, HTTP_ACCEPT="text/html")

    assert response.status_code == 400
    assert Author.objects.filter(owner=user).count() == 2
