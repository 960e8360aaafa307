"""Email verification: keys by mail, EMAIL_VERIFICATION's three modes, and a change of
address that waits for its confirmation."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import tokens, verification
from accounts.models import EMAIL_TAKEN, LoginSession, User
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import (
    EMAIL_VERIFY,
    EMAIL_VERIFY_RESEND,
    LOGIN,
    ME,
    PASSWORD_CHANGE,
    REGISTER,
    mails_to,
    verification_key,
)

pytestmark = pytest.mark.django_db

NEW = {"username": "grace", "email": "grace@example.com", "password": PASSWORD}
CONFIRM_SUBJECT = "Confirm your email address"


def key_mailed_to(outbox, address: str) -> str:
    [message] = mails_to(outbox, address, CONFIRM_SUBJECT)
    return verification_key(message)


def verify(key: str):
    return APIClient().post(EMAIL_VERIFY, {"key": key})


# --- registration and EMAIL_VERIFICATION ------------------------------------------------------


def test_registration_mails_a_key_that_verifies_the_address(api_client, run_worker, mailoutbox):
    registered = api_client.post(REGISTER, NEW, HTTP_USER_AGENT="Shelf/2.0", REMOTE_ADDR="203.0.113.7")
    run_worker()

    [message] = mails_to(mailoutbox, NEW["email"])
    assert "From the address: 203.0.113.7\nWith: Shelf/2.0\n" in message.body  # who registered
    response = verify(key_mailed_to(mailoutbox, NEW["email"]))

    assert registered.status_code == 201
    assert (response.status_code, response.json()) == (200, {"email": NEW["email"], "email_verified": True})
    assert User.objects.get(username="grace").email_verified


def test_optional_verification_lets_an_unverified_account_log_in(api_client):
    api_client.post(REGISTER, NEW)

    response = api_client.post(LOGIN, {"username": "grace", "password": PASSWORD})

    assert response.status_code == 200


def test_with_verification_none_registration_mails_nothing(settings, api_client, run_worker, mailoutbox):
    settings.EMAIL_VERIFICATION = "none"

    response = api_client.post(REGISTER, NEW)
    run_worker()

    assert response.status_code == 201
    assert mailoutbox == []


def test_mandatory_verification_refuses_the_right_password_of_an_unverified_address(settings, api_client):
    settings.EMAIL_VERIFICATION = "mandatory"
    unverified = UserFactory()

    response = api_client.post(LOGIN, {"username": unverified.username, "password": PASSWORD})

    assert response.status_code == 403
    assert response.json() == {"detail": verification.EMAIL_NOT_VERIFIED, "code": "email_not_verified"}
    assert not LoginSession.objects.exists()


def test_mandatory_verification_answers_a_wrong_password_as_always(settings, api_client):
    settings.EMAIL_VERIFICATION = "mandatory"
    unverified = UserFactory()

    response = api_client.post(LOGIN, {"username": unverified.username, "password": "a wrong guess"})

    assert response.status_code == 401


def test_mandatory_verification_lets_a_verified_address_log_in(settings, api_client):
    settings.EMAIL_VERIFICATION = "mandatory"
    verified = UserFactory(verified=True)

    assert api_client.post(LOGIN, {"username": verified.email, "password": PASSWORD}).status_code == 200


def test_mandatory_verification_holds_for_the_browsable_api_login_form(settings):
    settings.EMAIL_VERIFICATION = "mandatory"
    unverified = UserFactory()

    browser = Client()

    page = browser.post("/api-auth/login/", {"username": unverified.username, "password": PASSWORD})

    assert page.status_code == 200  # the form again, with the reason
    assert verification.EMAIL_NOT_VERIFIED in page.content.decode()
    assert "_auth_user_id" not in browser.session


def test_mandatory_registration_of_a_new_address_is_202_then_the_key_opens_login(
    settings, api_client, run_worker, mailoutbox
):
    settings.EMAIL_VERIFICATION = "mandatory"

    response = api_client.post(REGISTER, NEW)
    run_worker()
    refused = api_client.post(LOGIN, {"username": "grace", "password": PASSWORD})
    verify(key_mailed_to(mailoutbox, NEW["email"]))

    assert (response.status_code, response.json()) == (202, {"detail": verification.REGISTRATION_ACCEPTED})
    assert refused.status_code == 403
    assert api_client.post(LOGIN, {"username": "grace", "password": PASSWORD}).status_code == 200


def test_mandatory_registration_of_a_taken_address_answers_the_same_and_tells_its_owner(
    settings, api_client, run_worker, mailoutbox, password_hashes
):
    settings.EMAIL_VERIFICATION = "mandatory"
    owner = UserFactory(email="grace@example.com")
    password_hashes.clear()

    response = api_client.post(REGISTER, {**NEW, "email": "Grace@Example.com"}, HTTP_USER_AGENT="Sneaky/1.0")
    run_worker()

    assert (response.status_code, response.json()) == (202, {"detail": verification.REGISTRATION_ACCEPTED})
    assert len(password_hashes) == 1  # hashed as for a new account
    assert list(User.objects.values_list("username", flat=True)) == [owner.username]
    [notice] = mailoutbox
    assert notice.to == ["grace@example.com"]  # as the account stores it
    assert owner.username in notice.body
    assert notice.subject == "Library: Someone tried to register with your email address"
    assert "Sneaky/1.0" in notice.body and "No account was created" in notice.body


def test_mandatory_registration_still_refuses_a_weak_password_for_a_taken_address(settings, api_client):
    settings.EMAIL_VERIFICATION = "mandatory"
    UserFactory(email="grace@example.com")

    response = api_client.post(REGISTER, {**NEW, "password": "password"})

    assert response.status_code == 400
    assert list(response.json()) == ["password"]


def test_mandatory_registration_still_refuses_a_taken_username(settings, api_client):
    settings.EMAIL_VERIFICATION = "mandatory"
    UserFactory(username="grace")

    response = api_client.post(REGISTER, NEW)

    assert response.status_code == 400
    assert list(response.json()) == ["username"]


def test_outside_mandatory_a_taken_address_is_still_a_400(api_client):
    UserFactory(email="grace@example.com")

    response = api_client.post(REGISTER, NEW)

    assert response.status_code == 400
    assert list(response.json()) == ["email"]


# --- keys ---------------------------------------------------------------------------------


@pytest.fixture
def key(user, run_worker, mailoutbox):
    """A verification key of `user`'s own address, as a resend mails it."""
    APIClient().post(EMAIL_VERIFY_RESEND, {"email": user.email})
    run_worker()
    return key_mailed_to(mailoutbox, user.email)


