"""The second factor (accounts/mfa.py): setting TOTP up and off, recovery codes, the
second step of a login, and the code beside a password for sensitive operations."""

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts import mfa
from accounts.models import LoginSession, MfaChallenge, RecoveryCode, SecurityEvent, TOTPDevice
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import (
    LOGIN,
    LOGIN_CODE,
    ME,
    PASSWORD_CHANGE,
    RECOVERY_CODES,
    TOTP,
    TOTP_CONFIRM,
    TOTP_SETUP,
    bearer_client,
    client_for,
    totp_code,
    turn_on_totp,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "an even longer fresh phrase"
WRONG = "000000"


@pytest.fixture
def secret(user):
    """The user's second factor is on; its secret."""
    return turn_on_totp(user)[0]


@pytest.fixture
def frozen():
    """The clock stopped in the middle of the next time step (never back: rows made by the
    fixtures before stay in the past): no code changes under a test."""
    step = 30
    now = timezone.now()
    middle = now - timedelta(seconds=now.timestamp() % step) + timedelta(seconds=step * 1.5)
    with time_machine.travel(middle, tick=False) as traveller:
        yield traveller


def types(user) -> list[str]:
    return list(SecurityEvent.objects.filter(user=user).order_by("id").values_list("type", flat=True))


def wrong(code: str) -> str:
    return WRONG if code != WRONG else "111111"


def password_step(api_client, user) -> str:
    response = api_client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 202, response.content
    return response.json()["mfa_token"]


# --- set up, confirm -------------------------------------------------------------------------


def test_setup_answers_a_pending_secret_that_is_not_on_yet(user, user_client):
    response = user_client.post(TOTP_SETUP, {"password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert (
        body["otpauth_url"]
        == f"otpauth://totp/Library:{user.username}?secret={body['secret']}&issuer=Library"
    )
    assert body["qr_svg"].startswith("<svg")
    assert TOTPDevice.objects.get(user=user).confirmed_at is None
    assert user_client.get(ME).json()["mfa_enabled"] is False


def test_setup_needs_the_password(user, user_client):
    response = user_client.post(TOTP_SETUP, {"password": "guess"})

    assert response.status_code == 400
    assert response.json() == {"password": ["Your password was entered incorrectly."]}
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_setup_while_on_is_refused_and_keeps_the_secret(user, user_client, secret):
    stored = TOTPDevice.objects.get(user=user).encrypted_secret

    response = user_client.post(TOTP_SETUP, {"password": PASSWORD})

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [mfa.ALREADY_ON]}
    assert TOTPDevice.objects.get(user=user).encrypted_secret == stored


def test_a_right_first_code_turns_it_on_with_ten_single_recovery_codes(user, user_client):
    secret = user_client.post(TOTP_SETUP, {"password": PASSWORD}).json()["secret"]

    response = user_client.post(TOTP_CONFIRM, {"code": pyotp.TOTP(secret).now()})

    assert response.status_code == 200
    codes = response.json()["recovery_codes"]
    assert len(set(codes)) == 10
    assert user_client.get(ME).json()["mfa_enabled"] is True
    stored = set(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    assert len(stored) == 10 and not stored & {code.replace("-", "") for code in codes}
    assert types(user) == ["totp_enabled"]


def test_a_wrong_first_code_leaves_it_off(user, user_client):
    user_client.post(TOTP_SETUP, {"password": PASSWORD})

    response = user_client.post(TOTP_CONFIRM, {"code": WRONG})

    assert response.status_code == 400
    assert response.json() == {"code": [mfa.WRONG_CODE]}
    assert not mfa.enabled(user)
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_confirming_without_a_setup_is_refused(user, user_client):
    response = user_client.post(TOTP_CONFIRM, {"code": "123456"})

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [mfa.NOT_SET_UP]}


def test_the_secret_is_not_in_clear_in_its_row(user, secret):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_totpdevice")
        row = " ".join(str(value) for value in cursor.fetchone())

    assert secret not in row and secret.lower() not in row
    assert mfa._decrypt(TOTPDevice.objects.get(user=user).encrypted_secret) == secret


def test_a_secret_under_another_key_accepts_no_code_but_recovery_codes_still_work(user, settings):
    secret, codes = turn_on_totp(user)
    settings.MFA_ENCRYPTION_KEY = "a key the secret was not encrypted with"

    assert not mfa._accept(user, totp_code(secret), user_agent="", ip=None)
    assert mfa._accept(user, codes[0], user_agent="", ip=None)


def test_the_secret_decrypts_under_a_fallback_of_the_secret_key(user, settings):
    secret, _ = turn_on_totp(user)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a new secret key, rotated after the secret was stored" * 2

    assert mfa._accept(user, totp_code(secret), user_agent="", ip=None)


# --- the login, in two steps --------------------------------------------------------------------


def test_with_totp_on_the_password_step_answers_202_and_no_tokens(user, secret, api_client):
    response = api_client.post(LOGIN, {"username": user.username, "password": PASSWORD})

    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"mfa_token", "methods", "expires_in"}
    assert (body["methods"], body["expires_in"]) == (["totp", "recovery_code"], 300)
    assert not LoginSession.objects.filter(user=user).exists()
    assert "login_succeeded" not in types(user)


