"""Hostile input: forged tokens, malformed bodies and query strings. Never a 500."""

import base64
import json
import logging
from datetime import timedelta

import jwt
import pytest
import time_machine
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.utils import timezone

from accounts import keyring, sessions
from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from authors.filters import SEARCH_MAX_LENGTH
from authors.models import Author
from authors.tests.factories import AuthorFactory
from library.tests.helpers import AUTHORS, ME, author_names, client_for, client_with_authorization

pytestmark = pytest.mark.django_db


def b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def assert_401_json(response):
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/json"
    assert {"detail", "code"} <= set(response.json())


def sorted_names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(author_names(response))


# --- tokens --------------------------------------------------------------------------


@pytest.fixture
def claims(user):
    return jwt.decode(sessions.start_session(user=user).access, options={"verify_signature": False})


def test_alg_none_is_401(claims):
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."

    assert_401_json(client_with_authorization(f"Bearer {unsigned}").get(ME))


def test_hs256_signed_with_another_key_is_401(claims):
    forged = jwt.encode(claims, "not-our-secret-key-but-long-enough-for-hs256", algorithm="HS256")

    assert_401_json(client_with_authorization(f"Bearer {forged}").get(ME))


@pytest.mark.filterwarnings("ignore:The HMAC key")
def test_hs512_signed_with_our_key_is_401(claims):
    key = keyring.signing_key()
    other_algorithm = jwt.encode(claims, key.signing, algorithm="HS512", headers={"kid": key.kid})

    assert_401_json(client_with_authorization(f"Bearer {other_algorithm}").get(ME))


def test_tampered_payload_with_the_old_signature_is_401(user, claims):
    victim = UserFactory()
    header, _, signature = sessions.start_session(user=user).access.split(".")
    tampered = f"{header}.{b64(claims | {'user_id': str(victim.pk)})}.{signature}"

    assert_401_json(client_with_authorization(f"Bearer {tampered}").get(ME))


def test_refresh_token_used_as_access_is_401(user):
    pair = sessions.start_session(user=user)

    assert_401_json(client_with_authorization(f"Bearer {pair.refresh}").get(ME))


def test_access_token_used_as_refresh_is_401(user, api_client):
    pair = sessions.start_session(user=user)

    assert_401_json(api_client.post("/api/auth/token/refresh/", {"refresh": pair.access}))


def test_token_of_a_deleted_user_is_401(user):
    pair = sessions.start_session(user=user)
    user.delete()

    assert_401_json(client_with_authorization(f"Bearer {pair.access}").get(ME))


def test_token_of_a_deactivated_user_is_401(user):
    pair = sessions.start_session(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)  # even behind the services' back

    assert_401_json(client_with_authorization(f"Bearer {pair.access}").get(ME))


def test_expired_access_token_is_401(user):
    pair = sessions.start_session(user=user)

    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert_401_json(client_with_authorization(f"Bearer {pair.access}").get(ME))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer garbage",
        "Bearer a.b.c",
        "Bearer a b",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "bearer-lowercase abc",
        "Bearer " + "A" * 10_000,
        "Bearer \u00e9\u00e9.\u00e9.\u00e9",
    ],
    ids=[
        "bare",
        "empty",
        "garbage",
        "dots",
        "three-parts",
        "basic",
        "token",
        "other-scheme",
        "10KB",
        "non-ascii",
    ],
)
def test_malformed_authorization_headers_are_401(db, header):
    assert_401_json(client_with_authorization(header).get(ME))


# --- bodies --------------------------------------------------------------------------

WRITABLE = [
    ("post", "/api/auth/register/"),
    ("post", "/api/auth/token/"),
    ("post", "/api/auth/token/refresh/"),
    ("post", "/api/auth/token/verify/"),
    ("post", "/api/auth/token/revoke/"),
    ("post", "/api/auth/logout/"),
    ("post", "/api/auth/password-reset/"),
    ("post", "/api/auth/password-reset/confirm/"),
    ("post", "/api/auth/email/verify/"),
    ("post", "/api/auth/email/verify/resend/"),
    ("patch", ME),
    ("delete", ME),
    ("post", "/api/accounts/me/password/"),
    ("post", AUTHORS),
]


@pytest.mark.parametrize(("method", "path"), WRITABLE)
@pytest.mark.parametrize(
    "body",
    ["{not json", "[1, 2]", '"a string"', "42", "null", "\xff\xfe"],
    ids=["malformed", "array", "string", "number", "null", "not-utf8"],  # quotes break mutmut's node ids
)
def test_bodies_that_are_not_objects_are_400(user_client, method, path, body):
    response = user_client.generic(
        method.upper(), path, body.encode("latin-1"), content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", None),
        ("name", {"a": 1}),
        ("name", ["x"]),
        ("name", True),
        ("book", None),
        ("country", []),
        ("booker_prize", "perhaps"),
        ("booker_prize", None),
        ("booker_prize", {"a": 1}),
        ("name", "a\x00b"),
        ("name", "bell\x07"),
        ("book", "line\nbreak"),
        ("country", "\x1b[31mred"),
    ],
)
def test_author_fields_of_the_wrong_type_or_with_control_characters_are_400(user_client, field, value):
    body = {"name": "N", "book": "B", "country": "C", field: value}

    response = user_client.post(AUTHORS, body)

    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not Author.objects.exists()


