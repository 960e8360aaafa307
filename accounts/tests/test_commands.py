from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import events, keyring, mfa, sessions
from accounts.models import LoginSession, MfaChallenge, RevokedAccessToken, SecurityEvent, SigningKey
from accounts.tests.factories import UserFactory
from library.tests.helpers import ME, bearer_client

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_revoke_tokens_ends_every_session_of_the_user(user):
    pairs = [sessions.start_session(user=user) for _ in range(2)]
    bystander = sessions.start_session(user=UserFactory())

    out = run("revoke_tokens", user.username.upper())

    assert "Ended 2 login sessions" in out
    assert all(bearer_client(pair.access).get(ME).status_code == 401 for pair in pairs)
    assert bearer_client(bystander.access).get(ME).status_code == 200


def test_revoke_tokens_of_unknown_user_fails():
    with pytest.raises(CommandError, match="No user named"):
        run("revoke_tokens", "ghost")


def test_prune_tokens_deletes_only_what_expired(user):
    old = sessions.start_session(user=user)
    sessions.revoke(old.access, by=user, user_agent="", ip=None)
    sessions.end_sessions(LoginSession.objects.filter(pk=old.session.pk))
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        fresh = sessions.start_session(user=user)

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        out = run("prune_tokens", "--batch-size", "1")

    assert "Deleted 1 expired sessions." in out
    assert "Deleted 1 expired revoked access tokens." in out
    assert "Deleted 1 expired outstanding tokens." in out
    assert list(LoginSession.objects.values_list("pk", flat=True)) == [fresh.session.pk]
    assert not RevokedAccessToken.objects.exists()
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == [fresh.session.refresh_jti]
    assert not BlacklistedToken.objects.exists()


def test_prune_tokens_keeps_second_login_steps_while_their_wrong_codes_count(user):
    mfa.start_challenge(user)
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        recent = mfa.start_challenge(user)

    with time_machine.travel(timezone.now() + timedelta(minutes=22)):
        out = run("prune_tokens")

    assert "Deleted 1 expired second login steps." in out
    assert list(MfaChallenge.objects.values_list("digest", flat=True)) == [mfa._digest(recent.mfa_token)]


def test_simplejwt_flushexpiredtokens_is_available(user):
    sessions.start_session(user=user)

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        call_command("flushexpiredtokens")

    assert not OutstandingToken.objects.exists()


def test_prune_tokens_draws_progress_bars_on_a_terminal(user, terminal_stderr):
    for _ in range(3):
        sessions.start_session(user=user)

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        out = run("prune_tokens", "--batch-size", "2")

    assert "Deleting expired sessions" in terminal_stderr.getvalue()
    assert "Deleted 3 expired sessions." in out


# --- prune_events ------------------------------------------------------------------------------


def events_aged(*days: int) -> None:
    for age in days:
        with time_machine.travel(timezone.now() - timedelta(days=age, minutes=1), tick=False):
            events.record(events.Type.LOGOUT, detail={"age": age})


def test_prune_events_deletes_what_is_older_than_180_days_by_default():
    events_aged(181, 180, 179, 1)

    out = run("prune_events", "--batch-size", "1")

    assert "Deleted 2 security events older than 180 days." in out
    assert sorted(event.detail["age"] for event in SecurityEvent.objects.all()) == [1, 179]


def test_prune_events_keeps_as_many_days_as_asked():
    events_aged(31, 29)

    out = run("prune_events", "--days", "30")

    assert "Deleted 1 security events older than 30 days." in out
    assert [event.detail["age"] for event in SecurityEvent.objects.all()] == [29]


@pytest.mark.parametrize("argument", [["--days", "0"], ["--days", "-5"], ["--batch-size", "0"]])
def test_prune_events_refuses_a_number_below_one(argument):
    events_aged(400)

    with pytest.raises(CommandError, match="at least 1"):
        run("prune_events", *argument)
    assert SecurityEvent.objects.count() == 1


def test_prune_events_draws_a_progress_bar_on_a_terminal(terminal_stderr):
    events_aged(200, 200, 200)

    run("prune_events", "--batch-size", "2")

    assert "Deleting old security events" in terminal_stderr.getvalue()
    assert "Deleting old security events: 3row" in terminal_stderr.getvalue()


# --- jwt_keys ---------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["HS256", "EdDSA", "ES256", "RS256"])
def test_jwt_keys_generate_prints_a_key_of_each_algorithm_and_changes_no_ring(algorithm):
    out = run("jwt_keys", "generate", "--algorithm", algorithm)

    signing, _ = keyring.parse(algorithm, out.strip())
    assert signing
    assert not SigningKey.objects.exists()


