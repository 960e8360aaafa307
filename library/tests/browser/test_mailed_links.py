"""From a mailed link to logging in, in Chromium: the pages this server renders when no
front-end handles the links (accounts/views/pages.py)."""

import re

import pytest
from playwright.sync_api import expect

from accounts import sessions
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import mailed_link, mails_to
from library.tests.servers import call

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "an even longer fresh phrase"


@pytest.fixture
def links_to_this_server(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.FRONTEND_URL = ""


def log_in_with_the_form(page, username: str, password: str) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()


def follow_log_in_and_log_in(page, username: str, password: str) -> None:
    """From a page's "Log in" link to the browsable API, logged in as `username`."""
    page.get_by_role("link", name="Log in").click()
    log_in_with_the_form(page, username, password)
    expect(page.locator(".navbar")).to_contain_text(username)


def test_a_reset_link_opens_a_form_whose_new_password_logs_in(
    live_server, page, screenshot, links_to_this_server, run_worker, mailoutbox
):
    old = sessions.start_session(user=UserFactory(username="ada", email="ada@example.com"))
    assert call(live_server.url, "POST", "/api/auth/password-reset/", {"email": "ada@example.com"})[0] == 202
    run_worker()
    [message] = mails_to(mailoutbox, "ada@example.com", "Set a new password")

    page.goto(mailed_link(message))
    # The token left the address bar.
    expect(page).to_have_url(re.compile(r"/accounts/reset/[\w-]+/set-password/$"))
    expect(page.get_by_role("heading", name="Enter new password")).to_be_visible()
    screenshot("reset-password-form")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change my password").click()

    expect(page.locator("#content")).to_contain_text("Your password has been set.")
    screenshot("reset-password-done")
    follow_log_in_and_log_in(page, "ada", NEW_PASSWORD)
    assert call(live_server.url, "GET", "/api/accounts/me/", token=old.access)[0] == 401

    page.goto(mailed_link(message))  # the link is spent
    expect(page.locator("#content")).to_contain_text("invalid, has expired or was already used")


def test_with_mandatory_verification_the_mailed_link_opens_the_login(
    live_server, page, screenshot, settings, links_to_this_server, run_worker, mailoutbox
):
    settings.EMAIL_VERIFICATION = "mandatory"
    registration = {"username": "grace", "email": "grace@example.com", "password": PASSWORD}
    assert call(live_server.url, "POST", "/api/auth/register/", registration)[0] == 202

    page.goto(f"{live_server.url}/api-auth/login/?next=/api/")
    log_in_with_the_form(page, "grace", PASSWORD)
    expect(page.locator("body")).to_contain_text("Confirm your email address first")

    run_worker()
    [message] = mails_to(mailoutbox, "grace@example.com", "Confirm your email address")
    page.goto(mailed_link(message))
    expect(page.locator("#content")).to_contain_text("Confirm that grace@example.com is your email address.")
    screenshot("verify-email-confirm")
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.locator("#content")).to_contain_text("Your email address grace@example.com is confirmed.")
    screenshot("verify-email-done")
    follow_log_in_and_log_in(page, "grace", PASSWORD)
