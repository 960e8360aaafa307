"""MAX_SESSIONS_PER_USER: a login beyond it ends the least recently used live session."""

import contextlib
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import sessions
from accounts.models import LoginSession, SecurityEvent
from accounts.tests.factories import UserFactory
from library.tests.helpers import LOGIN, ME, REFRESH, bearer_client, with_settings

pytestmark = pytest.mark.django_db

Type = SecurityEvent.Type


def sessions_started(user, count: int, *, start=None) -> list[sessions.TokenPair]:
    """`count` sessions of `user`, a second apart, the first `count` seconds ago."""
    start = start or timezone.now() - timedelta(seconds=count)
    pairs = []
    for second in range(count):
        with time_machine.travel(start + timedelta(seconds=second), tick=False):
            pairs.append(sessions.start_session(user=user, user_agent=f"client {second}", login=False))
    return pairs


def log_in(api_client, user, password, user_agent: str = "New phone/1.0"):
    return api_client.post(
        LOGIN,
        {"username": user.username, "password": password},
        HTTP_USER_AGENT=user_agent,
        REMOTE_ADDR="203.0.113.51",
    )


def live_count(user) -> int:
    return LoginSession.objects.live().filter(user=user).count()


def test_the_51st_login_ends_the_least_recently_used_session(settings, api_client, password):
    settings.MAX_SESSIONS_PER_USER = 50
    user = UserFactory()
    oldest, second, *_ = sessions_started(user, 50)
    # The oldest session was refreshed just now: the second is now the least recently used.
    oldest = sessions.rotate(oldest.refresh)

    response = log_in(api_client, user, password)

    assert response.status_code == 200
    assert live_count(user) == 50
    assert bearer_client(second.access).get(ME).status_code == 401  # at once, not at expiry
    assert api_client.post(REFRESH, {"refresh": second.refresh}).status_code == 401
    assert bearer_client(oldest.access).get(ME).status_code == 200
    assert bearer_client(response.json()["access"]).get(ME).status_code == 200


def test_of_sessions_refreshed_in_the_same_second_the_older_login_ends_first(settings, api_client, password):
    settings.MAX_SESSIONS_PER_USER = 2
    user = UserFactory()
    older, newer = sessions_started(user, 2)
    with time_machine.travel(timezone.now().replace(microsecond=500_000), tick=False):
        # A refresh is dated to its token's whole second: both read as used at once.
        older, newer = sessions.rotate(older.refresh), sessions.rotate(newer.refresh)

    log_in(api_client, user, password)

    assert bearer_client(older.access).get(ME).status_code == 401
    assert bearer_client(newer.access).get(ME).status_code == 200


def test_an_eviction_is_in_the_security_log(settings, api_client, password):
    settings.MAX_SESSIONS_PER_USER = 3
    user = UserFactory()
    least_recent, *_ = sessions_started(user, 3)

    response = log_in(api_client, user, password)

    new_session = LoginSession.objects.live().filter(user=user).order_by("-created_at").first()
    event = SecurityEvent.objects.get(type=Type.SESSION_EVICTED)
    assert response.status_code == 200
    assert (event.user, event.session_id) == (user, least_recent.session.pk)
    assert (event.user_agent, event.ip) == ("New phone/1.0", "203.0.113.51")  # the login that ended it
    assert event.detail == {"name": "client", "by_session": str(new_session.pk), "limit": 3}


def test_up_to_the_limit_nothing_ends(settings, api_client, password):
    settings.MAX_SESSIONS_PER_USER = 3
    user = UserFactory()
    pairs = sessions_started(user, 2)

    log_in(api_client, user, password)

    assert live_count(user) == 3
    assert all(bearer_client(pair.access).get(ME).status_code == 200 for pair in pairs)
    assert not SecurityEvent.objects.filter(type=Type.SESSION_EVICTED).exists()


def test_ended_and_expired_sessions_do_not_count(settings, api_client, password):
    settings.MAX_SESSIONS_PER_USER = 2
    user = UserFactory()
    expired = sessions_started(user, 2, start=timezone.now() - timedelta(days=30))
    ended = sessions_started(user, 2)
    sessions.end_sessions(LoginSession.objects.filter(pk__in=[pair.session.pk for pair in ended]))
    [live] = sessions_started(user, 1)

    log_in(api_client, user, password)

    assert live_count(user) == 2
    assert bearer_client(live.access).get(ME).status_code == 200
    assert not SecurityEvent.objects.filter(type=Type.SESSION_EVICTED).exists()
    assert expired  # still in the table, never counted