def test_a_key_works_once(key):
    assert verify(key).status_code == 200

    again = verify(key)

    assert (again.status_code, again.json()) == (400, {"key": [tokens.INVALID_KEY]})


def test_a_key_expires(settings, user, key):
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.EMAIL_VERIFICATION_TIMEOUT + 1)):
        response = verify(key)

    assert (response.status_code, response.json()) == (400, {"key": [tokens.EXPIRED_KEY]})
    user.refresh_from_db()
    assert not user.email_verified


@pytest.mark.parametrize(
    "tamper",
    [
        lambda key: key[:-2] + ("AA" if not key.endswith("AA") else "BB"),
        lambda key: "x" + key,
        lambda key: "",
        lambda key: "a" * 1024,
    ],
    ids=["signature", "payload", "empty", "long garbage"],
)
def test_a_tampered_key_is_refused(user, key, tamper):
    response = verify(tamper(key))

    assert response.status_code == 400
    assert list(response.json()) == ["key"]
    user.refresh_from_db()
    assert not user.email_verified


def test_a_key_signed_for_another_purpose_is_refused(user):
    forged = signing.dumps({"user": user.pk, "email": user.email, "state": "x"}, salt="another.purpose")

    assert verify(forged).status_code == 400


# --- resend ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["unverified", "verified", "nobody"])
def test_resend_answers_202_for_any_address_and_mails_only_an_unverified_account(
    api_client, run_worker, mailoutbox, who
):
    accounts = {"unverified": UserFactory(), "verified": UserFactory(verified=True)}
    address = accounts[who].email if who in accounts else "nobody@example.com"

    response = api_client.post(
        EMAIL_VERIFY_RESEND, {"email": address}, HTTP_USER_AGENT="Shelf/2.0", REMOTE_ADDR="203.0.113.7"
    )
    run_worker()

    assert (response.status_code, response.json()) == (202, {"detail": verification.RESEND_ACCEPTED})
    mails = mails_to(mailoutbox, address)
    assert len(mails) == (1 if who == "unverified" else 0)
    assert all(
        "From the address: 203.0.113.7\nWith: Shelf/2.0\n" in message.body for message in mails
    )  # who asked