def test_a_right_code_starts_the_session_and_spends_the_token(user, secret, api_client, frozen):
    token = password_step(api_client, user)

    response = api_client.post(LOGIN_CODE, {"mfa_token": token, "code": totp_code(secret)})

    assert response.status_code == 200, response.json()
    session = LoginSession.objects.get(user=user)
    assert bearer_client(response.json()["access"]).get(ME).status_code == 200
    event = SecurityEvent.objects.get(user=user, type="login_succeeded")
    assert event.session_id == session.pk
    assert MfaChallenge.objects.get(user=user).ended_at is not None
    again = api_client.post(LOGIN_CODE, {"mfa_token": token, "code": totp_code(secret, 1)})
    assert again.status_code == 400
    assert again.json() == {"mfa_token": [mfa.LOGIN_OVER]}


def test_a_wrong_code_is_400_and_recorded(user, secret, api_client, frozen):
    token = password_step(api_client, user)

    response = api_client.post(LOGIN_CODE, {"mfa_token": token, "code": wrong(totp_code(secret))})

    assert response.status_code == 400
    assert response.json() == {"code": [mfa.WRONG_CODE]}
    assert not LoginSession.objects.filter(user=user).exists()
    assert types(user)[-1] == "mfa_failed"
    assert MfaChallenge.objects.get(user=user).failures == 1


