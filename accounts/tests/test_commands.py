from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import events, mfa, sessions
from accounts.models import LoginSession, MfaChallenge, RevokedAccessToken, SecurityEvent
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
    sessions.revoke(old.access, by=user)
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