def test_resend_mails_the_address_as_the_account_stores_it(api_client, run_worker, mailoutbox):
    UserFactory(email="ada@example.com")

    api_client.post(EMAIL_VERIFY_RESEND, {"email": "ADA@\uff45xample.com"})
    run_worker()

    [message] = mailoutbox
    assert message.to == ["ada@example.com"]


def test_resend_is_throttled_like_the_reset_and_shares_its_per_address_budget(settings):
    limit = int(settings.THROTTLE_RATES["mail_address"].split("/")[0])
    paths = ["/api/auth/password-reset/", EMAIL_VERIFY_RESEND]

    answers = [
        APIClient(REMOTE_ADDR=f"203.0.113.{n}").post(paths[n % 2], {"email": "ada@example.com"}).status_code
        for n in range(limit + 1)
    ]

    assert answers == [202] * limit + [429]


# --- a change of address ------------------------------------------------------------------------


def test_a_new_address_waits_for_its_key_and_the_old_one_is_told(user, user_client, run_worker, mailoutbox):
    old = user.email

    response = user_client.patch(
        ME, {"email": "new@example.com"}, HTTP_USER_AGENT="Shelf/2.0", REMOTE_ADDR="203.0.113.7"
    )
    run_worker()

    assert response.status_code == 200
    assert (response.json()["email"], response.json()["pending_email"]) == (old, "new@example.com")
    [notice] = mails_to(mailoutbox, old, "A change of your email address was requested")
    assert (
        "new@example.com" in notice.body and "From the address: 203.0.113.7\nWith: Shelf/2.0\n" in notice.body
    )
    [key_mail] = mails_to(mailoutbox, "new@example.com")
    assert (
        "From the address: 203.0.113.7\nWith: Shelf/2.0\n" in key_mail.body
    )  # who asked, for the new address's owner too
    assert "If it was not you" in notice.body
    assert user_client.get(ME).json()["pending_email"] == "new@example.com"


def test_the_key_mailed_to_the_new_address_makes_it_the_account_s(user, user_client, run_worker, mailoutbox):
    user_client.patch(ME, {"email": "new@example.com"})
    run_worker()

    response = verify(key_mailed_to(mailoutbox, "new@example.com"))

    assert response.json() == {"email": "new@example.com", "email_verified": True}
    me = user_client.get(ME).json()
    assert (me["email"], me["pending_email"], me["email_verified"]) == ("new@example.com", None, True)
    assert APIClient().post(LOGIN, {"username": "new@example.com", "password": PASSWORD}).status_code == 200


def test_changing_the_address_kills_a_key_of_the_old_one(user, user_client, key):
    user_client.patch(ME, {"email": "new@example.com"})

    assert verify(key).status_code == 400


def test_a_second_change_kills_the_key_of_the_first(user, user_client, run_worker, mailoutbox):
    user_client.patch(ME, {"email": "first@example.com"})
    run_worker()
    first = key_mailed_to(mailoutbox, "first@example.com")

    user_client.patch(ME, {"email": "second@example.com"})

    assert verify(first).status_code == 400


