"""Housekeeping that keeps the token tables and the security log small: run from cron
(manage.py prune_tokens, manage.py prune_events)."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from .models import LoginSession, MfaChallenge, RevokedAccessToken, SecurityEvent


def prune_expired(
    *, batch_size: int = 5000, on_batch: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Delete records that can no longer matter because the tokens they govern expired.

    Deletes run in batches so that no single statement holds the tables for long;
    `on_batch(table, rows)` hears of each one.
    """
    now = timezone.now()
    expired = {
        "sessions": LoginSession.objects.filter(expires_at__lte=now),
        "revoked access tokens": RevokedAccessToken.objects.filter(expires_at__lte=now),
        "outstanding tokens": OutstandingToken.objects.filter(expires_at__lte=now),
        # Kept past expiry while their wrong codes still count against the user (mfa.py).
        "second login steps": MfaChallenge.objects.filter(
            expires_at__lte=now - timedelta(seconds=settings.MFA_USER_WINDOW_SECONDS)
        ),
    }
    return {
        table: _delete_in_batches(
            rows, batch_size, lambda count, table=table: on_batch and on_batch(table, count)
        )
        for table, rows in expired.items()
    }


def prune_events(
    *, days: int = 180, batch_size: int = 5000, on_batch: Callable[[int], None] | None = None
) -> int:
    """Delete the security events older than `days` days, in batches like prune_expired;
    `on_batch(rows)` hears of each one."""
    old = SecurityEvent.objects.filter(created_at__lt=timezone.now() - timedelta(days=days))
    return _delete_in_batches(old, batch_size, on_batch or (lambda count: None))


def _delete_in_batches(rows: QuerySet, batch_size: int, on_batch: Callable[[int], None]) -> int:
    deleted = 0
    while batch := list(rows.values_list("pk", flat=True)[:batch_size]):
        rows.model.objects.filter(pk__in=batch).delete()
        deleted += len(batch)
        on_batch(len(batch))
    return deleted
