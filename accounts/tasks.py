"""Mail delivery: how a change puts a mail on the queue, and what the worker does with it.

- `send_later` writes the task in the caller's transaction: the queue is a table of the
  same database (django-tasks-db), so a change that rolls back sends nothing and one
  that commits cannot lose its mail. No request ever talks to the mail server.
- The worker (`manage.py db_worker`) runs `send_mail`: it composes the mail
  (accounts/mail.py; there may be nothing to send) and records it as an OutgoingMail.
- An attempt the server refuses for now or cannot take (a 4xx, a refused connection, a
  timeout) is tried again by `retry_mail`, after EMAIL_RETRY_SECONDS and then twice as
  long each time, EMAIL_DELIVERY_ATTEMPTS attempts in all. A permanent refusal (5xx) or
  the last failed attempt leaves the mail failed, for staff to see and retry in the
  admin (`retry_failed`).
- Each attempt first claims its mail (a compare-and-swap on the status), so two attempts
  of one mail never overlap and a mail that was sent is not sent again.
"""

import logging
from datetime import timedelta
from smtplib import SMTPException, SMTPRecipientsRefused, SMTPResponseException

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from . import mail
from .models import OutgoingMail, User

logger = logging.getLogger(__name__)

Status = OutgoingMail.Status


def send_later(
    kind: str, *, to: str, user: User | None = None, client: dict | None = None, **details: str
) -> None:
    """Queue the mail of `kind` to `to`, in the current transaction. `client` and
    `details` are what its text tells (who asked, from where); `user`, the account it is
    about, or None to have the worker find it by address. `client` is
    accounts.client.client_details's: the user agent and address of the request."""
    if not to:
        return  # An account without an address has nobody to tell.
    context = {"when": timezone.now().isoformat(), **(client or {}), **details}
    send_mail.enqueue(kind, to, user.pk if user is not None else None, context)


@task()
def send_mail(kind: str, to: str, user_id: int | None, context: dict) -> str:
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    composed = mail.compose(kind, to=to, user=user, context=context)
    if composed is None:
        return "nothing to send"
    outgoing = OutgoingMail.objects.create(kind=kind, to=composed.to, user=composed.user, context=context)
    return _attempt(outgoing, composed.message)


@task()
def retry_mail(mail_id: int) -> str:
    claimed = OutgoingMail.objects.filter(pk=mail_id, status=Status.RETRYING).update(status=Status.SENDING)
    if not claimed:
        return "not waiting for a retry"  # sent, cancelled, or taken by another attempt
    outgoing = OutgoingMail.objects.select_related("user").get(pk=mail_id)
    composed = mail.compose(outgoing.kind, to=outgoing.to, user=outgoing.user, context=outgoing.context)
    if composed is None:
        outgoing.status = Status.CANCELLED
        outgoing.save(update_fields=["status"])
        return "nothing to send any more"
    return _attempt(outgoing, composed.message)


def retry_failed(mails: QuerySet[OutgoingMail]) -> int:
    """Staff: try the failed mails among `mails` again, with a fresh budget of attempts.
    Only failed ones: a mail that is sent, or still being tried, is left alone."""
    retried = 0
    for pk in mails.filter(status=Status.FAILED).values_list("pk", flat=True):
        with transaction.atomic():
            waiting = OutgoingMail.objects.filter(pk=pk, status=Status.FAILED).update(
                status=Status.RETRYING, attempts=0, next_attempt_at=timezone.now()
            )
            if waiting:
                retry_mail.enqueue(pk)
                retried += 1
    return retried


def _attempt(outgoing: OutgoingMail, message) -> str:
    try:
        message.send()
    except (SMTPException, OSError) as error:
        _failed(outgoing, error)
    else:
        outgoing.attempts += 1
        outgoing.status, outgoing.sent_at, outgoing.next_attempt_at = Status.SENT, timezone.now(), None
        outgoing.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at"])
    return outgoing.status


def _failed(outgoing: OutgoingMail, error: Exception) -> None:
    outgoing.attempts += 1
    outgoing.last_error = f"{type(error).__name__}: {error}"[:2000]
    if _permanent(error) or outgoing.attempts >= settings.EMAIL_DELIVERY_ATTEMPTS:
        outgoing.status, outgoing.next_attempt_at = Status.FAILED, None
        outgoing.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        logger.error(
            "Mail %s (%s) failed after %s attempts: %s", outgoing.pk, outgoing.kind, outgoing.attempts, error
        )
        return
    delay = timedelta(seconds=settings.EMAIL_RETRY_SECONDS * 2 ** (outgoing.attempts - 1))
    outgoing.status, outgoing.next_attempt_at = Status.RETRYING, timezone.now() + delay
    with transaction.atomic():  # the retry is queued with the state that expects it, or neither
        outgoing.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        retry_mail.using(run_after=outgoing.next_attempt_at).enqueue(outgoing.pk)
    logger.warning("Mail %s (%s) not delivered, retrying in %s: %s", outgoing.pk, outgoing.kind, delay, error)


def _permanent(error: Exception) -> bool:
    """A 5xx answer: the server will refuse the same mail again (no such recipient, say)."""
    if isinstance(error, SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
    elif isinstance(error, SMTPResponseException):
        codes = [error.smtp_code]
    else:
        codes = []
    return bool(codes) and all(code >= 500 for code in codes)