def test_a_number_for_a_text_field_is_read_as_its_text(user_client):
    response = user_client.post(AUTHORS, {"name": 12, "book": "B", "country": "C"})

    assert response.status_code == 201
    assert Author.objects.get().name == "12"


def test_unicode_is_kept_intact(user_client):
    body = {"name": "Gabriel García Márquez 🦋", "book": "Cien años de soledad", "country": "Colombia"}

    response = user_client.post(AUTHORS, body)

    assert response.status_code == 201
    assert Author.objects.get().name == body["name"]


@pytest.mark.parametrize("path", [AUTHORS, "/api/auth/register/", "/api/auth/token/"])
def test_a_5_mb_body_is_refused_with_413(user_client, path):
    big = json.dumps({"name": "x" * 5_000_000, "book": "b", "country": "c"})

    response = user_client.generic("POST", path, big, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {"detail": "Request body is too large.", "code": "payload_too_large"}
    assert not Author.objects.exists()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/auth/register/", {"username": "big", "email": "big@example.com", "password": "p" * 100_000}),
        ("/api/auth/token/", {"username": "big", "password": "p" * 100_000}),
    ],
)
def test_a_100_kb_password_is_refused_without_hashing(api_client, monkeypatch, path, body):
    UserFactory(username="big")
    hashed = []
    monkeypatch.setattr(Argon2PasswordHasher, "encode", lambda *args: hashed.append(1))
    monkeypatch.setattr(Argon2PasswordHasher, "verify", lambda *args: hashed.append(1))

    response = api_client.post(path, body)

    assert response.status_code == 400
    assert "password" in response.json()
    assert hashed == []


PRIVILEGED = {"is_staff": True, "is_superuser": True, "is_active": False, "id": 4242, "owner": "root"}


def test_privilege_fields_are_ignored_on_every_writable_endpoint(user, staff_client, api_client):
    client = client_for(user)
    author = AuthorFactory(owner=user)

    api_client.post(
        "/api/auth/register/", {"username": "n", "email": "n@example.com", "password": PASSWORD} | PRIVILEGED
    )
    client.patch(ME, {"first_name": "Z"} | PRIVILEGED)
    client.post(AUTHORS, {"name": "N", "book": "B", "country": "C"} | PRIVILEGED)
    client.patch(f"{AUTHORS}{author.pk}/", {"name": "M"} | PRIVILEGED)
    client.put(f"{AUTHORS}{author.pk}/", {"name": "M", "book": "B", "country": "C"} | PRIVILEGED)
    staff_client.patch(f"/api/accounts/users/{user.pk}/", {"is_superuser": True, "id": 4242, "username": "x"})

    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.filter(pk=4242).exists() and not Author.objects.filter(pk=4242).exists()
    assert User.objects.filter(is_staff=True).count() == 1  # only the staff fixture
    assert not User.objects.filter(is_active=False).exists()
    assert set(Author.objects.values_list("owner", flat=True)) == {user.pk}


# --- query strings -------------------------------------------------------------------


@pytest.fixture
def library(user):
    AuthorFactory(owner=user, name="100% Pure", country="50%_off")
    AuthorFactory(owner=user, name="O'Brien", country="Ireland")
    AuthorFactory(owner=user, name="Back\\slash", country="Nowhere")
    AuthorFactory(owner=user, name="Plain", country="Plainland")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "%"}, ["100% Pure"]),
        ({"search": "_"}, []),
        ({"search": "O'B"}, ["O'Brien"]),
        ({"search": "'"}, ["100% Pure", "Back\\slash", "O'Brien", "Plain"]),  # DRF: quotes delimit phrases
        ({"search": "\\"}, ["Back\\slash"]),
        ({"search": "' OR 1=1 --"}, []),
        ({"country": "%"}, []),
        ({"country": "50%_OFF"}, ["100% Pure"]),
        ({"country": "_____"}, []),
        ({"country": "' OR ''='"}, []),
    ],
)
def test_sql_and_like_metacharacters_are_matched_literally(user_client, library, query, expected):
    assert sorted_names(user_client.get(AUTHORS, query)) == expected


def test_ordering_never_sorts_by_another_tables_secret(user_client, user):
    AuthorFactory(owner=user, name="Mine A")

    for field in ["owner__password", "-owner__password", "owner__email", "owner", "book", "id; DROP TABLE x"]:
        response = user_client.get(AUTHORS, {"ordering": field})
        assert response.status_code == 400, field
        assert list(response.json()) == ["ordering"]


