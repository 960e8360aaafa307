"""A username or an email is one identity whatever its case or Unicode form, on every
database, by every path that sets it. (\uff52... are fullwidth letters.)"""

import pytest
from django.db import IntegrityError

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import LOGIN, ME, REGISTER

pytestmark = pytest.mark.django_db


def register(api_client, username: str, email: str):
    return api_client.post(REGISTER, {"username": username, "email": email, "password": PASSWORD})


@pytest.mark.parametrize(
    "first, second",
    [("Ädam", "ädam"), ("ÉLODIE", "élodie"), ("root", "\uff52\uff4f\uff4f\uff54"), ("Straße", "STRASSE")],
)
def test_usernames_that_differ_only_in_case_or_unicode_form_are_taken(api_client, first, second):
    assert register(api_client, first, "one@example.com").status_code == 201

    response = register(api_client, second, "two@example.com")

    assert response.status_code == 400
    assert response.json() == {"username": ["A user with that username already exists."]}
    assert User.objects.count() == 1


def test_emails_that_differ_only_in_case_are_taken_beyond_ascii(api_client):
    # Django's validator takes ASCII local parts only; domains may be international.
    assert register(api_client, "ada", "ada@BÜCHER.example").status_code == 201

    response = register(api_client, "ada2", "ADA@bücher.example")

    assert response.status_code == 400
    assert response.json() == {"email": ["A user with that email already exists."]}


def test_a_fullwidth_username_is_stored_in_its_nfkc_form(api_client):
    register(api_client, "\uff47\uff52\uff41\uff43\uff45", "grace@example.com")

    assert User.objects.get().username == "grace"


def test_renaming_yourself_to_a_lookalike_of_a_taken_name_is_400(user_client):
    UserFactory(username="root")

    response = user_client.patch(ME, {"username": "\uff52\uff4f\uff4f\uff54"})

    assert response.status_code == 400
    assert response.json() == {"username": ["A user with that username already exists."]}


def test_renaming_yourself_stores_the_nfkc_form(user_client, user):
    response = user_client.patch(
        ME, {"username": "\uff4e\uff45\uff57\uff4e\uff41\uff4d\uff45", "email": "New@EXAMPLE.com"}
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.username, user.pending_email) == ("newname", "New@example.com")
    assert response.json()["username"] == "newname"


def test_the_database_refuses_a_lookalike_written_by_plain_orm(user):
    UserFactory(username="Ädam")

    with pytest.raises(IntegrityError):
        User.objects.create(username="ädam", email="other@example.com")


def test_log_in_with_any_case_of_a_non_ascii_username(api_client):
    UserFactory(username="Ädam")

    response = api_client.post(LOGIN, {"username": "äDAM", "password": PASSWORD})

    assert response.status_code == 200


def test_users_without_email_do_not_collide(db):
    UserFactory(email="")
    UserFactory(email="")

    assert User.objects.filter(email_key=None).count() == 2
