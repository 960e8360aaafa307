"""Email verification: the EMAIL_VERIFICATION modes, proving an address with a mailed
key, and changing the address through that proof.

- `none`: registration sends no verification mail. `optional` (the default): it does,
  and an unverified account works like any other. `mandatory`: it does; the right
  password of an unverified account gets 403 `email_not_verified` and no tokens; and
  registration answers alike whether or not the address already has an account, whose
  owner is told by mail instead (accounts/services.register_user).
- A new address (PATCH /api/accounts/me/) waits in `pending_email` until the key mailed
  to it comes back; the old address is told at once. A new password cancels the wait
  (accounts/signals.py), so an owner who did not ask can stop it.
- Keys (accounts/tokens.py) expire after EMAIL_VERIFICATION_TIMEOUT and work once.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import events, mail, tasks, tokens
from .errors import EmailNotVerified
from .models import EMAIL_TAKEN, User, identity_key

NONE, OPTIONAL, MANDATORY = "none", "optional", "mandatory"

EMAIL_NOT_VERIFIED = "Confirm your email address first: follow the link we mailed you, or ask for a new one."
REGISTRATION_ACCEPTED = "Registered: follow the link we mailed to your address to confirm it, then log in."
RESEND_ACCEPTED = "If an account waits for this address to be confirmed, a new link is on its way."


def registration_hides_taken_addresses() -> bool:
    return settings.EMAIL_VERIFICATION == MANDATORY


def check_may_log_in(user: User) -> None:
    """With EMAIL_VERIFICATION=mandatory, only a verified address logs in."""
    if settings.EMAIL_VERIFICATION == MANDATORY and not user.email_verified:
        raise EmailNotVerified(EMAIL_NOT_VERIFIED)


def send_verification(*, user: User, client: dict | None = None) -> None:
    """A new account's address gets its key, unless EMAIL_VERIFICATION=none."""
    if settings.EMAIL_VERIFICATION != NONE:
        tasks.send_later(mail.VERIFY_EMAIL, to=user.email, user=user, client=client)


def tell_owner_of_registration_attempt(*, owner: User, client: dict | None = None) -> None:
    """At the address as the account stores it, not as the attempt spelt it."""
    tasks.send_later(mail.REGISTRATION_ATTEMPT, to=owner.email, user=owner, client=client)


def resend(*, email: str, user_agent: str = "", ip: str | None = None) -> None:
    """Another key for an account's own unverified address. The request looks nothing
    up; the worker finds the account, if any (accounts/mail.py)."""
    tasks.send_later(mail.VERIFY_EMAIL, to=email, client={"user_agent": user_agent, "ip": ip})


def request_email_change(*, user: User, email: str, client: dict | None = None) -> None:
    """`email` replaces the user's address once a key mailed to it comes back; the old
    address is told now, and the log records the request. The same address in another
    case needs no proof."""
    if identity_key(email) == user.email_key:
        user.email, user.pending_email = email, None
        user.save(update_fields=["email", "pending_email"])
        return
    user.pending_email = email
    with transaction.atomic():
        user.save(update_fields=["pending_email"])
        tasks.send_later(mail.VERIFY_EMAIL, to=email, user=user, client=client)
        tasks.send_later(
            mail.EMAIL_CHANGE_REQUESTED, to=user.email, user=user, client=client, new_email=user.pending_email
        )
        events.record(
            events.Type.EMAIL_CHANGE_REQUESTED,
            user=user,
            detail={"new_email": user.pending_email},
            **(client or {}),
        )


def cancel_email_change(user: User) -> None:
    """Forget the pending address: the key mailed to it stops working."""
    if user.pending_email is not None:
        user.pending_email = None
        User.objects.filter(pk=user.pk).update(pending_email=None)


def verify_email(key: str, *, user_agent: str, ip: str | None) -> User:
    """Apply a key: the pending address becomes the user's (recorded in the log), or their
    own is verified."""
    user, address = tokens.read_verification_key(key)
    try:
        with transaction.atomic():
            # Re-read under the write lock: of two uses of one key, the second finds the
            # state changed and is refused.
            current = User.objects.select_for_update().get(pk=user.pk)
            tokens.read_verification_key(key)
            changed = identity_key(address) != current.email_key
            if changed:
                old, current.email, current.pending_email = current.email, address, None
            current.email_verified_at = timezone.now()
            current.save(update_fields=["email", "pending_email", "email_verified_at"])
            if changed:
                confirmed = {"old_email": old, "new_email": address}
                events.record(
                    events.Type.EMAIL_CHANGE_CONFIRMED,
                    user=current,
                    detail=confirmed,
                    user_agent=user_agent,
                    ip=ip,
                )
    except IntegrityError:
        raise ValidationError({"key": [EMAIL_TAKEN]}) from None
    return current
