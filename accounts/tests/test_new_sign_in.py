"""A login from a client and address the account has not logged in from for 90 days mails
a "new sign-in" notice, delivered by the worker."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import events, mail, selectors
from accounts.models import OutgoingMail
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import LOGIN, PASSWORD_CHANGE, mails_to

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
HOME, CAFE = "198.51.100.7", "203.0.113.80"
NOTICE = "New sign-in"


def log_in(api_client, user, *, user_agent: str = FIREFOX, ip: str = HOME):
    response = api_client.post(
        LOGIN,
        {"username": user.username, "password": PASSWORD},
        HTTP_USER_AGENT=user_agent,
        REMOTE_ADDR=ip,
    )
    assert response.status_code == 200, response.content
    return response


def days_later(days: int):
    return time_machine.travel(timezone.now() + timedelta(days=days))


@pytest.fixture
def ada(api_client):
    """An account that has logged in once, with Firefox from home."""
    user = UserFactory(username="ada", email="ada@example.com")
    log_in(api_client, user)
    return user


def notices(outbox, user) -> list:
    return mails_to(outbox, user.email, NOTICE)


def test_a_login_from_a_new_address_mails_a_notice(ada, api_client, run_worker, mailoutbox):
    log_in(api_client, ada, ip=CAFE)
    assert mailoutbox == []  # the request only queued it

    run_worker()

    [notice] = notices(mailoutbox, ada)
    assert notice.subject == "Library: New sign-in to your account"
    assert CAFE in notice.body
    assert FIREFOX in notice.body
    assert '"Firefox on Linux"' in notice.body
    assert "had not used for 90 days" in notice.body
    assert "http://127.0.0.1:8000/api/auth/sessions/" in notice.body
    html = notice.alternatives[0].content
    assert 'href="http://127.0.0.1:8000/api/auth/sessions/"' in html
    assert OutgoingMail.objects.get(kind=mail.NEW_SIGN_IN).status == OutgoingMail.Status.SENT


def test_a_login_with_a_new_client_from_a_known_address_mails_a_notice(
    ada, api_client, run_worker, mailoutbox
):
    log_in(api_client, ada, user_agent="curl/8.5.0")

    run_worker()

    [notice] = notices(mailoutbox, ada)
    assert '"curl"' in notice.body


def test_a_known_client_and_address_mail_nothing(ada, api_client, run_worker, mailoutbox):
    with days_later(89):
        log_in(api_client, ada)
        run_worker()

    assert notices(mailoutbox, ada) == []
    assert not DBTaskResult.objects.exists()  # nothing was even queued


def test_a_client_unseen_for_90_days_mails_a_notice_again(ada, api_client, run_worker, mailoutbox):
    with days_later(91):
        log_in(api_client, ada)
        run_worker()

    assert len(notices(mailoutbox, ada)) == 1


def test_every_login_from_a_known_client_counts_as_seen(ada, api_client, run_worker, mailoutbox):
    with days_later(60):
        log_in(api_client, ada)
    with days_later(120):  # 60 days after the last login from it, 120 after the first
        log_in(api_client, ada)
        run_worker()

    assert notices(mailoutbox, ada) == []


def test_a_notice_is_mailed_once_the_new_client_is_known(ada, api_client, run_worker, mailoutbox):
    log_in(api_client, ada, ip=CAFE)
    log_in(api_client, ada, ip=CAFE)

    run_worker()

    assert len(notices(mailoutbox, ada)) == 1


def test_the_first_login_of_an_account_mails_nothing(api_client, run_worker, mailoutbox):
    user = UserFactory()

    log_in(api_client, user)
    run_worker()

    assert notices(mailoutbox, user) == []


def test_a_password_change_is_no_new_sign_in(ada, api_client, run_worker, mailoutbox):
    token = log_in(api_client, ada).json()["access"]

    response = api_client.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password": "a brand new long passphrase"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_USER_AGENT="Another client/1.0",
        REMOTE_ADDR=CAFE,
    )
    run_worker()

    assert response.status_code == 200
    assert notices(mailoutbox, ada) == []
    assert len(mails_to(mailoutbox, ada.email, "Your password was changed")) == 1


def test_the_link_goes_to_the_front_end_when_there_is_one(ada, api_client, run_worker, mailoutbox, settings):
    settings.FRONTEND_URL = "https://app.example.com"

    log_in(api_client, ada, ip=CAFE)
    run_worker()

    [notice] = notices(mailoutbox, ada)
    assert "https://app.example.com/sessions" in notice.body
    assert "/api/auth/sessions/" not in notice.body


def test_an_account_without_an_address_is_not_told(api_client, run_worker, mailoutbox):
    user = UserFactory(email="")
    log_in(api_client, user)

    log_in(api_client, user, ip=CAFE)

    assert not DBTaskResult.objects.exists()


def test_an_account_deleted_before_the_mail_goes_gets_none(ada, api_client, run_worker, mailoutbox):
    log_in(api_client, ada, ip=CAFE)
    ada.delete()

    run_worker()

    assert mailoutbox == []


def test_the_history_compares_a_long_user_agent_as_the_log_stores_it(user):
    long_agent = "Shelf/2.0 " + "x" * 300
    events.record(events.Type.LOGIN_SUCCEEDED, user=user, user_agent=long_agent, ip=HOME)
    since = timezone.now() - timedelta(days=1)

    assert selectors.logged_in_from(user, user_agent=long_agent, ip=HOME, since=since)
    assert not selectors.logged_in_from(user, user_agent=long_agent, ip=CAFE, since=since)
    assert not selectors.logged_in_from(user, user_agent=long_agent[:200], ip=HOME, since=since)


def test_the_history_is_the_users_own_successful_logins(user):
    since = timezone.now() - timedelta(days=1)
    events.record(events.Type.LOGIN_SUCCEEDED, user=UserFactory(), user_agent=FIREFOX, ip=HOME)
    events.record(events.Type.LOGIN_FAILED, user=user, user_agent=FIREFOX, ip=HOME)

    assert not selectors.logged_in_from(user, user_agent=FIREFOX, ip=HOME, since=since)


def test_a_login_without_a_user_agent_matches_one_without_a_user_agent(user):
    since = timezone.now() - timedelta(days=1)
    events.record(events.Type.LOGIN_SUCCEEDED, user=user, user_agent="", ip=HOME)

    assert selectors.logged_in_from(user, user_agent="", ip=HOME, since=since)
    assert not selectors.logged_in_from(user, user_agent=FIREFOX, ip=HOME, since=since)


def test_a_login_without_a_known_address_matches_one_without_an_address(user):
    since = timezone.now() - timedelta(days=1)
    events.record(events.Type.LOGIN_SUCCEEDED, user=user, user_agent=FIREFOX, ip=None)

    assert selectors.logged_in_from(user, user_agent=FIREFOX, ip=None, since=since)
    assert not selectors.logged_in_from(user, user_agent=FIREFOX, ip=HOME, since=since)
