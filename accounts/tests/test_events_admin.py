"""The security log in the admin: everyone's events, read-only, filtered and searched."""

import pytest

from accounts import events
from accounts.models import SecurityEvent
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EVENTS = "/admin/accounts/securityevent/"


@pytest.fixture
def logged():
    """Two users' events, and a failed login for no account."""
    ada, grace = UserFactory(username="ada"), UserFactory(username="grace")
    events.record(events.Type.LOGIN_SUCCEEDED, user=ada, ip="203.0.113.5", user_agent="Ada's phone")
    events.record(events.Type.ACCOUNT_DEACTIVATED, user=grace, actor=ada, ip="198.51.100.7")
    events.record(events.Type.LOGIN_FAILED, identifier="mallory", ip="192.0.2.66")
    return ada, grace


def rows(page) -> list[SecurityEvent]:
    return list(page.context["cl"].result_list)


def test_the_list_shows_everyones_events_newest_first(admin_browser, logged):
    page = admin_browser.get(EVENTS)

    assert page.status_code == 200
    assert [event.type for event in rows(page)] == ["login_failed", "account_deactivated", "login_succeeded"]
    assert "Ada&#x27;s phone" in page.content.decode()


def test_filter_by_type(admin_browser, logged):
    page = admin_browser.get(EVENTS, {"type__exact": "account_deactivated"})

    assert [(event.user.username, event.actor.username) for event in rows(page)] == [("grace", "ada")]


def test_filter_by_user(admin_browser, logged):
    ada, _ = logged

    page = admin_browser.get(EVENTS, {"user__id__exact": ada.pk})

    assert [event.type for event in rows(page)] == ["login_succeeded"]


def test_filter_by_date(admin_browser, logged):
    today = SecurityEvent.objects.first().created_at

    page = admin_browser.get(EVENTS, {"created_at__year": today.year, "created_at__month": today.month})
    empty = admin_browser.get(EVENTS, {"created_at__year": today.year - 1})

    assert len(rows(page)) == 3
    assert rows(empty) == []


@pytest.mark.parametrize(
    "query, found",
    [("grace", ["account_deactivated"]), ("mallory", ["login_failed"]), ("203.0.113.5", ["login_succeeded"])],
)
def test_search_by_username_identifier_or_address(admin_browser, logged, query, found):
    page = admin_browser.get(EVENTS, {"q": query})

    assert [event.type for event in rows(page)] == found


def test_an_event_cannot_be_added_changed_or_deleted(admin_browser, logged):
    event = SecurityEvent.objects.get(type="login_failed")

    assert admin_browser.get(f"{EVENTS}add/").status_code == 403
    assert admin_browser.post(f"{EVENTS}{event.pk}/change/", {"identifier": "someone"}).status_code == 403
    assert admin_browser.post(f"{EVENTS}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_browser.post(EVENTS, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})

    event.refresh_from_db()
    assert event.identifier == "mallory"
    assert SecurityEvent.objects.count() == 3


def test_an_event_page_shows_every_field_read_only(admin_browser, logged):
    event = SecurityEvent.objects.get(type="account_deactivated")

    page = admin_browser.get(f"{EVENTS}{event.pk}/change/")

    assert page.status_code == 200
    assert "198.51.100.7" in page.content.decode()
    assert page.context["adminform"].form.fields == {}  # nothing editable