def test_filters_on_other_tables_are_ignored(staff_client, user):
    AuthorFactory(owner=user)

    response = staff_client.get(AUTHORS, {"owner__password__startswith": "md5", "owner__is_staff": "true"})

    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "status", "count"),
    [
        ({"page_size": 10**9}, 200, 100),
        ({"page_size": -1}, 200, 20),
        ({"page_size": "abc"}, 200, 20),
        ({"page": -1}, 404, None),
        ({"page": "abc"}, 404, None),
        ({"page": 10**20}, 404, None),
        ({"page": "last"}, 200, 10),
    ],
)
def test_page_parameters_out_of_range(user_client, user, query, status, count):
    AuthorFactory.create_batch(110, owner=user)

    response = user_client.get(AUTHORS, query)

    assert response.status_code == status
    if count is None:
        assert response.json() == {"detail": "Invalid page.", "code": "not_found"}
    else:
        assert len(response.json()["results"]) == count


def test_invalid_boolean_filter_is_400(user_client):
    response = user_client.get(AUTHORS, {"booker_prize": "maybe"})

    assert response.status_code == 400
    assert "booker_prize" in response.json()


def test_repeated_parameters_take_the_last_value(user_client, library):
    response = user_client.get(f"{AUTHORS}?country=Ireland&country=Plainland&ordering=name&ordering=-name")

    assert sorted_names(response) == ["Plain"]


# --- user enumeration ----------------------------------------------------------------


def test_login_runs_one_password_hash_whether_or_not_the_account_exists(api_client, settings, monkeypatch):
    settings.PASSWORD_HASHERS = settings.PASSWORD_HASHERS[1:]  # the real Argon2 first
    UserFactory(username="known")
    calls = []
    for name in ("encode", "verify"):
        original = getattr(Argon2PasswordHasher, name)
        monkeypatch.setattr(
            Argon2PasswordHasher,
            name,
            lambda self, *args, _name=name, _original=original: calls.append(_name) or _original(self, *args),
        )

    unknown = api_client.post("/api/auth/token/", {"username": "unknown", "password": "guess"})
    hashes_for_unknown, calls[:] = len(calls), []
    wrong = api_client.post("/api/auth/token/", {"username": "known", "password": "guess"})

    assert (unknown.status_code, unknown.content) == (wrong.status_code, wrong.content)
    assert hashes_for_unknown == len(calls) == 1


@pytest.mark.parametrize("path", ["/api/authors/", "/api/auth/token/", "/api/auth/register/"])
def test_json_nested_2000_deep_is_a_400_parse_error(api_client, user_client, path):
    client = user_client if path == "/api/authors/" else api_client
    deep = "[" * 2000 + "]" * 2000

    response = client.generic("POST", path, deep, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_too_large_body_is_logged_as_a_warning_without_a_traceback(user_client, caplog):
    big = json.dumps({"name": "x" * 5_000_000, "book": "b", "country": "c"})

    response = user_client.generic("POST", AUTHORS, big, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {"detail": "Request body is too large.", "code": "payload_too_large"}
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert warnings and all(record.exc_info is None for record in warnings)


@pytest.mark.parametrize(
    "query, field",
    [
        ({"search": " ".join(f"w{n}" for n in range(1000))}, "search"),
        ({"search": "x" * 100_000}, "search"),
        ({"search": " ".join(["a"] * 11)}, "search"),
        ({"country": "x" * 100_000}, "country"),
        ({"owner": "x" * 100_000}, "owner"),
    ],
)
def test_oversized_search_and_filter_input_is_a_400_on_its_field(user_client, query, field):
    response = user_client.get(AUTHORS, query)

    assert response.status_code == 400
    assert field in response.json()


def test_ten_search_words_still_search(user_client, user):
    AuthorFactory(owner=user, name="Anna Burns", book="Milkman")

    response = user_client.get(AUTHORS, {"search": "anna " * 10})

    assert response.status_code == 200
    assert sorted_names(response) == ["Anna Burns"]


def test_a_search_of_the_longest_length_allowed_still_searches(user_client, user):
    AuthorFactory(owner=user, name="Anna Burns", book="Milkman")
    search = "anna ".ljust(SEARCH_MAX_LENGTH, " ")[:-4] + "anna"

    response = user_client.get(AUTHORS, {"search": search})

    assert len(search) == SEARCH_MAX_LENGTH
    assert response.status_code == 200
    assert sorted_names(response) == ["Anna Burns"]


def test_oversized_bulk_delete_search_deletes_nothing(user_client, user):
    AuthorFactory(owner=user)

    response = user_client.delete(f"{AUTHORS}?search={'x%20' * 1000}")

    assert response.status_code == 400
    assert Author.objects.filter(owner=user).count() == 1
