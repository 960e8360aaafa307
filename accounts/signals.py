"""A new password or a deactivation ends every session, whatever path saved it: the
API, the admin's forms, `manage.py changepassword`, or `set_password()` and `save()` in
code. It also cancels a pending change of email address (accounts/verification.py): an
owner who did not ask for it stops it by setting a new password. (`QuerySet.update()`
sends no signal; change credentials through a model's save.)

The same signals are the one home of the security log's account events, for the same
reason (every path): a new password (changed, or reset from a mailed link), deactivation
and reactivation, staff status, and deletion. Who acted and from which client, the
signal cannot see: the caller that knows tells it with `events.circumstances` (the
services, the admin); a path that tells nothing (manage.py, code) records no client."""

from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from . import events, sessions, verification
from .models import User


@receiver(post_save, sender=User, dispatch_uid="accounts.end_sessions_on_new_credentials")
def end_sessions_on_new_credentials(sender, instance: User, created: bool, update_fields=None, **kwargs):
    if not created:
        record_account_changes(instance, update_fields)
    if not created and instance.credentials_changed(update_fields):
        sessions.end_all_sessions(instance)
        verification.cancel_email_change(instance)
    instance.remember_credentials()


@receiver(pre_delete, sender=User, dispatch_uid="accounts.record_account_deleted")
def record_account_deleted(sender, instance: User, **kwargs):
    # In the deletion's transaction: a deletion rolled back leaves no event. The row
    # keeps the username, since the user it would point at goes.
    events.record(
        events.Type.ACCOUNT_DELETED,
        identifier=instance.username,
        detail={"user_id": instance.pk},
        **_told(instance),
    )


def record_account_changes(user: User, update_fields=None) -> None:
    told = _told(user)
    if user.password_changed(update_fields):
        type = events.current_circumstances().get("password_event", events.Type.PASSWORD_CHANGED)
        events.record(type, user=user, **told)
    flags = user.changed_flags(update_fields)
    if "is_active" in flags:
        active = flags.pop("is_active")
        type = events.Type.ACCOUNT_REACTIVATED if active else events.Type.ACCOUNT_DEACTIVATED
        events.record(type, user=user, **told)
    if flags:  # is_staff, is_superuser
        events.record(events.Type.STAFF_STATUS_CHANGED, user=user, detail=flags, **told)


def _told(user: User) -> dict:
    """What the caller told of the event (record's arguments), with the actor only when
    it is someone else."""
    told = events.current_circumstances()
    told.pop("password_event", None)
    actor = told.get("actor")
    if actor is not None and actor.pk == user.pk:
        del told["actor"]
    return told
