"""How mail goes out: queued in the transaction of its cause, delivered by the worker,
retried with backoff when the server fails, failed mails retried by staff, never twice."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import checks, mail, services, sessions, tasks
from accounts.models import OutgoingMail
from accounts.tests.factories import PASSWORD
from library.tests.helpers import ME, PASSWORD_CHANGE, client_for, mails_to

pytestmark = pytest.mark.django_db

Status = OutgoingMail.Status


@pytest.fixture
def mail_server(monkeypatch):
    """The locmem backend, made to fail the next `down` attempts with `error`."""

    class Server:
        down = 0
        error: Exception = ConnectionRefusedError(111, "Connection refused")
        attempts = 0

    original = EmailBackend.send_messages

    def send_messages(backend, messages):
        Server.attempts += 1
        if Server.down:
            Server.down -= 1
            raise Server.error
        return original(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return Server


def notice_to(user) -> None:
    tasks.send_later(mail.PASSWORD_CHANGED, to=user.email, user=user, client={"user_agent": "t", "ip": None})


def later(seconds: float):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds))


# --- queued with the change that causes it -------------------------------------------------------


def test_a_rolled_back_change_sends_nothing(user, run_worker, mailoutbox, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the session could not start")

    monkeypatch.setattr(sessions, "start_session", fail)

    with pytest.raises(RuntimeError):
        services.change_password(user=user, old_password=PASSWORD, new_password="an even longer fresh phrase")
    run_worker()

    user.refresh_from_db()
    assert user.check_password(PASSWORD)  # the change rolled back...
    assert not DBTaskResult.objects.exists()  # ...and its mail with it
    assert mailoutbox == []


def test_a_rolled_back_request_sends_nothing(user, user_client, run_worker, mailoutbox, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the session could not start")

    monkeypatch.setattr(sessions, "start_session", fail)
    user_client.raise_request_exception = False

    response = user_client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": "a fresh phrase here"}
    )
    run_worker()

    assert response.status_code == 500
    assert mailoutbox == []


def test_a_committed_change_has_its_mail_queued_before_any_worker_runs(user, user_client, mailoutbox):
    user_client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": "an even longer fresh phrase"}
    )

    assert mailoutbox == []
    assert DBTaskResult.objects.filter(task_path="accounts.tasks.send_mail").count() == 1


def test_the_worker_records_each_mail_it_sends(user, run_worker, mailoutbox):
    notice_to(user)

    run_worker()

    [outgoing] = OutgoingMail.objects.all()
    assert (outgoing.kind, outgoing.to, outgoing.user, outgoing.status, outgoing.attempts) == (
        mail.PASSWORD_CHANGED,
        user.email,
        user,
        Status.SENT,
        1,
    )
    assert len(mailoutbox) == 1


# --- retries -------------------------------------------------------------------------------------


def test_a_server_down_then_up_gets_the_mail_once(settings, user, run_worker, mailoutbox, mail_server):
    mail_server.down = 1
    notice_to(user)

    run_worker()
    outgoing = OutgoingMail.objects.get()
    assert (outgoing.status, outgoing.attempts, mailoutbox) == (Status.RETRYING, 1, [])
    assert "ConnectionRefusedError" in outgoing.last_error
    run_worker()  # the retry is not due yet
    assert mail_server.attempts == 1

    with later(settings.EMAIL_RETRY_SECONDS + 1):
        run_worker()
        run_worker()

    outgoing.refresh_from_db()
    assert (outgoing.status, outgoing.attempts, mail_server.attempts) == (Status.SENT, 2, 2)
    assert len(mailoutbox) == 1


def test_each_retry_waits_twice_as_long_as_the_one_before(settings, user, run_worker, mail_server):
    mail_server.down = 3
    waits = []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        notice_to(user)
        run_worker()
        for _ in range(2):
            outgoing = OutgoingMail.objects.get()
            waits.append((outgoing.next_attempt_at - timezone.now()).total_seconds())
            clock.move_to(outgoing.next_attempt_at)
            run_worker()

    assert waits == [settings.EMAIL_RETRY_SECONDS, 2 * settings.EMAIL_RETRY_SECONDS]


def test_a_server_that_stays_down_leaves_the_mail_failed_after_the_last_attempt(
    settings, user, run_worker, mailoutbox, mail_server
):
    settings.EMAIL_DELIVERY_ATTEMPTS = 3
    mail_server.down = 99
    notice_to(user)

    run_worker()
    for _ in range(3):
        with time_machine.travel(OutgoingMail.objects.get().next_attempt_at or timezone.now()):
            run_worker()

    outgoing = OutgoingMail.objects.get()
    assert (outgoing.status, outgoing.attempts, outgoing.next_attempt_at) == (Status.FAILED, 3, None)
    assert mail_server.attempts == 3 and mailoutbox == []


def test_a_permanent_refusal_fails_at_once(user, run_worker, mail_server):
    mail_server.down = 1
    mail_server.error = smtplib.SMTPRecipientsRefused({user.email: (550, b"No such user")})
    notice_to(user)

    run_worker()

    outgoing = OutgoingMail.objects.get()
    assert (outgoing.status, outgoing.attempts) == (Status.FAILED, 1)
    assert "SMTPRecipientsRefused" in outgoing.last_error


def test_a_temporary_refusal_is_retried(user, run_worker, mail_server):
    mail_server.down = 1
    mail_server.error = smtplib.SMTPSenderRefused(451, b"Try again later", "noreply@localhost")
    notice_to(user)

    run_worker()

    assert OutgoingMail.objects.get().status == Status.RETRYING


def test_staff_retry_a_failed_mail_and_it_goes_out_once(
    user, run_worker, mailoutbox, mail_server, admin_browser
):
    mail_server.down = 1
    mail_server.error = smtplib.SMTPDataError(554, b"Rejected for now")
    notice_to(user)
    run_worker()
    outgoing = OutgoingMail.objects.get()

    page = admin_browser.post(
        "/admin/accounts/outgoingmail/",
        {"action": "retry_delivery", "_selected_action": [outgoing.pk]},
        follow=True,
    )
    run_worker()
    admin_browser.post(
        "/admin/accounts/outgoingmail/", {"action": "retry_delivery", "_selected_action": [outgoing.pk]}
    )
    run_worker()

    assert "Queued 1 failed mails for delivery." in page.content.decode()
    outgoing.refresh_from_db()
    assert (outgoing.status, outgoing.attempts) == (Status.SENT, 1)
    assert len(mailoutbox) == 1


def test_two_attempts_of_one_mail_deliver_it_once(user, run_worker, mailoutbox, mail_server):
    mail_server.down = 1
    notice_to(user)
    run_worker()
    outgoing = OutgoingMail.objects.get()
    tasks.retry_mail.enqueue(outgoing.pk)  # a second attempt queued beside the scheduled one

    with time_machine.travel(outgoing.next_attempt_at):
        run_worker()

    assert len(mailoutbox) == 1
    assert OutgoingMail.objects.get().status == Status.SENT


def test_a_retry_with_nothing_left_to_send_is_cancelled(settings, user, run_worker, mailoutbox, mail_server):
    mail_server.down = 1
    tasks.send_later(mail.VERIFY_EMAIL, to=user.email, user=user)
    run_worker()
    user.email_verified_at = timezone.now()  # verified meanwhile, through another link
    user.save(update_fields=["email_verified_at"])

    with later(settings.EMAIL_RETRY_SECONDS + 1):
        run_worker()

    assert OutgoingMail.objects.get().status == Status.CANCELLED
    assert mailoutbox == []


def test_a_queued_mail_is_not_lost_when_the_user_is_deleted_before_it_goes(user, run_worker, mailoutbox):
    tasks.send_later(mail.ACCOUNT_DELETED, to=user.email, username=user.username)
    user.delete()

    run_worker()

    [message] = mailoutbox
    assert user.username in message.body


# --- what the mails say ----------------------------------------------------------------------------


def test_every_kind_of_mail_has_a_subject_and_both_parts(user):
    for kind in mail.SUBJECTS:
        composed = mail.compose(kind, to=user.email, user=user, context={"when": timezone.now().isoformat()})
        assert composed is not None, kind
        [(html, mimetype)] = composed.message.alternatives
        assert mimetype == "text/html" and "<p>" in html, kind
        assert composed.message.subject.startswith("Library: "), kind
        assert "{{" not in composed.message.body and "{%" not in composed.message.body, kind


@pytest.mark.parametrize(
    ("act", "subject"),
    [
        (
            lambda client: client.post(
                PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": "an even longer fresh phrase"}
            ),
            "Your password was changed",
        ),
        (
            lambda client: client.patch(ME, {"email": "new@example.com"}),
            "A change of your email address",
        ),
        (lambda client: client.delete(ME, {"password": PASSWORD}), "Your account was deleted"),
    ],
    ids=["password changed", "email change requested", "account deleted"],
)
def test_security_notices_say_what_when_from_where_and_what_to_do(user, run_worker, mailoutbox, act, subject):
    client = client_for(user)
    client.defaults.update(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Shelf/2.0 (iPhone)")
    act(client)
    run_worker()

    [notice] = mails_to(mailoutbox, user.email, subject)
    for told in (
        user.username,
        "203.0.113.7",
        "Shelf/2.0 (iPhone)",
        timezone.now().strftime("%Y"),
        "If it was not you",
    ):
        assert told in notice.body, told
        assert told in notice.alternatives[0][0], told


def test_user_agents_are_escaped_in_the_html_part(user, run_worker, mailoutbox):
    tasks.send_later(
        mail.PASSWORD_CHANGED, to=user.email, user=user, client={"user_agent": "<script>x</script>"}
    )

    run_worker()

    assert "<script>" not in mailoutbox[0].alternatives[0][0]
    assert "<script>x</script>" in mailoutbox[0].body  # the plain part is plain text


def test_links_need_a_site_or_a_front_end(settings, user):
    settings.SITE_URL = settings.FRONTEND_URL = ""

    with pytest.raises(ImproperlyConfigured):
        mail.compose(mail.PASSWORD_RESET, to=user.email, user=user, context={})


def test_an_account_without_an_address_is_told_nothing(user):
    user.email = ""

    with transaction.atomic():
        notice_to(user)

    assert not DBTaskResult.objects.exists()


# --- check --deploy ------------------------------------------------------------------------------


def test_check_deploy_warns_about_mail_settings_that_only_work_on_a_laptop(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "Library <noreply@localhost>"
    settings.SITE_URL = settings.FRONTEND_URL = ""

    ids = [warning.id for warning in checks.check_mail_settings(None)]

    assert ids == ["accounts.W001", "accounts.W002", "accounts.W003"]


def test_check_deploy_is_quiet_with_production_mail_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "Library <noreply@library.example.com>"
    settings.SITE_URL, settings.FRONTEND_URL = "", "https://app.example.com"

    assert checks.check_mail_settings(None) == []
