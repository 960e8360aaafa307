"""The pages a mailed link opens without a front-end (/accounts/reset/..., /accounts/verify-email/),
through Django's test client; library/tests/browser/test_mailed_links.py drives them in Chromium."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts import tokens
from accounts.tests.factories import PASSWORD
from library.tests.helpers import (
    EMAIL_VERIFY_RESEND,
    ME,
    PASSWORD_RESET,
    form_fields,
    mailed_link,
    mails_to,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "an even longer fresh phrase"


@pytest.fixture
def reset_link(user, run_worker, mailoutbox) -> str:
    APIClient().post(PASSWORD_RESET, {"email": user.email})
    run_worker()
    return mailed_link(mails_to(mailoutbox, user.email, "Set a new password")[0])


@pytest.fixture
def verification_link(user, run_worker, mailoutbox) -> str:
    APIClient().post(EMAIL_VERIFY_RESEND, {"email": user.email})
    run_worker()
    return mailed_link(mails_to(mailoutbox, user.email, "Confirm your email address")[0])


def test_the_reset_page_takes_the_token_out_of_the_address_then_sets_the_password(
    user, user_client, reset_link
):
    browser = Client()

    opened = browser.get(reset_link)
    form = browser.get(opened["Location"])
    done = browser.post(
        opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )

    assert opened.status_code == 302 and opened["Location"].endswith("/set-password/")
    assert form.status_code == 200 and "new_password1" in form_fields(form.content.decode())
    assert "Your password has been set" in done.content.decode()
    assert 'href="/api-auth/login/"' in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user_client.get(ME).status_code == 401  # every earlier session ended
    assert "_password_reset_token" not in browser.session


def test_the_reset_page_refuses_passwords_that_differ_or_are_weak(user, reset_link):
    browser = Client()
    form_url = browser.get(reset_link)["Location"]

    differ = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "!"})
    weak = browser.post(form_url, {"new_password1": "password", "new_password2": "password"})

    assert "The two password fields" in differ.content.decode()
    assert "This password is too common." in weak.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_used_reset_link_opens_a_page_that_says_so(reset_link):
    browser = Client()
    form_url = browser.get(reset_link)["Location"]
    browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    page = Client().get(reset_link)

    assert page.status_code == 200
    assert tokens.INVALID_RESET_LINK in page.content.decode()
    assert "new_password1" not in page.content.decode()


def test_the_reset_form_refuses_a_link_used_in_another_tab_meanwhile(user, reset_link):
    first, second = Client(), Client()
    first_form, second_form = first.get(reset_link)["Location"], second.get(reset_link)["Location"]
    first.post(first_form, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    late = second.post(
        second_form,
        {"new_password1": "yet another fresh phrase", "new_password2": "yet another fresh phrase"},
    )

    assert tokens.INVALID_RESET_LINK in late.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_the_verification_page_asks_for_a_click_before_it_verifies(user, verification_link):
    browser = Client()

    page = browser.get(verification_link)
    user.refresh_from_db()
    unverified_after_get = not user.email_verified
    done = browser.post(verification_link, form_fields(page.content.decode()))

    assert page.status_code == 200 and user.email in page.content.decode()
    assert unverified_after_get  # a mail scanner opening the link confirms nothing
    assert f"Your email address <strong>{user.email}</strong> is confirmed." in done.content.decode()
    user.refresh_from_db()
    assert user.email_verified


def test_a_used_verification_link_says_so(verification_link):
    browser = Client()
    browser.post(verification_link, form_fields(browser.get(verification_link).content.decode()))

    again = Client().get(verification_link)

    assert tokens.INVALID_KEY in again.content.decode()


def test_a_verification_page_without_a_key_says_the_link_is_invalid():
    page = Client().get("/accounts/verify-email/")

    assert page.status_code == 200
    assert tokens.INVALID_KEY in page.content.decode()


def test_the_pages_use_this_servers_assets_and_the_site_name(settings, reset_link):
    settings.SITE_NAME = "Shelf"

    page = Client().get(reset_link, follow=True)

    html = page.content.decode()
    assert "<title>Enter new password | Shelf</title>" in html
    assert "/static/admin/css/base.css" in html and "Django administration" not in html
