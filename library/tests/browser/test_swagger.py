import pytest
from playwright.sync_api import expect

from accounts import sessions
from authors.tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_swagger_ui_authorizes_with_a_bearer_token_and_lists_authors(
    live_server, page, user, screenshot, only_local_requests
):
    AuthorFactory(owner=user, name="Anna Burns", book="Milkman")
    access = sessions.start_session(user=user).access

    page.goto(f"{live_server.url}/api/docs/")
    for tag in ("auth", "accounts", "authors"):
        expect(page.locator(f"#operations-tag-{tag}")).to_be_visible()
    expect(page.get_by_text("Log in (obtain a token pair)")).to_be_visible()
    expect(page.get_by_text("Refresh (rotate) a token pair")).to_be_visible()
    expect(page.get_by_text("Revoke a token", exact=True)).to_be_visible()
    screenshot("swagger-ui", for_docs=True)

    page.get_by_role("button", name="Authorize").first.click()
    bearer = page.locator(".auth-container", has_text="jwtAuth")
    bearer.locator("#auth-bearer-value").fill(access)
    bearer.get_by_role("button", name="Apply credentials").click()
    expect(bearer.get_by_text("Authorized")).to_be_visible()
    page.get_by_role("button", name="Close").first.click()

    operation = page.locator("#operations-authors-authors_list")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()

    response = operation.locator(".live-responses-table")
    expect(response.locator("tr.response .response-col_status")).to_have_text("200")
    expect(response.locator("tr.response .response-col_description")).to_contain_text("Anna Burns")
    screenshot("swagger-ui-authorized-call")


def test_redoc_renders_from_this_server(live_server, page, screenshot, only_local_requests):
    page.goto(f"{live_server.url}/api/redoc/")

    expect(page.get_by_role("heading", name="Library API").first).to_be_visible()
    screenshot("redoc")
