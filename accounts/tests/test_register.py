import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from library.tests.helpers import REGISTER

pytestmark = pytest.mark.django_db


def payload(**overrides):
    return {
        "username": "newreader",
        "email": "new@example.com",
        "password": "a long and unguessable passphrase",
        **overrides,
    }


def test_register_creates_user_and_answers_public_fields(api_client):
    response = api_client.post(REGISTER, payload(first_name="Ann", last_name="Lee"), format="json")

    assert response.status_code == 201
    assert set(response.json()) == {"id", "username", "email", "date_joined"}
    user = User.objects.get(username="newreader")
    assert (user.email, user.first_name, user.last_name) == ("new@example.com", "Ann", "Lee")
    assert user.check_password("a long and unguessable passphrase")


def test_register_never_returns_the_password_or_its_hash(api_client):
    response = api_client.post(REGISTER, payload(), format="json")

    user = User.objects.get(username="newreader")
    assert "password" not in response.content.decode()
    assert user.password not in response.content.decode()


@pytest.mark.parametrize("field", ["username", "email", "password"])
def test_register_missing_field_is_400_on_that_field(api_client, field):
    body = payload()
    del body[field]

    response = api_client.post(REGISTER, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not User.objects.exists()


def test_register_duplicate_username_any_case_is_400(api_client):
    UserFactory(username="NewReader")

    response = api_client.post(REGISTER, payload(), format="json")

    assert response.status_code == 400
    assert response.json() == {"username": ["A user with that username already exists."]}


def test_register_duplicate_email_any_case_is_400(api_client):
    UserFactory(email="NEW@example.COM")

    response = api_client.post(REGISTER, payload(), format="json")

    assert response.status_code == 400
    assert response.json() == {"email": ["A user with that email already exists."]}


@pytest.mark.parametrize(
    "password",
    ["short", "12345678901234", "password123", "newreader-x"],
    ids=["too-short", "numeric", "common", "like-username"],
)
def test_register_weak_password_is_400(api_client, password):
    response = api_client.post(REGISTER, payload(password=password, username="newreader-x"), format="json")

    assert response.status_code == 400
    assert "password" in response.json()
    assert not User.objects.exists()


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com"])
def test_register_bad_email_is_400(api_client, email):
    response = api_client.post(REGISTER, payload(email=email), format="json")

    assert response.status_code == 400
    assert "email" in response.json()


@pytest.mark.parametrize("username", ["has space", "with@sign", "", "x" * 151])
def test_register_bad_username_is_400(api_client, username):
    response = api_client.post(REGISTER, payload(username=username), format="json")

    assert response.status_code == 400
    assert "username" in response.json()


def test_register_ignores_privilege_fields(api_client):
    body = payload(is_staff=True, is_superuser=True, is_active=False, id=999)

    response = api_client.post(REGISTER, body, format="json")

    assert response.status_code == 201
    user = User.objects.get(username="newreader")
    assert (user.is_staff, user.is_superuser, user.is_active) == (False, False, True)
    assert user.pk != 999


def test_register_hashes_with_argon2(api_client, settings):
    settings.PASSWORD_HASHERS = settings.PASSWORD_HASHERS[1:]  # drop the tests' fast hasher

    api_client.post(REGISTER, payload(), format="json")

    assert User.objects.get(username="newreader").password.startswith("argon2")


@pytest.mark.parametrize(
    ("lookup", "key"), [("users_named", "username_key"), ("users_with_email", "email_key")]
)
def test_identity_lookups_use_the_unique_indexes_on_the_keys(lookup, key):
    from django.db import connection

    from accounts import selectors

    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    sql, params = getattr(selectors, lookup)("Someone@Example.com").query.sql_with_params()
    with connection.cursor() as cursor:
        plan = " ".join(str(row) for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())

    assert "USING INDEX sqlite_autoindex_accounts_user" in plan and f"({key}=?)" in plan
    assert "SCAN" not in plan


@pytest.mark.parametrize(
    ("taken", "field"),
    [({"username": "Racer"}, "username"), ({"email": "racer@example.com"}, "email")],
)
def test_a_registration_that_loses_a_race_names_the_field_it_lost_on(api_client, monkeypatch, taken, field):
    from accounts.serializers import RegisterSerializer

    UserFactory(**{"username": "someone", "email": "someone@example.com", **taken})
    # The early checks ran before the other registration committed.
    monkeypatch.setattr(RegisterSerializer, "validate_username", lambda self, value: value)
    monkeypatch.setattr(RegisterSerializer, "validate_email", lambda self, value: value)

    response = api_client.post(
        REGISTER,
        {
            "username": taken.get("username", "racer"),
            "email": taken.get("email", "new@example.com"),
            "password": "a long and unguessable passphrase",
        },
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert User.objects.count() == 1
