import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from authors.models import Author

pytestmark = pytest.mark.django_db(transaction=True)


def test_log_in_browse_create_an_author_with_the_form_filter_and_log_out(live_server, page, user, screenshot):
    page.goto(f"{live_server.url}/api-auth/login/?next=/api/")
    page.locator("#id_username").fill(user.email)  # the email works as well as the username
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/api/")
    expect(page.locator(".navbar")).to_contain_text(user.username)
    screenshot("browsable-api-root")

    page.get_by_role("link", name=f"{live_server.url}/api/authors/").click()
    form = page.locator("#post-object-form")
    form.locator("input[name=name]").fill("Bernardine Evaristo")
    form.locator("input[name=book]").fill("Girl, Woman, Other")
    form.locator("input[name=country]").fill("United Kingdom")
    form.locator("input[name=booker_prize]").check()
    form.get_by_role("button", name="POST").click()

    expect(page.locator(".response-info")).to_contain_text("HTTP 201 Created")
    author = Author.objects.get(owner=user)
    assert (author.name, author.booker_prize) == ("Bernardine Evaristo", True)
    screenshot("browsable-api-created", for_docs=True)

    page.goto(f"{live_server.url}/api/authors/")
    page.get_by_role("button", name="Filters").click()
    filters = page.locator("#filtersModal")
    expect(filters).to_contain_text("Ordering")
    for field in ("country", "booker_prize", "search"):
        expect(filters.locator(f"[name={field}]")).to_be_attached()
    screenshot("browsable-api-filters")
    filters.locator("[name=country]").fill("united kingdom")
    filters.locator("form.form button[type=submit]").click()  # Bootstrap leaves the modal aria-hidden
    expect(page).to_have_url(re.compile(r"/api/authors/\?country=united\+kingdom&booker_prize=&"))
    expect(page.locator(".response-info")).to_contain_text("Bernardine Evaristo")

    page.locator(".navbar .dropdown-toggle").click()
    page.get_by_role("link", name="Log out").click()
    expect(page.locator(".navbar")).to_contain_text("Log in")
    page.goto(f"{live_server.url}/api/authors/")
    expect(page.locator(".response-info")).to_contain_text("HTTP 401 Unauthorized")
