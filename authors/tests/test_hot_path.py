"""The plain list and one author by id take a short path (authors/views.py): rows from
one statement each, the library's size from its counter. Its answers must be DRF's
generic ones, to the byte, on the same rows."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework import serializers, viewsets

from authors.models import Author
from authors.serializers import AuthorSerializer
from authors.tests.factories import AuthorFactory
from authors.views import AuthorViewSet
from library.tests.helpers import AUTHORS

pytestmark = pytest.mark.django_db

# Pages from the front and from the back half (read from the end), sizes, the
# keyword "last", and the numbers DRF refuses.
QUERIES = [
    "",
    "?page=1",
    "?page=2",
    "?page=3",
    "?page_size=7&page=2",
    "?page_size=7&page=6",
    "?page_size=7&page=7",
    "?page=last",
    "?page_size=100",
    "?page_size=1000",
    "?page_size=0",
    "?page_size=x",
    "?page=4",
    "?page=0",
    "?page=x",
]


ARABIC_INDIC_NINES = "\u0669" * 15


@pytest.fixture
def library(user):
    """45 authors of `user` with the values that could tell the paths apart: text beyond
    ASCII, the two separators JSON in JavaScript must escape, both prizes, timestamps with
    and without microseconds, ties on the sort key; and another user's authors."""
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    for n in range(45):
        AuthorFactory(
            owner=user,
            name=f"Zoë {n} \u2028 {n % 3}",
            book=f"Book \u2029 {n} «ÿ»",
            country=["Nigeria", "日本", "United Kingdom"][n % 3],
            booker_prize=n % 2 == 0,
            created_at=start + timedelta(minutes=n // 2, microseconds=(n % 4) * 250_000),
        )
    AuthorFactory.create_batch(3)
    return user


@pytest.fixture
def generic(monkeypatch):
    """Switch the view to DRF's generic list and retrieve."""

    def use_generic():
        monkeypatch.setattr(AuthorViewSet, "list", viewsets.ModelViewSet.list)
        monkeypatch.setattr(AuthorViewSet, "retrieve", viewsets.ModelViewSet.retrieve)

    return use_generic


def answers(client, urls) -> list[tuple[int, str, bytes]]:
    return [(r.status_code, r["Content-Type"], r.content) for r in (client.get(url) for url in urls)]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/St_Johns"])
def test_the_plain_list_answers_as_drfs_generic_list_to_the_byte(
    user_client, library, generic, settings, zone
):
    settings.TIME_ZONE = zone
    urls = [AUTHORS + query for query in QUERIES]
    fast = answers(user_client, urls)

    generic()

    assert answers(user_client, urls) == fast
    assert [status for status, *_ in fast].count(200) == 12  # the three refusals are compared too


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/St_Johns"])
def test_the_representation_both_paths_share_is_drfs_own(library, settings, zone):
    settings.TIME_ZONE = zone
    serializer = AuthorSerializer()

    for author in Author.objects.select_related("owner"):
        assert serializer.to_representation(author) == serializers.ModelSerializer.to_representation(
            serializer, author
        )


def test_one_author_answers_as_drfs_generic_retrieve_to_the_byte(user_client, library, generic):
    own = Author.objects.filter(owner=library).order_by("pk")
    other = Author.objects.exclude(owner=library).first()
    urls = [f"{AUTHORS}{author.pk}/" for author in own] + [
        f"{AUTHORS}{other.pk}/",
        f"{AUTHORS}999999/",
        f"{AUTHORS}{own[0].pk}/?country=Atlantis",
        f"{AUTHORS}abc/",
        f"{AUTHORS}{'9' * 30}/",  # beyond a 64-bit id
        f"{AUTHORS}\u00b2/",  # a digit to str.isdigit, not to int()
        f"{AUTHORS}{ARABIC_INDIC_NINES}/",  # digits int() reads
        f"{AUTHORS}00{own[0].pk}/",
    ]
    fast = answers(user_client, urls)

    generic()

    assert answers(user_client, urls) == fast
    assert [status for status, *_ in fast] == [200] * 45 + [404] * 7 + [200]


def test_an_empty_library_answers_alike(user_client, user, generic):
    fast = answers(user_client, [AUTHORS, AUTHORS + "?page=2"])

    generic()

    assert answers(user_client, [AUTHORS, AUTHORS + "?page=2"]) == fast
    assert fast[0][2] == b'{"count":0,"next":null,"previous":null,"results":[]}'


def test_staff_and_filtered_lists_still_take_the_generic_path(staff_client, staff, user):
    AuthorFactory(owner=user, name="Theirs")
    AuthorFactory(owner=staff, name="Mine")

    assert {a["name"] for a in staff_client.get(AUTHORS).json()["results"]} == {"Theirs", "Mine"}
    assert [a["name"] for a in staff_client.get(f"{AUTHORS}?search=Theirs").json()["results"]] == ["Theirs"]


def test_the_plain_list_and_one_author_cost_a_fixed_number_of_queries(
    user_client, user, django_assert_num_queries
):
    AuthorFactory.create_batch(30, owner=user)
    author = Author.objects.filter(owner=user).first()

    # authenticate (1), the library's size (1), the page (1)
    with django_assert_num_queries(3):
        user_client.get(AUTHORS, {"page": 2, "page_size": 10})
    # authenticate (1), the author (1)
    with django_assert_num_queries(2):
        user_client.get(f"{AUTHORS}{author.pk}/")


def test_the_serializer_fields_built_once_are_modelserializers_own():
    built_now = serializers.ModelSerializer.get_fields(AuthorSerializer())
    first, second = AuthorSerializer().fields, AuthorSerializer().fields

    assert repr(dict(first)) == repr(built_now) == repr(dict(second))
    first["name"].required = False  # one serializer's fields are its own
    assert AuthorSerializer().fields["name"].required is True
