"""Password reset by mail: ask for a link, then set a new password with it.

- Asking answers the same whether or not the address has an account, and does the same
  work: the request only queues a task with the address (no user is read, nothing is
  hashed, no mail server is called). The worker mails a link to an active account's
  own address, or nothing (accounts/mail.py).
- The link carries Django's reset token (accounts/tokens.py): it expires after
  PASSWORD_RESET_TIMEOUT and dies once the password changes, by this or any path.
- Setting a password with it ends every session of the user (accounts/signals.py),
  mails a notice, counts as proof of the address (the link reached it), and lifts a
  lockout of the username and the email (accounts/lockout.py).
"""

from django.db import transaction
from django.utils import timezone

from . import lockout, mail, services, tasks, tokens
from .models import User

RESET_REQUESTED = "If an account has this email address, a link to set a new password is on its way."


def request_password_reset(*, email: str, user_agent: str = "", ip: str | None = None) -> None:
    """Queue the reset mail for `email`; the worker decides whether there is one to send."""
    tasks.send_later(mail.PASSWORD_RESET, to=email, client={"user_agent": user_agent, "ip": ip})


def reset_password(
    *, uid: str, token: str, new_password: str, user_agent: str = "", ip: str | None = None
) -> User:
    """Set the password of the reset link's user; the link then stops working."""
    user = tokens.user_for_reset(uid, token)
    services.check_password_strength(new_password, user=user, field="new_password")
    user.set_password(new_password)  # Hashed before the transaction: no write lock held meanwhile.
    with transaction.atomic():
        # Checked again under the write lock: of two uses of one link, one sets the password.
        current = User.objects.select_for_update().get(pk=user.pk)
        tokens.check_reset_token(current, token)
        user.email_verified_at = user.email_verified_at or timezone.now()
        user.save(update_fields=["password", "email_verified_at"])  # ends every session (signals)
        tasks.send_later(
            mail.PASSWORD_RESET_DONE, to=user.email, user=user, client={"user_agent": user_agent, "ip": ip}
        )
    lockout.clear(user, user_agent=user_agent, ip=ip)  # the owner proved the address: let them in
    return user
