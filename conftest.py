"""Fixtures shared by every app's tests: clients per role, a clean cache, fast hashing."""

import io
from types import SimpleNamespace

import pytest
from django.core.cache import cache, caches
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts import throttles
from accounts.tests.factories import PASSWORD, UserFactory
from library.tests.helpers import client_for
from library.tests.servers import free_port


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that are about hashing put it back first.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def clean_cache(request):
    """Each test starts with no throttle counters, whatever the tests before it left.

    Without REDIS_URL they live in the database, so only tests that may use it can reach
    them, or clear them (and before the test: afterwards it may be patched away)."""
    stores = [cache]
    if request.node.get_closest_marker("django_db"):
        stores.append(caches["throttles"])
    for store in stores:
        store.clear()


@pytest.fixture(autouse=True)
def statements_written_afresh():
    """Each test writes the statements library/sql.py keeps a process long, so that it
    runs the code that writes them (under make mutation, that code is a mutant's)."""
    from library import sql

    sql.forget()


@pytest.fixture(autouse=True)
def fresh_keyring():
    """Each test reads the signing keys from its own database, not a ring an earlier test
    left in this process's memory (accounts/keyring.py)."""
    from accounts import keyring

    keyring.forget()
    yield
    keyring.forget()


@pytest.fixture
def unreachable_cache():
    """Every cache on a Redis that is not there (a port where nothing listens): the
    throttles and the lockout count in each process's own memory meanwhile."""
    dead_redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
    }
    throttles.LOCAL_COUNTERS.clear()
    with override_settings(CACHES={"default": dead_redis, "throttles": dead_redis}):
        yield
    throttles.LOCAL_COUNTERS.clear()


@pytest.fixture
def password_hashes(monkeypatch) -> list[str]:
    """The passwords hashed from here on (checked, or hashed for an unknown user), in order."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    hashed = []
    original = MD5PasswordHasher.encode

    def encode(self, password, salt):
        hashed.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", encode)
    return hashed


@pytest.fixture
def run_worker(monkeypatch):
    """Runs the tasks that are due (mail: accounts/tasks.py) with the real worker, as
    `manage.py db_worker --batch` would, in this process and this test's transaction (so
    the worker's recycling of old connections is skipped). Move the clock with
    time-machine to reach a retry."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        db_worker.Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="pytest",
            excluded_queue_names=[],
        ).run()

    return run


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def user_client(user):
    return client_for(user)


@pytest.fixture
def staff_client(staff):
    return client_for(staff)


@pytest.fixture
def superuser_client(superuser):
    return client_for(superuser)


@pytest.fixture
def admin_browser(db):
    """A browser logged in to the Django admin as a superuser."""
    browser = Client()
    browser.force_login(UserFactory(is_staff=True, is_superuser=True))
    return browser


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal_stderr(monkeypatch):
    """A terminal as the progress bars' stderr, so they draw; read it with .getvalue().

    Patched where library.progress looks, since pytest's capture resets sys.stderr."""
    from library import progress

    stderr = Terminal()
    monkeypatch.setattr(progress, "sys", SimpleNamespace(stderr=stderr))
    return stderr