def test_a_new_password_cancels_the_change(user, user_client, run_worker, mailoutbox):
    user_client.patch(ME, {"email": "thief@example.com"})
    run_worker()
    key = key_mailed_to(mailoutbox, "thief@example.com")

    user_client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": "an even longer fresh phrase"}
    )

    assert verify(key).status_code == 400
    user.refresh_from_db()
    assert user.pending_email is None


def test_an_address_taken_meanwhile_cannot_be_confirmed(user, user_client, run_worker, mailoutbox):
    user_client.patch(ME, {"email": "wanted@example.com"})
    run_worker()
    UserFactory(email="WANTED@example.com")

    response = verify(key_mailed_to(mailoutbox, "wanted@example.com"))

    assert (response.status_code, response.json()) == (400, {"key": [EMAIL_TAKEN]})


def test_an_address_of_another_account_is_refused_at_once(user_client):
    UserFactory(email="taken@example.com")

    response = user_client.patch(ME, {"email": "Taken@example.com"})

    assert response.status_code == 400
    assert response.json() == {"email": [EMAIL_TAKEN]}


def test_the_same_address_in_another_case_needs_no_key(user, user_client, mailoutbox, run_worker):
    response = user_client.patch(ME, {"email": user.email.upper()})
    run_worker()

    local, domain = user.email.split("@")
    assert response.json()["email"] == f"{local.upper()}@{domain}"  # domains are stored in lower case
    assert response.json()["pending_email"] is None
    assert mailoutbox == []


def test_asking_for_the_current_address_again_cancels_a_pending_change(user, user_client):
    user_client.patch(ME, {"email": "new@example.com"})

    response = user_client.patch(ME, {"email": user.email})

    assert response.json()["pending_email"] is None


def test_mandatory_registration_losing_a_race_to_the_address_answers_the_same(
    settings, api_client, run_worker, mailoutbox, monkeypatch
):
    from accounts import selectors

    settings.EMAIL_VERIFICATION = "mandatory"
    owner = UserFactory(email="grace@example.com")
    lookup, looked = selectors.users_with_email, []

    def before_the_owner_committed(email):
        # The early check ran before the owner's registration committed; later ones after.
        looked.append(email)
        return User.objects.none() if len(looked) == 1 else lookup(email)

    monkeypatch.setattr(selectors, "users_with_email", before_the_owner_committed)

    response = api_client.post(REGISTER, NEW, HTTP_USER_AGENT="Sneaky/1.0")
    run_worker()

    assert (response.status_code, response.json()) == (202, {"detail": verification.REGISTRATION_ACCEPTED})
    assert list(User.objects.values_list("username", flat=True)) == [owner.username]
    [notice] = mailoutbox
    assert notice.to == ["grace@example.com"]
    assert "Sneaky/1.0" in notice.body and "No account was created" in notice.body


def test_an_account_without_an_address_adds_one_through_its_key(run_worker, mailoutbox):
    user = UserFactory(email="")
    client_for_user = APIClient()
    client_for_user.force_authenticate(user)
    client_for_user.patch(ME, {"email": "new@example.com"})
    run_worker()

    response = verify(key_mailed_to(mailoutbox, "new@example.com"))

    assert response.status_code in (200, 204)
    user.refresh_from_db()
    assert (user.email, user.email_verified) == ("new@example.com", True)


def test_verifying_the_own_address_kills_the_key_of_a_change_asked_before(api_client, run_worker, mailoutbox):
    api_client.post(REGISTER, NEW)
    user = User.objects.get(username=NEW["username"])
    client_for_user = APIClient()
    client_for_user.force_authenticate(user)
    client_for_user.patch(ME, {"email": "new@example.com"})
    run_worker()
    change_key = key_mailed_to(mailoutbox, "new@example.com")

    verified = verify(key_mailed_to(mailoutbox, NEW["email"]))
    response = verify(change_key)

    assert verified.status_code in (200, 204)
    assert response.status_code == 400
    assert response.json() == {"key": [tokens.INVALID_KEY]}