def test_other_users_sessions_do_not_count(settings, api_client, password):
    settings.MAX_SESSIONS_PER_USER = 2
    user = UserFactory()
    sessions_started(UserFactory(), 5)
    [mine] = sessions_started(user, 1)

    log_in(api_client, user, password)

    assert bearer_client(mine.access).get(ME).status_code == 200
    assert live_count(user) == 2


def test_a_lowered_limit_ends_every_session_beyond_it_at_the_next_login(settings, api_client, password):
    settings.MAX_SESSIONS_PER_USER = 2
    user = UserFactory()
    pairs = sessions_started(user, 5)

    log_in(api_client, user, password)

    assert live_count(user) == 2
    assert [bearer_client(pair.access).get(ME).status_code for pair in pairs] == [401, 401, 401, 401, 200]
    evicted = SecurityEvent.objects.filter(type=Type.SESSION_EVICTED).values_list("session_id", flat=True)
    assert set(evicted) == {pair.session.pk for pair in pairs[:4]}


def test_a_limit_of_one_keeps_only_the_new_session(settings, api_client, password):
    settings.MAX_SESSIONS_PER_USER = 1
    user = UserFactory()
    [old] = sessions_started(user, 1)

    response = log_in(api_client, user, password)

    assert bearer_client(old.access).get(ME).status_code == 401
    assert bearer_client(response.json()["access"]).get(ME).status_code == 200


def login_queries(api_client, user, password) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert log_in(api_client, user, password).status_code == 200
    return len(queries)


def test_a_login_costs_the_same_queries_however_many_sessions_there_are(settings, api_client, password):
    settings.MAX_SESSIONS_PER_USER = 50
    few, many = UserFactory(), UserFactory()
    sessions_started(few, 2)
    sessions_started(many, 45)
    for user in (few, many):  # each has logged in once from this client: no notice
        log_in(api_client, user, password)

    assert login_queries(api_client, few, password) == login_queries(api_client, many, password)


def test_a_login_that_ends_a_session_costs_a_bounded_number_of_queries(
    settings, api_client, password, django_assert_max_num_queries
):
    settings.MAX_SESSIONS_PER_USER = 50
    user, bystander = UserFactory(), UserFactory()
    log_in(api_client, bystander, password)
    sessions_started(user, 49)
    log_in(api_client, user, password)  # the 50th, from this client: no notice from here on
    without_ending = login_queries(api_client, bystander, password)

    # Beside what every login costs (the user's lock and the look for sessions beyond the
    # limit among them), ending one: in a savepoint, its refresh id, the update and the
    # blacklisting (a read and an insert); then its event, an insert in a savepoint.
    with django_assert_max_num_queries(without_ending + 9):
        response = log_in(api_client, user, password)

    assert response.status_code == 200
    assert live_count(user) == 50


@pytest.mark.django_db(transaction=True)
def test_two_logins_at_once_do_not_pass_the_limit(settings, monkeypatch):
    """Each login counts the sessions under the user's row lock: the second waits for the
    first to commit, and then sees its session. Without the lock, both would count 49,
    both end nothing, and leave 51."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks (make test-postgres)")
    settings.MAX_SESSIONS_PER_USER = 50
    user = UserFactory()
    sessions_started(user, 49)
    counted = threading.Barrier(2)
    end_least_recently_used = sessions._end_least_recently_used

    def count_then_wait(*args, **kwargs):
        end_least_recently_used(*args, **kwargs)
        # Both threads past the count at once is the race; with the lock, the second one
        # only counts after the first has committed (and the barrier has timed out).
        with contextlib.suppress(threading.BrokenBarrierError):
            counted.wait(timeout=1)

    monkeypatch.setattr(sessions, "_end_least_recently_used", count_then_wait)
    errors = []

    def log_in_once():
        try:
            sessions.start_session(user=user, user_agent="racer", login=False)
        except Exception as error:  # reported below: a thread's exception is otherwise lost
            errors.append(error)
        finally:
            connections.close_all()

    racers = [threading.Thread(target=log_in_once) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()

    assert errors == []
    assert live_count(user) == 50
    assert SecurityEvent.objects.filter(type=Type.SESSION_EVICTED, user=user).count() == 1


def test_the_limit_must_be_at_least_one():
    result = with_settings("", MAX_SESSIONS_PER_USER="0")

    assert result.returncode != 0
    assert "MAX_SESSIONS_PER_USER must be at least 1." in result.stderr
