import pytest
from django.test import Client
from django.utils import timezone

from accounts import mfa, sessions
from accounts.models import TOTPDevice, User
from accounts.tests.factories import UserFactory
from library.tests.helpers import EVENTS, ME, bearer_client

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"


def test_user_page_shows_live_sessions(admin_browser):
    target = UserFactory()
    sessions.start_session(user=target, user_agent="Pixel 9")

    page = admin_browser.get(f"{CHANGELIST}{target.pk}/change/")

    assert page.status_code == 200
    assert "live login sessions" in page.content.decode().lower()
    assert "Pixel 9" in page.content.decode()


def test_the_live_sessions_show_their_names(admin_browser):
    target = UserFactory()
    session = sessions.start_session(user=target, user_agent="curl/8.5.0").session
    sessions.rename(session=session, name="Ada's deploy script")

    page = admin_browser.get(f"{CHANGELIST}{target.pk}/change/").content.decode()

    assert "Ada&#x27;s deploy script" in page


def test_user_search_finds_by_email(admin_browser):
    UserFactory(username="findme", email="needle@example.com")
    UserFactory(username="other")

    page = admin_browser.get(CHANGELIST, {"q": "needle"})

    assert "findme" in page.content.decode()
    assert "other" not in page.content.decode()


def test_revoke_all_tokens_action_cuts_off_the_user(admin_browser):
    target = UserFactory()
    pair = sessions.start_session(user=target)

    admin_browser.post(CHANGELIST, {"action": "revoke_all_tokens", "_selected_action": [target.pk]})

    assert bearer_client(pair.access).get(ME).status_code == 401
    target.refresh_from_db()
    assert target.is_active


@pytest.mark.parametrize("own", [True, False], ids=["own", "another's"])
def test_revoking_all_tokens_in_the_admin_names_the_staff_member_only_for_another_user(admin_browser, own):
    """A user reads "by grace" in their log when staff ended their sessions; staff who
    end their own read it as their own logout."""
    staff = User.objects.get(is_superuser=True)
    target = staff if own else UserFactory()

    admin_browser.post(CHANGELIST, {"action": "revoke_all_tokens", "_selected_action": [target.pk]})

    log = bearer_client(sessions.start_session(user=target).access).get(EVENTS, {"type": "logout_all"})
    assert [event["actor"] for event in log.json()["results"]] == [None if own else staff.username]


def test_deactivate_action_deactivates_and_cuts_off(admin_browser):
    target = UserFactory()
    pair = sessions.start_session(user=target)

    admin_browser.post(CHANGELIST, {"action": "deactivate", "_selected_action": [target.pk]})

    target.refresh_from_db()
    assert not target.is_active
    assert bearer_client(pair.access).get(ME).status_code == 401


def test_deactivate_action_spares_the_acting_admin(admin_browser):
    me = User.objects.get(is_superuser=True)

    admin_browser.post(CHANGELIST, {"action": "deactivate", "_selected_action": [me.pk]})

    me.refresh_from_db()
    assert me.is_active


@pytest.mark.parametrize(
    "path",
    [
        "/admin/token_blacklist/outstandingtoken/",
        "/admin/token_blacklist/blacklistedtoken/",
    ],
)
def test_simplejwt_token_tables_are_in_the_admin(admin_browser, user, path):
    pair = sessions.start_session(user=user)
    sessions.end_all_sessions(user)  # outstanding, then blacklisted

    page = admin_browser.get(path)

    assert page.status_code == 200
    assert pair.session.refresh_jti in page.content.decode()


def test_staff_can_log_in_to_the_admin_with_email(password):
    UserFactory(username="keeper", email="keeper@example.com", is_staff=True)
    browser = Client()

    assert browser.login(username="KEEPER@example.com", password=password)


@pytest.mark.parametrize(("confirmed", "state"), [(True, "on"), (False, "pending")])
def test_deleting_a_user_lists_their_authenticator_and_whether_it_is_on(admin_browser, confirmed, state):
    """The admin's delete confirmation names what goes with the user: staff see whether
    the authenticator they are about to remove was in use."""
    target = UserFactory()
    mfa.begin_setup(target)
    if confirmed:
        TOTPDevice.objects.filter(user=target).update(confirmed_at=timezone.now())

    page = admin_browser.get(f"{CHANGELIST}{target.pk}/delete/").content.decode()

    assert f"TOTP of {target.pk} ({state})" in page
