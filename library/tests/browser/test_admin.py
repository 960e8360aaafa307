import pytest
from playwright.sync_api import expect

from accounts import mfa, sessions
from accounts.models import SecurityEvent
from accounts.tests.factories import PASSWORD, UserFactory
from authors.tests.factories import AuthorFactory
from library.tests.helpers import turn_on_totp
from library.tests.servers import call

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_find_a_user_see_sessions_and_authors_and_revoke_their_tokens(live_server, page, screenshot):
    staff = UserFactory(username="keeper", is_staff=True, is_superuser=True)
    reader = UserFactory(username="ada", email="ada@example.com")
    AuthorFactory(owner=reader, name="Hilary Mantel", book="Wolf Hall", booker_prize=True)
    pair = sessions.start_session(user=reader, user_agent="Shelf/2.0 (iPhone)", ip="203.0.113.7")
    assert call(live_server.url, "GET", "/api/accounts/me/", token=pair.access)[0] == 200

    page.goto(f"{live_server.url}/admin/")
    page.locator("#id_username").fill(staff.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Users").first.click()
    page.locator("#searchbar").fill("ada@")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="ada", exact=True).click()
    expect(page.locator("#login_sessions-group")).to_contain_text("Shelf/2.0 (iPhone)")
    expect(page.locator("#login_sessions-group")).to_contain_text("203.0.113.7")
    expect(page.locator("#authors-group input[value='Hilary Mantel']")).to_be_visible()
    screenshot("admin-user", for_docs=True)

    page.go_back()
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("revoke_all_tokens")
    page.locator("button[name=index]").click()  # "Go"
    expect(page.locator(".messagelist")).to_contain_text("Ended 1 login sessions of 1 users.")

    assert call(live_server.url, "GET", "/api/accounts/me/", token=pair.access)[0] == 401
    page.goto(f"{live_server.url}/admin/accounts/user/{reader.pk}/change/")
    expect(page.locator("#login_sessions-group")).not_to_contain_text("Shelf/2.0")


def test_staff_search_and_filter_authors(live_server, page, screenshot):
    staff = UserFactory(username="keeper", is_staff=True, is_superuser=True)
    AuthorFactory(name="Anna Burns", country="United Kingdom", booker_prize=True)
    AuthorFactory(name="Sally Rooney", country="Ireland", booker_prize=False)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/authors/author/")
    page.locator("#id_username").fill(staff.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    filters = page.locator("#changelist-filter")
    for heading in ("By booker prize", "By country", "By owner"):
        expect(filters).to_contain_text(heading)
    for column in ("Name", "Book", "Country", "Booker prize", "Owner", "Created at"):
        expect(page.locator("#result_list thead")).to_contain_text(column)
    screenshot("admin-authors")

    filters.get_by_role("link", name="Ireland").click()
    expect(page.locator("#result_list")).to_contain_text("Sally Rooney")
    expect(page.locator("#result_list")).not_to_contain_text("Anna Burns")
    page.goto(f"{live_server.url}/admin/authors/author/")
    page.locator("#searchbar").fill("burns")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#result_list")).to_contain_text("Anna Burns")
    expect(page.locator("#result_list")).not_to_contain_text("Sally Rooney")


def test_staff_turn_off_a_lost_phones_second_factor(live_server, page, screenshot):
    staff = UserFactory(username="keeper", is_staff=True, is_superuser=True)
    reader = UserFactory(username="ada", email="ada@example.com")
    turn_on_totp(reader)
    pair = sessions.start_session(user=reader, user_agent="Shelf/2.0 (iPhone)")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/accounts/user/")
    page.locator("#id_username").fill(staff.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#result_list thead")).to_contain_text("Second factor")

    page.locator("#searchbar").fill("ada@")
    page.get_by_role("button", name="Search").click()
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("turn_off_second_factor")
    page.locator("button[name=index]").click()  # "Go"
    expect(page.locator(".messagelist")).to_contain_text("Turned off the second factor of 1 users.")
    screenshot("admin-second-factor-off")

    assert not mfa.enabled(reader)
    assert call(live_server.url, "GET", "/api/accounts/me/", token=pair.access)[0] == 401
    event = SecurityEvent.objects.get(user=reader, type="totp_disabled")
    assert event.actor == staff
    status, answer = call(
        live_server.url, "POST", "/api/auth/token/", {"username": "ada", "password": PASSWORD}
    )
    assert status == 200 and "access" in answer
