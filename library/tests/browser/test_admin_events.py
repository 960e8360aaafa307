import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.servers import call

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_read_the_security_log_by_type_user_and_search(live_server, page, screenshot):
    staff = UserFactory(username="keeper", is_staff=True, is_superuser=True)
    ada = UserFactory(username="ada", email="ada@example.com")
    UserFactory(username="grace")
    for name in ("ADA", "grace"):
        assert (
            call(live_server.url, "POST", "/api/auth/token/", {"username": name, "password": "guess"})[0]
            == 401
        )
    assert (
        call(live_server.url, "POST", "/api/auth/token/", {"username": "ada", "password": PASSWORD})[0] == 200
    )

    page.goto(f"{live_server.url}/admin/login/?next=/admin/accounts/securityevent/")
    page.locator("#id_username").fill(staff.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(page.get_by_role("link", name="Add security event")).to_have_count(0)
    filters = page.locator("#changelist-filter")
    for heading in ("By type", "By user", "By created at"):
        expect(filters).to_contain_text(heading)
    screenshot("admin-security-log")

    filters.get_by_role("link", name="Login failed").click()
    expect(rows).to_have_count(2)
    filters.get_by_role("link", name="ada", exact=True).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ADA")
    expect(rows.first).to_contain_text("127.0.0.1")

    page.goto(f"{live_server.url}/admin/accounts/securityevent/")
    page.locator("#searchbar").fill("grace")
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Login failed")

    rows.first.locator("a").first.click()
    expect(page.locator("#content")).to_contain_text("grace")
    expect(page.locator("input[name=_save]")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    assert ada.security_events.count() == 2
