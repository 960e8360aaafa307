"""A new password or a deactivation ends every session, whatever path saved it: the
API, the admin's forms, `manage.py changepassword`, or `set_password()` and `save()` in
code. It also cancels a pending change of email address (accounts/verification.py): an
owner who did not ask for it stops it by setting a new password. (`QuerySet.update()`
sends no signal; change credentials through a model's save.)"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from . import sessions, verification
from .models import User


@receiver(post_save, sender=User, dispatch_uid="accounts.end_sessions_on_new_credentials")
def end_sessions_on_new_credentials(sender, instance: User, created: bool, update_fields=None, **kwargs):
    if not created and instance.credentials_changed(update_fields):
        sessions.end_all_sessions(instance)
        verification.cancel_email_change(instance)
    instance.remember_credentials()
