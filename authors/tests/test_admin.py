import pytest

from authors.tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db


def test_author_changelist_searches_and_filters(admin_browser):
    AuthorFactory(name="Anna Burns", country="United Kingdom", booker_prize=True)
    AuthorFactory(name="Sally Rooney", country="Ireland")

    searched = admin_browser.get("/admin/authors/author/", {"q": "burns"}).content.decode()
    filtered = admin_browser.get("/admin/authors/author/", {"booker_prize__exact": "0"}).content.decode()

    assert "Anna Burns" in searched and "Sally Rooney" not in searched
    assert "Sally Rooney" in filtered and "Anna Burns" not in filtered


def test_user_page_shows_their_authors(admin_browser):
    author = AuthorFactory(name="Ben Okri")

    page = admin_browser.get(f"/admin/accounts/user/{author.owner.pk}/change/")

    assert page.status_code == 200
    assert "Ben Okri" in page.content.decode()
