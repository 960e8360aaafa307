"""Login sessions have names: made from the user agent when they start, given by their
owner with PATCH /api/auth/sessions/{id}/."""

import pytest

from accounts import sessions
from accounts.client import UNKNOWN_CLIENT, client_name
from accounts.models import LoginSession
from accounts.tests.factories import UserFactory
from library.tests.helpers import LOGIN, REFRESH, SESSIONS, bearer_client

pytestmark = pytest.mark.django_db

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)


def session_path(session: LoginSession) -> str:
    return f"{SESSIONS}{session.pk}/"


# --- the name a session starts with --------------------------------------------------------


@pytest.mark.parametrize(
    "user_agent, name",
    [
        (FIREFOX_LINUX, "Firefox on Linux"),
        (SAFARI_IPHONE, "Mobile Safari on iOS"),
        (SAFARI_MAC, "Safari on macOS"),
        (CHROME_ANDROID, "Chrome Mobile on Android"),
        (EDGE_WINDOWS, "Edge on Windows"),
        ("curl/8.5.0", "curl"),
        ("python-requests/2.32.3", "Python Requests"),
        ("Shelf/2.0", "Shelf"),  # unknown to the rules: its first word
        ("", UNKNOWN_CLIENT),
        ("   ", UNKNOWN_CLIENT),
        ("((;))", UNKNOWN_CLIENT),
    ],
)
def test_a_name_is_made_from_the_user_agent(user_agent, name):
    assert client_name(user_agent) == name


@pytest.mark.parametrize("user_agent", ["x" * 1000, "\tcurl\x7f/8", "Firefox\x00/1"])
def test_a_made_name_is_always_a_valid_one(user_agent):
    name = client_name(user_agent)

    assert 0 < len(name) <= 100
    assert not any(ord(character) < 32 or ord(character) == 127 for character in name)


def test_a_login_names_its_session_after_the_client(api_client, password):
    user = UserFactory()

    response = api_client.post(
        LOGIN, {"username": user.username, "password": password}, HTTP_USER_AGENT=FIREFOX_LINUX
    )

    assert response.status_code == 200
    assert LoginSession.objects.get(user=user).name == "Firefox on Linux"
    listed = bearer_client(response.json()["access"]).get(SESSIONS).json()["results"]
    assert [row["name"] for row in listed] == ["Firefox on Linux"]


def test_a_client_without_a_user_agent_is_an_unknown_client(user):
    unsaid = sessions.start_session(user=user).session
    empty = sessions.start_session(user=user, user_agent="", ip="203.0.113.9").session

    stored = LoginSession.objects.filter(pk__in=[unsaid.pk, empty.pk]).values_list("user_agent", "name")
    assert list(stored) == [("", UNKNOWN_CLIENT), ("", UNKNOWN_CLIENT)]


# --- renaming -----------------------------------------------------------------------------------


def test_renaming_a_session_answers_it_with_its_new_name(user, user_client):
    phone = sessions.start_session(user=user, user_agent=SAFARI_IPHONE).session

    response = user_client.patch(session_path(phone), {"name": "Ada's phone"})

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["current"]) == (str(phone.pk), "Ada's phone", False)
    assert body["user_agent"] == SAFARI_IPHONE
    phone.refresh_from_db()
    assert phone.name == "Ada's phone"
    listed = {row["id"]: row["name"] for row in user_client.get(SESSIONS).json()["results"]}
    assert listed[str(phone.pk)] == "Ada's phone"


def test_the_current_session_can_be_renamed(user_client):
    response = user_client.patch(session_path(user_client.pair.session), {"name": "  This laptop  "})

    assert response.status_code == 200
    assert response.json()["current"] is True
    assert LoginSession.objects.get(pk=user_client.pair.session.pk).name == "This laptop"


def test_renaming_changes_nothing_else(user, user_client):
    phone = sessions.start_session(user=user, user_agent="curl/8", ip="203.0.113.9").session

    user_client.patch(session_path(phone), {"name": "Script", "user_agent": "forged", "ip": "10.0.0.1"})

    phone.refresh_from_db()
    assert (phone.name, phone.user_agent, phone.ip) == ("Script", "curl/8", "203.0.113.9")


def test_renaming_writes_the_name_only_so_a_refresh_meanwhile_stands(user, api_client):
    pair = sessions.start_session(user=user, user_agent="curl/8")
    read_before = LoginSession.objects.get(pk=pair.session.pk)
    rotated = sessions.rotate(pair.refresh)  # between the rename's read and its write

    sessions.rename(session=read_before, name="Script")

    assert api_client.post(REFRESH, {"refresh": rotated.refresh}).status_code == 200
    assert LoginSession.objects.get(pk=pair.session.pk).name == "Script"


def test_a_patch_without_a_name_keeps_the_name(user_client):
    session = user_client.pair.session

    response = user_client.patch(session_path(session), {})

    assert response.status_code == 200
    assert response.json()["name"] == "pytest"
    assert LoginSession.objects.get(pk=session.pk).name == "pytest"


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "This field may not be blank."),
        ("   ", "This field may not be blank."),
        ("x" * 101, "Ensure this field has no more than 100 characters."),
        ("Ada's\nphone", "Control characters are not allowed."),
        ("Ada's\x1bphone", "Control characters are not allowed."),
        ("Ada's\x7fphone", "Control characters are not allowed."),
        (None, "This field may not be null."),
    ],
)
def test_a_bad_name_is_400_and_keeps_the_old_one(user_client, name, message):
    session = user_client.pair.session

    response = user_client.patch(session_path(session), {"name": name})

    assert response.status_code == 400
    assert response.json() == {"name": [message]}
    assert LoginSession.objects.get(pk=session.pk).name == "pytest"


def test_a_name_of_100_characters_is_taken(user_client):
    response = user_client.patch(session_path(user_client.pair.session), {"name": "é" * 100})

    assert response.status_code == 200
    assert response.json()["name"] == "é" * 100


def test_renaming_another_users_session_is_404(user_client):
    theirs = sessions.start_session(user=UserFactory(), user_agent="curl/8").session

    response = user_client.patch(session_path(theirs), {"name": "Mine now"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert LoginSession.objects.get(pk=theirs.pk).name == "curl"


def test_renaming_an_ended_session_is_404(user, user_client):
    ended = sessions.start_session(user=user, user_agent="curl/8").session
    sessions.end_sessions(LoginSession.objects.filter(pk=ended.pk))

    response = user_client.patch(session_path(ended), {"name": "Gone"})

    assert response.status_code == 404
    assert LoginSession.objects.get(pk=ended.pk).name == "curl"


def test_renaming_needs_authentication(api_client, user_client):
    response = api_client.patch(session_path(user_client.pair.session), {"name": "Anyone's"})

    assert response.status_code == 401
    assert LoginSession.objects.get(pk=user_client.pair.session.pk).name == "pytest"


def test_a_session_cannot_be_replaced_with_put(user_client):
    response = user_client.put(session_path(user_client.pair.session), {"name": "Whole"})

    assert response.status_code == 405
