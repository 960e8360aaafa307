"""Accounts: register, change a profile or a password, delete; staff set flags.

Login sessions and tokens are accounts/sessions.py's; a service here that changes
credentials ends sessions through it. What these changes mail (a verification key, a
security notice) is queued in their own transaction (accounts/tasks.py).
"""

from django.contrib.auth import password_validation
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from . import events, mail, mfa, selectors, sessions, tasks, verification
from .models import EMAIL_TAKEN, USERNAME_TAKEN, User


def register_user(
    *,
    username: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    user_agent: str = "",
    ip: str | None = None,
) -> User | None:
    """Create an active, non-staff user; username and email are unique whatever their
    case, and the address is mailed a verification key (EMAIL_VERIFICATION).

    When registration hides taken addresses (mandatory), an address that has an account
    creates nothing and returns None, after the same checks and hashing; its owner is
    told by mail instead."""
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    check_password_strength(password, user=user, field="password")
    user.set_password(password)  # Hashed before the transaction: no write lock held meanwhile.
    client = {"user_agent": user_agent, "ip": ip}
    blind = verification.registration_hides_taken_addresses()
    try:
        with transaction.atomic():
            owner = selectors.users_with_email(email).first() if blind else None
            if owner is not None:
                verification.tell_owner_of_registration_attempt(owner=owner, client=client)
                return None
            user.save()
            verification.send_verification(user=user, client=client)
            return user
    except IntegrityError:
        error = _identity_taken(username=username)
    owner = selectors.users_with_email(email).first() if blind and "email" in error.message_dict else None
    if owner is not None:  # lost a race to the same address
        verification.tell_owner_of_registration_attempt(owner=owner, client=client)
        return None
    raise error


def update_profile(
    *, user: User, password: str = "", code: str = "", user_agent: str = "", ip: str | None = None, **fields
) -> User:
    """Change a user's own profile fields; username and email stay unique in any case. A
    new email address waits for confirmation (accounts/verification.py); with TOTP on,
    asking for one needs the password and a code (README: Second factor)."""
    email = fields.pop("email", None)
    if email is not None and email != user.email and mfa.enabled(user):
        confirm_password(user, password, field="password")
        mfa.check_second_factor(user, code, user_agent=user_agent, ip=ip)
    for name, value in fields.items():
        setattr(user, name, value)
    try:
        with transaction.atomic():
            user.save(update_fields=list(fields))
            if email is not None:
                client = {"user_agent": user_agent, "ip": ip}
                verification.request_email_change(user=user, email=email, client=client)
    except IntegrityError:
        raise _identity_taken(username=user.username) from None
    return user


def change_password(
    *,
    user: User,
    old_password: str,
    new_password: str,
    code: str = "",
    user_agent: str = "",
    ip: str | None = None,
) -> sessions.TokenPair:
    """Set a new password and start a fresh session for this client; saving the password
    ends every other session and is recorded (accounts/signals.py). The address is told.
    With TOTP on, a code too."""
    confirm_password(user, old_password, field="old_password")
    check_password_strength(new_password, user=user, field="new_password")
    mfa.check_second_factor(user, code, user_agent=user_agent, ip=ip)  # last: it spends the code
    user.set_password(new_password)  # Hashed before the transaction: no write lock held meanwhile.
    with transaction.atomic(), events.circumstances(user_agent=user_agent, ip=ip):
        user.save(update_fields=["password"])
        tasks.send_later(
            mail.PASSWORD_CHANGED, to=user.email, user=user, client={"user_agent": user_agent, "ip": ip}
        )
        # Not a sign-in (no new-client notice): this client was logged in to change it.
        return sessions.start_session(user=user, user_agent=user_agent, ip=ip, login=False)


def delete_account(
    *, user: User, password: str, code: str = "", user_agent: str = "", ip: str | None = None
) -> None:
    """Delete the user with everything they own, once they confirm their password (and,
    with TOTP on, a code); the address is told, and the log records it (accounts/signals.py)."""
    confirm_password(user, password, field="password")
    mfa.check_second_factor(user, code, user_agent=user_agent, ip=ip)
    with transaction.atomic(), events.circumstances(user_agent=user_agent, ip=ip):
        client = {"user_agent": user_agent, "ip": ip}
        tasks.send_later(mail.ACCOUNT_DELETED, to=user.email, client=client, username=user.username)
        user.delete()


