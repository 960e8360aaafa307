"""Where the throttle counters live, and what a client sees when that store fails."""

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"
WRONG = {"username": "nobody", "password": "a wrong guess"}


@pytest.mark.skipif(
    not settings.CACHES["throttles"]["BACKEND"].endswith("DatabaseCache"),
    reason="the default store, without CACHE_URL or REDIS_URL",
)
def test_without_a_cache_url_the_counters_are_kept_in_the_database():
    APIClient(REMOTE_ADDR=ADDRESS).post("/api/auth/token/", WRONG)

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM library_throttle_counters")
        keys = [key for (key,) in cursor.fetchall()]
    assert [key.split(":")[-1] for key in keys] == [f"throttle_login_{ADDRESS}"]
