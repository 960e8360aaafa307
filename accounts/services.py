from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.settings import api_settings

from . import selectors, tokens
from .models import User

# Errors about the request as a whole, in DRF's usual shape for them.
NON_FIELD_ERRORS = api_settings.NON_FIELD_ERRORS_KEY


def register_user(
    *,
    username: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create an active, non-staff user; username and email are unique whatever their case."""
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=username,
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
    except IntegrityError:
        # Lost a race with a registration of the same name or email.
        field = "username" if selectors.users_named(username).exists() else "email"
        raise ValidationError({field: [f"A user with that {field} already exists."]}) from None


def log_in(*, username: str, password: str, user_agent: str = "", ip: str | None = None) -> tokens.TokenPair:
    """Check credentials and start a session; every failure gets the same answer."""
    user = authenticate(None, username=username, password=password)
    if user is None:
        raise AuthenticationFailed(
            "No active account found with the given credentials.",
            code="invalid_credentials",
        )
    return tokens.start_session(user=user, user_agent=user_agent, ip=ip)


def update_profile(*, user: User, **fields) -> User:
    """Change a user's own profile fields; uniqueness is the serializer's and the database's."""
    for name, value in fields.items():
        setattr(user, name, value)
    try:
        with transaction.atomic():
            user.save(update_fields=list(fields))
    except IntegrityError:
        raise ValidationError({NON_FIELD_ERRORS: ["That username or email was just taken."]}) from None
    return user


def change_password(
    *, user: User, new_password: str, user_agent: str = "", ip: str | None = None
) -> tokens.TokenPair:
    """Set a new password, end every session, and start a fresh one for this client."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        tokens.end_all_sessions(user)
        return tokens.start_session(user=user, user_agent=user_agent, ip=ip)


def delete_account(*, user: User, password: str) -> None:
    """Delete the user with everything they own, once they confirm their password."""
    if not user.check_password(password):
        raise ValidationError({"password": ["Your password was entered incorrectly."]})
    user.delete()


def set_user_flags(
    *,
    user: User,
    actor: User,
    is_active: bool | None = None,
    is_staff: bool | None = None,
) -> User:
    """Staff change who may log in and who is staff; deactivation ends every session.

    Staff cannot demote or deactivate themselves here, so nobody locks themselves out.
    """
    if user.pk == actor.pk and False in (is_active, is_staff):
        raise ValidationError({NON_FIELD_ERRORS: ["You cannot deactivate or demote your own account."]})
    changed = {}
    if is_active is not None:
        changed["is_active"] = is_active
    if is_staff is not None:
        changed["is_staff"] = is_staff
    with transaction.atomic():
        for name, value in changed.items():
            setattr(user, name, value)
        user.save(update_fields=list(changed))
        if is_active is False:
            tokens.end_all_sessions(user)
    return user


def delete_user(*, user: User, actor: User) -> None:
    """Staff delete another user and everything they own."""
    if user.pk == actor.pk:
        raise ValidationError({NON_FIELD_ERRORS: ["Delete your own account at /api/accounts/me/."]})
    user.delete()