def set_user_flags(
    *,
    user: User,
    actor: User,
    is_active: bool | None = None,
    is_staff: bool | None = None,
    user_agent: str = "",
    ip: str | None = None,
) -> User:
    """Staff change who may log in and who is staff; deactivation ends every session, and
    each change is recorded with its actor (accounts/signals.py). Nobody deactivates or
    demotes themselves here, so nobody locks themselves out."""
    if user.pk == actor.pk and False in (is_active, is_staff):
        raise ValidationError({NON_FIELD_ERRORS: ["You cannot deactivate or demote your own account."]})
    check_may_manage(actor, user)
    if is_staff is not None and is_staff != user.is_staff and not actor.is_superuser:
        raise PermissionDenied("Only a superuser may grant or remove staff status.")
    changed = {}
    if is_active is not None:
        changed["is_active"] = is_active
    if is_staff is not None:
        changed["is_staff"] = is_staff
    for name, value in changed.items():
        setattr(user, name, value)
    with transaction.atomic(), events.circumstances(actor=actor, user_agent=user_agent, ip=ip):
        user.save(update_fields=list(changed))
    return user


def delete_user(*, user: User, actor: User, user_agent: str = "", ip: str | None = None) -> None:
    """Staff delete another user and everything they own; the log records who did."""
    if user.pk == actor.pk:
        raise ValidationError({NON_FIELD_ERRORS: ["Delete your own account at /api/accounts/me/."]})
    check_may_manage(actor, user)
    with events.circumstances(actor=actor, user_agent=user_agent, ip=ip):
        user.delete()


# --- the second factor's switches: the password first, then (accounts/mfa.py) the code ------


def set_up_totp(*, user: User, password: str) -> mfa.Setup:
    """A pending TOTP secret, for the owner of the password."""
    confirm_password(user, password, field="password")
    return mfa.begin_setup(user)


def turn_off_totp(
    *, user: User, password: str, code: str, user_agent: str = "", ip: str | None = None
) -> None:
    """TOTP off, with both factors: the password and a TOTP or recovery code."""
    confirm_password(user, password, field="password")
    if not mfa.enabled(user):
        raise ValidationError({NON_FIELD_ERRORS: [mfa.NOT_ON]})
    mfa.check_second_factor(user, code, user_agent=user_agent, ip=ip)
    mfa.disable(user, user_agent=user_agent, ip=ip)


def renew_recovery_codes(
    *, user: User, password: str, code: str, user_agent: str = "", ip: str | None = None
) -> list[str]:
    """A new set of recovery codes, with both factors; the old set dies."""
    confirm_password(user, password, field="password")
    mfa.check_second_factor(user, code, user_agent=user_agent, ip=ip)
    return mfa.renew_recovery_codes(user, user_agent=user_agent, ip=ip)


def turn_off_totp_for(*, user: User, actor: User) -> bool:
    """Staff turn a user's TOTP off (a lost phone, no recovery code left): every session
    of the user ends, so whoever held the phone's codes is out too. False if it was off."""
    check_may_manage(actor, user)
    with transaction.atomic():
        was_on = mfa.disable(user, actor=actor)
        if was_on:
            sessions.end_all_sessions(user)
    return was_on


# --- the rules on authority, passwords and identities, one home each -----------------------


def may_manage(actor: User, user: User) -> bool:
    """Superusers manage every account; other staff manage accounts that are not staff.
    (Granting or removing staff status is for superusers only: set_user_flags.)"""
    return actor.is_superuser or (actor.is_staff and not (user.is_staff or user.is_superuser))


def check_may_manage(actor: User, user: User) -> None:
    if not may_manage(actor, user):
        raise PermissionDenied("Only a superuser may change or delete a staff or superuser account.")


def confirm_password(user: User, password: str, *, field: str) -> None:
    """A change that could lock the owner out needs their current password, in `field`."""
    if not user.check_password(password):
        raise ValidationError({field: [f"Your {field.replace('_', ' ')} was entered incorrectly."]})


def check_password_strength(password: str, *, user: User, field: str) -> None:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS), as errors on `field`."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def _identity_taken(*, username: str) -> ValidationError:
    """The error for a write that lost a race to a user with the same username or email:
    on `username` if another user has it now (the write was rolled back, so the writer's
    own row still has its old name), on `email` otherwise."""
    if selectors.username_taken(username):
        return ValidationError({"username": [USERNAME_TAKEN]})
    return ValidationError({"email": [EMAIL_TAKEN]})