def test_jwt_keys_list_shows_each_key_with_its_age_and_what_it_does(user):
    first = keyring.signing_key()
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        second = keyring.rotate()
        just_made = run("jwt_keys", "list").splitlines()
    with time_machine.travel(timezone.now() + timedelta(days=2, seconds=1), tick=False):
        lines = run("jwt_keys", "list").splitlines()

    assert just_made[0].endswith("signs within a second") and just_made[1].endswith("signs")
    assert lines[0].startswith(f"{second.kid}  HS256") and lines[0].endswith("signs")
    assert lines[1].startswith(f"{first.kid}  HS256")
    assert "2\xa0days old  verifies until" in lines[1]


def test_jwt_keys_list_shows_keys_made_in_the_same_microsecond_in_the_order_they_sign(user):
    configured = keyring.signing_key()
    made_at = timezone.now() + timedelta(minutes=1)
    # Two hosts rotated at once: the ring orders such keys by kid, and the greater signs.
    made = sorted((keyring.key_id("HS256", secret.encode()), secret) for secret in ["a" * 48, "b" * 48])
    for kid, secret in reversed(made):
        SigningKey.objects.create(kid=kid, algorithm="HS256", secret=secret, created_at=made_at)

    with time_machine.travel(made_at + keyring.FRESH, tick=False):
        lines = run("jwt_keys", "list").splitlines()
        signer = keyring.signing_key()

    assert [line.split()[0] for line in lines] == [made[1][0], made[0][0], configured.kid]
    assert lines[0].endswith("signs") and "verifies until" in lines[1]
    assert signer.kid == made[1][0]


def test_jwt_keys_rotate_makes_a_new_signing_key_and_keeps_the_old_one(user):
    old = keyring.signing_key()
    pair = sessions.start_session(user=user)

    out = run("jwt_keys", "rotate")

    with time_machine.travel(timezone.now() + keyring.FRESH, tick=False):
        new = keyring.signing_key()
        assert bearer_client(pair.access).get(ME).status_code == 200
    assert new.kid != old.kid
    assert f"HS256 key {new.kid} is published now and signs in every process a second from now" in out


def test_jwt_keys_rotate_may_change_the_algorithm(user):
    run("jwt_keys", "rotate", "--algorithm", "ES256")

    with time_machine.travel(timezone.now() + keyring.FRESH, tick=False):
        assert keyring.signing_key().algorithm == "ES256"
        assert bearer_client(sessions.start_session(user=user).access).get(ME).status_code == 200


def test_jwt_keys_drop_refuses_the_old_keys_tokens_at_once(user):
    old = keyring.signing_key()
    pair = sessions.start_session(user=user)
    keyring.rotate()

    with time_machine.travel(timezone.now() + keyring.FRESH, tick=False):
        out = run("jwt_keys", "drop", "--", old.kid)

        assert f"Dropped {old.kid}" in out
        assert bearer_client(pair.access).get(ME).status_code == 401
    assert SigningKey.objects.get(kid=old.kid).secret == ""


def test_jwt_keys_drop_refuses_the_signing_key(user):
    key = keyring.signing_key()

    with pytest.raises(CommandError, match="rotate first"):
        run("jwt_keys", "drop", "--", key.kid)
    assert keyring.verifying_key(key.kid) == key


SIGNS_YET = "That key signs (or is about to): rotate first, then drop it a second later."


def test_jwt_keys_drop_refuses_the_old_key_in_the_second_it_still_signs(user):
    old = keyring.signing_key()
    pair = sessions.start_session(user=user)

    with time_machine.travel(timezone.now(), tick=False):  # within the second after
        keyring.rotate()
        with pytest.raises(CommandError) as refused:
            run("jwt_keys", "drop", "--", old.kid)

    assert str(refused.value) == SIGNS_YET
    assert bearer_client(pair.access).get(ME).status_code == 200
    assert SigningKey.objects.get(kid=old.kid).secret != ""


def test_jwt_keys_drop_refuses_a_key_about_to_sign(user):
    keyring.signing_key()
    with time_machine.travel(timezone.now(), tick=False):  # within the second after
        new = keyring.rotate()
        with pytest.raises(CommandError) as refused:
            run("jwt_keys", "drop", "--", new.kid)

    assert str(refused.value) == SIGNS_YET
    with time_machine.travel(timezone.now() + keyring.FRESH, tick=False):
        assert keyring.signing_key().kid == new.kid


def test_jwt_keys_drop_takes_a_key_id_that_starts_with_a_dash_after_two(user):
    """Key ids are base64url: about one in 64 starts with "-", which argparse would read
    as an option without the "--" before it."""
    with pytest.raises(CommandError, match="no key '-abc'"):
        run("jwt_keys", "drop", "--", "-abc")


def test_jwt_keys_drop_of_an_unknown_key_fails(user):
    with pytest.raises(CommandError, match="no key 'nope'"):
        run("jwt_keys", "drop", "nope")