def test_a_code_replayed_in_its_step_is_refused(user, secret, api_client, frozen):
    code = totp_code(secret)
    first = api_client.post(LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": code})

    replay = api_client.post(LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": code})

    assert first.status_code == 200
    assert replay.status_code == 400
    assert replay.json() == {"code": [mfa.WRONG_CODE]}
    assert LoginSession.objects.filter(user=user).count() == 1


def test_a_code_of_an_earlier_step_than_one_accepted_is_refused(user, secret, api_client, frozen):
    later, earlier = totp_code(secret, 1), totp_code(secret, -1)
    api_client.post(LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": later})

    response = api_client.post(LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": earlier})

    assert response.status_code == 400


@pytest.mark.parametrize("steps", [-1, 1])
def test_one_step_of_drift_is_accepted(steps, user, secret, api_client, frozen):
    token = password_step(api_client, user)

    response = api_client.post(LOGIN_CODE, {"mfa_token": token, "code": totp_code(secret, steps)})

    assert response.status_code == 200


@pytest.mark.parametrize("steps", [-2, 2])
def test_two_steps_of_drift_are_refused(steps, user, secret, api_client, frozen):
    token = password_step(api_client, user)

    response = api_client.post(LOGIN_CODE, {"mfa_token": token, "code": totp_code(secret, steps)})

    assert response.status_code == 400
    assert response.json() == {"code": [mfa.WRONG_CODE]}


def test_an_expired_mfa_token_is_refused(user, secret, api_client):
    token = password_step(api_client, user)

    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        response = api_client.post(LOGIN_CODE, {"mfa_token": token, "code": totp_code(secret)})

    assert response.status_code == 400
    assert response.json() == {"mfa_token": [mfa.LOGIN_OVER]}
    assert not LoginSession.objects.filter(user=user).exists()


def test_a_tampered_mfa_token_is_refused(user, secret, api_client, frozen):
    token = password_step(api_client, user)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = api_client.post(LOGIN_CODE, {"mfa_token": tampered, "code": totp_code(secret)})

    assert response.status_code == 400
    assert response.json() == {"mfa_token": [mfa.LOGIN_OVER]}


def test_an_mfa_token_takes_only_its_own_users_codes(user, secret, api_client, frozen):
    other = UserFactory()
    other_secret, _ = turn_on_totp(other)
    token = password_step(api_client, user)

    response = api_client.post(LOGIN_CODE, {"mfa_token": token, "code": totp_code(other_secret)})

    assert response.status_code == 400
    assert response.json() == {"code": [mfa.WRONG_CODE]}
    assert not LoginSession.objects.exists()


def test_the_fifth_wrong_code_ends_the_token(user, secret, api_client, frozen):
    token = password_step(api_client, user)
    bad = wrong(totp_code(secret))
    answers = [api_client.post(LOGIN_CODE, {"mfa_token": token, "code": bad}).json() for _ in range(5)]

    sixth = api_client.post(LOGIN_CODE, {"mfa_token": token, "code": totp_code(secret)})

    assert answers == [{"code": [mfa.WRONG_CODE]}] * 5
    assert sixth.status_code == 400
    assert sixth.json() == {"mfa_token": [mfa.LOGIN_OVER]}
    assert not LoginSession.objects.filter(user=user).exists()


def test_wrong_codes_are_limited_per_user_over_all_their_tokens(user, secret, api_client, settings):
    settings.MFA_USER_FAILURES = 6  # the default 10 would spend this client's login budget first
    for tries in (5, 1):
        token = password_step(api_client, user)
        for _ in range(tries):
            api_client.post(LOGIN_CODE, {"mfa_token": token, "code": wrong(totp_code(secret))})
    token = password_step(api_client, user)

    refused = api_client.post(LOGIN_CODE, {"mfa_token": token, "code": totp_code(secret)})
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        later = api_client.post(
            LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": totp_code(secret)}
        )

    assert refused.status_code == 400
    assert refused.json() == {"mfa_token": [mfa.TOO_MANY_WRONG_CODES]}
    assert later.status_code == 200


def test_an_access_token_is_never_an_mfa_token(user, secret, user_client, api_client, frozen):
    response = api_client.post(LOGIN_CODE, {"mfa_token": user_client.pair.access, "code": totp_code(secret)})

    assert response.status_code == 400
    assert response.json() == {"mfa_token": [mfa.LOGIN_OVER]}


def test_an_mfa_token_is_never_an_access_token(user, secret, api_client):
    token = password_step(api_client, user)

    response = bearer_client(token).get(ME)

    assert response.status_code == 401


def test_a_recovery_code_logs_in_once(user, api_client, frozen):
    _, codes = turn_on_totp(user)

    first = api_client.post(LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": codes[0]})
    again = api_client.post(LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": codes[0]})

    assert first.status_code == 200
    assert again.status_code == 400
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1
    event = SecurityEvent.objects.get(user=user, type="recovery_code_used")
    assert event.detail == {"left": 9}


def test_a_recovery_code_is_taken_in_any_case_and_spacing(user, api_client, frozen):
    _, codes = turn_on_totp(user)
    typed = codes[0].upper().replace("-", " ")

    response = api_client.post(LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": typed})

    assert response.status_code == 200


def test_a_new_password_between_the_steps_ends_the_second_step(user, secret, api_client, frozen):
    token = password_step(api_client, user)
    with time_machine.travel(timezone.now() + timedelta(seconds=1), tick=False):
        user.set_password(NEW_PASSWORD)
        user.save()

        response = api_client.post(LOGIN_CODE, {"mfa_token": token, "code": totp_code(secret)})

    assert response.status_code == 400
    assert response.json() == {"mfa_token": [mfa.LOGIN_OVER]}


def test_a_token_made_before_totp_was_turned_off_and_on_again_is_dead(user, secret, api_client, frozen):
    token = password_step(api_client, user)
    mfa.disable(user)
    with time_machine.travel(timezone.now() + timedelta(seconds=120), tick=False):
        new_secret, _ = turn_on_totp(user)  # confirmed 90 s back: after the token was made

        response = api_client.post(LOGIN_CODE, {"mfa_token": token, "code": totp_code(new_secret)})

    assert response.status_code == 400
    assert response.json() == {"mfa_token": [mfa.LOGIN_OVER]}


def test_with_totp_off_the_login_is_one_step(user, api_client):
    response = api_client.post(LOGIN, {"username": user.username, "password": PASSWORD})

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


# --- sensitive operations: a code beside the password ------------------------------------------

SENSITIVE = {
    "password change": ("post", PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}),
    "account deletion": ("delete", ME, {"password": PASSWORD}),
    "email change": ("patch", ME, {"email": "new@example.com", "password": PASSWORD}),
}


def unchanged(user) -> bool:
    user.refresh_from_db()
    return user.check_password(PASSWORD) and user.pending_email is None


@pytest.mark.parametrize("operation", SENSITIVE)
def test_with_totp_on_a_sensitive_operation_needs_a_code(operation, user, user_client, secret):
    method, path, body = SENSITIVE[operation]

    response = getattr(user_client, method)(path, body)

    assert response.status_code == 400
    assert response.json() == {"code": [mfa.CODE_REQUIRED]}
    assert unchanged(user)


@pytest.mark.parametrize("operation", SENSITIVE)
def test_with_totp_on_a_wrong_code_is_refused_and_recorded(operation, user, user_client, secret, frozen):
    method, path, body = SENSITIVE[operation]

    response = getattr(user_client, method)(path, {**body, "code": wrong(totp_code(secret))})

    assert response.status_code == 400
    assert response.json() == {"code": [mfa.WRONG_CODE]}
    assert unchanged(user)
    assert types(user)[-1] == "mfa_failed"


@pytest.mark.parametrize("operation", SENSITIVE)
def test_with_totp_on_a_right_code_lets_it_through(operation, user, user_client, secret, frozen):
    method, path, body = SENSITIVE[operation]

    response = getattr(user_client, method)(path, {**body, "code": totp_code(secret)})

    assert response.status_code in (200, 204)
    assert (
        not unchanged(user) if operation != "account deletion" else not type(user).objects.filter(pk=user.pk)
    )


@pytest.mark.parametrize("operation", SENSITIVE)
def test_with_totp_off_a_sensitive_operation_is_unchanged(operation, user, user_client):
    method, path, body = SENSITIVE[operation]

    response = getattr(user_client, method)(path, body)

    assert response.status_code in (200, 204)


def test_with_totp_on_an_email_change_needs_the_password(user, user_client, secret, frozen):
    response = user_client.patch(ME, {"email": "new@example.com", "code": totp_code(secret)})

    assert response.status_code == 400
    assert response.json() == {"password": ["Your password was entered incorrectly."]}
    assert unchanged(user)


def test_with_totp_on_a_new_name_needs_no_code(user, user_client, secret):
    response = user_client.patch(ME, {"first_name": "Ada"})

    assert response.status_code == 200


# --- turn off, renew ---------------------------------------------------------------------------


def test_turning_off_with_both_factors(user, user_client, secret, api_client, frozen):
    response = user_client.delete(TOTP, {"password": PASSWORD, "code": totp_code(secret)})

    assert response.status_code == 204
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert types(user)[-1] == "totp_disabled"
    assert api_client.post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code == 200


def test_turning_off_with_a_recovery_code(user, user_client):
    _, codes = turn_on_totp(user)

    response = user_client.delete(TOTP, {"password": PASSWORD, "code": codes[3]})

    assert response.status_code == 204
    assert not mfa.enabled(user)


@pytest.mark.parametrize(
    "body, answer",
    [
        ({"password": "guess", "code": "right"}, {"password": ["Your password was entered incorrectly."]}),
        ({"password": PASSWORD, "code": WRONG}, {"code": [mfa.WRONG_CODE]}),
        ({"password": PASSWORD}, {"code": ["This field is required."]}),
    ],
)
def test_turning_off_needs_both_factors(body, answer, user, user_client, secret, frozen):
    if body.get("code") == "right":
        body = {**body, "code": totp_code(secret)}
    if body.get("code") == WRONG == totp_code(secret):
        body = {**body, "code": "111111"}

    response = user_client.delete(TOTP, body)

    assert response.status_code == 400
    assert response.json() == answer
    assert mfa.enabled(user)


def test_turning_off_when_off_is_refused(user_client):
    response = user_client.delete(TOTP, {"password": PASSWORD, "code": "123456"})

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [mfa.NOT_ON]}


def test_renewing_gives_a_new_set_and_the_old_set_dies(user, user_client, api_client, frozen):
    secret, old = turn_on_totp(user)

    response = user_client.post(RECOVERY_CODES, {"password": PASSWORD, "code": totp_code(secret)})

    assert response.status_code == 200
    new = response.json()["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert types(user)[-1] == "recovery_codes_renewed"
    token = password_step(api_client, user)
    assert api_client.post(LOGIN_CODE, {"mfa_token": token, "code": old[1]}).status_code == 400
    assert api_client.post(LOGIN_CODE, {"mfa_token": token, "code": new[1]}).status_code == 200


def test_renewing_with_totp_off_is_refused(user_client):
    response = user_client.post(RECOVERY_CODES, {"password": PASSWORD, "code": "123456"})

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [mfa.NOT_ON]}


# --- staff, for a lost phone ----------------------------------------------------------------------


def turn_off_from_the_admin(browser, user) -> None:
    """Staff's admin action on `user`, checked to have turned their second factor off."""
    response = browser.post(
        "/admin/accounts/user/",
        {"action": "turn_off_second_factor", "_selected_action": [user.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Turned off the second factor of 1 users." in response.content.decode()
    assert not mfa.enabled(user)


def test_staff_turn_it_off_from_the_admin_ending_the_users_sessions(user, secret, admin_browser):
    session = client_for(user)

    turn_off_from_the_admin(admin_browser, user)

    assert session.get(ME).status_code == 401
    event = SecurityEvent.objects.get(user=user, type="totp_disabled")
    assert event.actor is not None and event.actor.is_superuser
    assert (event.user_agent, event.ip) == ("", None)  # staff's action tells no client of the user's


def test_staff_who_are_not_superusers_cannot_turn_off_a_staff_members(client):
    staff_member = UserFactory(is_staff=True)
    turn_on_totp(staff_member)
    actor = UserFactory(is_staff=True)
    actor.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client.force_login(actor)

    client.post(
        "/admin/accounts/user/", {"action": "turn_off_second_factor", "_selected_action": [staff_member.pk]}
    )

    assert mfa.enabled(staff_member)


def test_the_admin_list_shows_who_has_it_on_and_never_the_secret(user, secret, admin_browser):
    page = admin_browser.get("/admin/accounts/user/").content.decode()
    user_page = admin_browser.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()

    assert "second factor" in page.lower()
    assert secret not in page and secret not in user_page
    assert TOTPDevice.objects.get(user=user).encrypted_secret not in user_page


# --- the browser login forms (the browsable API's, the admin's) -------------------------------

LOGIN_FORMS = ["/api-auth/login/", "/admin/login/"]


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_with_totp_on_a_login_form_shows_a_code_field_and_needs_it(path, client):
    staff_member = UserFactory(is_staff=True)
    turn_on_totp(staff_member)

    page = client.get(path).content.decode()
    refused = client.post(path, {"username": staff_member.username, "password": PASSWORD})

    assert 'name="code"' in page
    assert refused.status_code == 200
    assert mfa.CODE_REQUIRED in refused.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_with_totp_on_a_login_form_takes_a_right_code(path, client, frozen):
    staff_member = UserFactory(is_staff=True)
    secret, _ = turn_on_totp(staff_member)
    credentials = {"username": staff_member.username, "password": PASSWORD}

    wrong_code = client.post(
        path, {**credentials, "code": wrong(totp_code(secret))}, HTTP_USER_AGENT="Firefox/128"
    )
    right_code = client.post(path, {**credentials, "code": totp_code(secret)})

    assert mfa.WRONG_CODE in wrong_code.content.decode()
    assert right_code.status_code == 302
    assert client.session[SESSION_KEY] == str(staff_member.pk)
    assert types(staff_member) == ["totp_enabled", "mfa_failed"]
    failed = SecurityEvent.objects.get(user=staff_member, type="mfa_failed")
    assert (failed.user_agent, failed.ip) == ("Firefox/128", "127.0.0.1")


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_a_login_form_refuses_a_code_too_long_to_be_one_without_counting_it_wrong(path, client):
    staff_member = UserFactory(is_staff=True)
    turn_on_totp(staff_member)

    refused = client.post(path, {"username": staff_member.username, "password": PASSWORD, "code": "7" * 33})

    assert "at most 32 characters" in refused.content.decode()
    assert SESSION_KEY not in client.session
    assert types(staff_member) == ["totp_enabled"]


def test_a_weak_new_password_is_refused_before_the_code_is_spent(user, user_client, secret, frozen):
    code = totp_code(secret)
    weak = user_client.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": "123", "code": code})

    strong = user_client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "code": code}
    )

    assert weak.status_code == 400 and "new_password" in weak.json()
    assert strong.status_code == 200


def test_a_try_is_claimed_before_its_code_is_checked(user, secret, monkeypatch):
    # Another request with the same token while this one checks its code: with one try
    # left, only one of the two gets a code checked.
    challenge = mfa.start_challenge(user)
    MfaChallenge.objects.update(failures=mfa.settings.MFA_TOKEN_TRIES - 1)
    check_code, meanwhile = mfa._accept, []

    def accept_while_another_request_tries(*args, **kwargs):
        if not meanwhile:
            meanwhile.append("trying")
            with pytest.raises(ValidationError) as refusal:
                mfa.pass_challenge(mfa_token=challenge.mfa_token, code=totp_code(secret))
            meanwhile.append(refusal.value.message_dict)
        return check_code(*args, **kwargs)

    monkeypatch.setattr(mfa, "_accept", accept_while_another_request_tries)
    with pytest.raises(ValidationError):
        mfa.pass_challenge(mfa_token=challenge.mfa_token, code=WRONG)

    assert meanwhile[1] == {"mfa_token": [mfa.LOGIN_OVER]}
    assert MfaChallenge.objects.get().ended_at is not None


def test_recovery_codes_are_four_groups_of_four_base32_letters(user):
    _, codes = turn_on_totp(user)

    assert all(re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", code) for code in codes)


def test_the_events_of_the_second_factor_tell_the_client(user, api_client, frozen):
    client = {"HTTP_USER_AGENT": "Shelf/2.0", "REMOTE_ADDR": "203.0.113.7"}
    secret, codes = turn_on_totp(user)
    token = password_step(api_client, user)
    api_client.post(LOGIN_CODE, {"mfa_token": token, "code": wrong(totp_code(secret))}, **client)
    api_client.post(LOGIN_CODE, {"mfa_token": token, "code": codes[0]}, **client)

    told = SecurityEvent.objects.filter(type__in=["mfa_failed", "recovery_code_used", "login_succeeded"])

    assert {(event.type, event.user_agent, event.ip) for event in told} == {
        ("mfa_failed", "Shelf/2.0", "203.0.113.7"),
        ("recovery_code_used", "Shelf/2.0", "203.0.113.7"),
        ("login_succeeded", "Shelf/2.0", "203.0.113.7"),
    }


# --- one user's second factor never touches another's -----------------------------------------


def test_two_users_log_in_with_codes_of_the_same_step(user, secret, api_client, frozen):
    other = UserFactory()
    other_secret, _ = turn_on_totp(other)
    RecoveryCode.objects.filter(user=other).update(used_at=timezone.now())  # none left for `other`

    mine = api_client.post(
        LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": totp_code(secret)}
    )
    theirs = api_client.post(
        LOGIN_CODE, {"mfa_token": password_step(api_client, other), "code": totp_code(other_secret)}
    )

    assert (mine.status_code, theirs.status_code) == (200, 200)


def test_a_recovery_code_of_another_user_is_refused_and_counts_are_per_user(user, api_client, frozen):
    _, codes = turn_on_totp(user)
    _, other_codes = turn_on_totp(UserFactory())

    stolen = api_client.post(
        LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": other_codes[0]}
    )
    own = api_client.post(LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": codes[0]})

    assert (stolen.status_code, own.status_code) == (400, 200)
    assert SecurityEvent.objects.get(type="recovery_code_used").detail == {"left": 9}


def test_confirming_turns_on_only_ones_own_pending_secret(user, user_client):
    other = UserFactory()
    mfa.begin_setup(other)
    secret = user_client.post(TOTP_SETUP, {"password": PASSWORD}).json()["secret"]

    user_client.post(TOTP_CONFIRM, {"code": pyotp.TOTP(secret).now()})

    assert mfa.enabled(user) and not mfa.enabled(other)


def test_confirming_again_says_it_is_on(user, user_client, secret):
    response = user_client.post(TOTP_CONFIRM, {"code": totp_code(secret)})

    assert response.json() == {"non_field_errors": [mfa.ALREADY_ON]}


def test_the_confirming_code_cannot_log_in_again(user, user_client, api_client, frozen):
    secret = user_client.post(TOTP_SETUP, {"password": PASSWORD}).json()["secret"]
    user_client.post(TOTP_CONFIRM, {"code": totp_code(secret)})

    response = api_client.post(
        LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": totp_code(secret)}
    )

    assert response.json() == {"code": [mfa.WRONG_CODE]}


def test_a_token_of_a_user_who_turned_it_off_is_dead_whoever_else_has_it_on(user, secret, api_client):
    token = password_step(api_client, user)
    mfa.disable(user)
    turn_on_totp(UserFactory())

    response = api_client.post(LOGIN_CODE, {"mfa_token": token, "code": "anything"})

    assert response.json() == {"mfa_token": [mfa.LOGIN_OVER]}


def test_other_users_wrong_codes_do_not_count_against_a_user(user, secret, api_client, settings, frozen):
    settings.MFA_USER_FAILURES = 1
    other = UserFactory()
    turn_on_totp(other)
    api_client.post(LOGIN_CODE, {"mfa_token": password_step(api_client, other), "code": WRONG})

    response = api_client.post(
        LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": totp_code(secret)}
    )

    assert response.status_code == 200


def test_right_codes_do_not_count_as_wrong_ones(user, api_client, settings, frozen):
    settings.MFA_USER_FAILURES = 1
    _, codes = turn_on_totp(user)

    answers = [
        api_client.post(LOGIN_CODE, {"mfa_token": password_step(api_client, user), "code": code}).status_code
        for code in codes[:3]
    ]

    assert answers == [200, 200, 200]


def test_spending_one_token_leaves_the_users_other_tokens_alive(user, api_client, frozen):
    _, codes = turn_on_totp(user)
    first, second = password_step(api_client, user), password_step(api_client, user)

    api_client.post(LOGIN_CODE, {"mfa_token": first, "code": codes[0]})
    response = api_client.post(LOGIN_CODE, {"mfa_token": second, "code": codes[1]})

    assert response.status_code == 200


def test_a_token_spent_while_its_other_code_was_checked_starts_one_session(user, monkeypatch, frozen):
    _, codes = turn_on_totp(user)
    challenge = mfa.start_challenge(user)
    check_code, meanwhile = mfa._accept, []

    def accept_while_another_request_spends_it(*args, **kwargs):
        if not meanwhile:
            meanwhile.append("spending")
            meanwhile.append(mfa.pass_challenge(mfa_token=challenge.mfa_token, code=codes[0]))
        return check_code(*args, **kwargs)

    monkeypatch.setattr(mfa, "_accept", accept_while_another_request_spends_it)
    with pytest.raises(ValidationError) as refusal:
        mfa.pass_challenge(mfa_token=challenge.mfa_token, code=codes[1])

    assert meanwhile == ["spending", user]
    assert refusal.value.message_dict == {"mfa_token": [mfa.LOGIN_OVER]}


def test_an_mfa_token_is_43_random_characters(user, secret):
    tokens = {mfa.start_challenge(user).mfa_token for _ in range(3)}

    assert len(tokens) == 3 and {len(token) for token in tokens} == {43}


def test_the_qr_code_is_drawn_at_four_pixels_a_module(user):
    assert 'transform="scale(4)"' in mfa.begin_setup(user).qr_svg


def test_the_key_is_derived_as_documented(settings):
    # Pinned: a change of derivation would make every stored secret unreadable.
    assert mfa._derive_key("a dedicated key for the tests") == b"kDFDixM9Qo5IQEBC97vERWOhneQAeNV-16QoN_d7Mh8="


def test_a_secret_no_key_decrypts_is_logged(user, settings, caplog):
    turn_on_totp(user)
    settings.MFA_ENCRYPTION_KEY = "another key"

    with caplog.at_level("ERROR", logger="accounts.mfa"):
        assert mfa._decrypt(TOTPDevice.objects.get(user=user).encrypted_secret) is None

    assert caplog.messages == [
        "A TOTP secret no configured key decrypts (MFA_ENCRYPTION_KEY or SECRET_KEY changed?)"
    ]


def test_every_event_of_the_second_factor_tells_the_client(user, user_client, frozen):
    client = {"HTTP_USER_AGENT": "Shelf/2.0", "REMOTE_ADDR": "203.0.113.7"}
    secret = user_client.post(TOTP_SETUP, {"password": PASSWORD}).json()["secret"]
    codes = user_client.post(TOTP_CONFIRM, {"code": totp_code(secret)}, **client).json()["recovery_codes"]
    user_client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "code": WRONG}, **client
    )
    user_client.post(RECOVERY_CODES, {"password": PASSWORD, "code": codes[0]}, **client)
    user_client.delete(TOTP, {"password": PASSWORD, "code": totp_code(secret, 1)}, **client)

    told = {(event.type, event.user_agent, event.ip) for event in SecurityEvent.objects.filter(user=user)}

    assert told == {
        (kind, "Shelf/2.0", "203.0.113.7")
        for kind in (
            "totp_enabled",
            "mfa_failed",
            "recovery_code_used",
            "recovery_codes_renewed",
            "totp_disabled",
        )
    }


def test_staff_who_are_not_superusers_turn_off_a_regular_users(user, secret, client):
    actor = UserFactory(is_staff=True)
    actor.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client.force_login(actor)

    turn_off_from_the_admin(client, user)

    assert SecurityEvent.objects.get(user=user, type="totp_disabled").actor == actor


def test_the_code_checks_of_turning_it_off_tell_the_client(user, user_client, frozen):
    client = {"HTTP_USER_AGENT": "Shelf/2.0", "REMOTE_ADDR": "203.0.113.7"}
    _, codes = turn_on_totp(user)

    refused = user_client.delete(TOTP, {"password": PASSWORD, "code": WRONG}, **client)
    accepted = user_client.delete(TOTP, {"password": PASSWORD, "code": codes[0]}, **client)

    assert (refused.status_code, accepted.status_code) == (400, 204)
    told = SecurityEvent.objects.filter(user=user, type__in=["mfa_failed", "recovery_code_used"])
    assert sorted((event.type, event.user_agent, event.ip) for event in told) == [
        ("mfa_failed", "Shelf/2.0", "203.0.113.7"),
        ("recovery_code_used", "Shelf/2.0", "203.0.113.7"),
    ]


def test_renewing_with_a_wrong_password_is_refused_on_the_password(user, user_client, secret, frozen):
    response = user_client.post(RECOVERY_CODES, {"password": "guess", "code": totp_code(secret)})

    assert response.status_code == 400
    assert response.json() == {"password": ["Your password was entered incorrectly."]}
    assert "recovery_codes_renewed" not in types(user)


@pytest.mark.parametrize("operation", SENSITIVE)
def test_a_wrong_code_on_a_sensitive_operation_is_logged_with_the_client(
    operation, user, user_client, secret, frozen
):
    method, path, body = SENSITIVE[operation]
    client = {"HTTP_USER_AGENT": "Shelf/2.0", "REMOTE_ADDR": "203.0.113.7"}

    response = getattr(user_client, method)(path, {**body, "code": WRONG}, **client)

    assert response.status_code == 400
    event = SecurityEvent.objects.get(user=user, type="mfa_failed")
    assert (event.user_agent, event.ip) == ("Shelf/2.0", "203.0.113.7")


def test_with_totp_on_a_profile_change_that_keeps_the_address_needs_no_code(user, user_client, secret):
    response = user_client.patch(ME, {"email": user.email, "first_name": "Ada"})

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.first_name, user.pending_email) == ("Ada", None)
