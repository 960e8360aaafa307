"""What each mail says and whom it goes to. The worker composes a mail at each attempt
(accounts/tasks.py), from a template pair per kind: a plain-text and an HTML part under
accounts/templates/accounts/mail/.

Composing in the worker, not in the request, is what keeps secrets out of storage: a
reset token or a verification key is made here, put in the link and sent, and the queue
holds only the kind, the address and what the text tells. It is also where an address is
looked up, so that asking for a reset costs a request the same whether or not the
address has an account.

Links go to FRONTEND_URL's /reset-password, /verify-email and /sessions when it is set,
otherwise to the pages this server renders (accounts/views/pages.py) and the API's list
of sessions, under SITE_URL.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from . import selectors, tokens
from .models import User, identity_key

# The kinds of mail, each a template pair accounts/mail/<kind>.txt and .html. (Names of
# mails, not passwords: S105.)
PASSWORD_RESET = "password_reset"  # noqa: S105
VERIFY_EMAIL = "verify_email"
# Security notices: what happened, when, from which address and client, what to do.
PASSWORD_CHANGED = "password_changed"  # noqa: S105
PASSWORD_RESET_DONE = "password_reset_done"  # noqa: S105
EMAIL_CHANGE_REQUESTED = "email_change_requested"
ACCOUNT_DELETED = "account_deleted"
REGISTRATION_ATTEMPT = "registration_attempt"
NEW_SIGN_IN = "new_sign_in"  # a login from a client and address not seen lately (sessions.py)

SUBJECTS = {
    PASSWORD_RESET: "Set a new password",
    VERIFY_EMAIL: "Confirm your email address",
    PASSWORD_CHANGED: "Your password was changed",
    PASSWORD_RESET_DONE: "Your password was reset",
    EMAIL_CHANGE_REQUESTED: "A change of your email address was requested",
    ACCOUNT_DELETED: "Your account was deleted",
    REGISTRATION_ATTEMPT: "Someone tried to register with your email address",
    NEW_SIGN_IN: "New sign-in to your account",
}


@dataclass(frozen=True)
class Composed:
    message: EmailMultiAlternatives
    to: str
    user: User | None


def compose(kind: str, *, to: str, user: User | None, context: dict) -> Composed | None:
    """The mail of `kind` to `to`, or None when there is nothing to send (no account has
    the address asked for; the address was verified meanwhile).

    A link goes to the address as the account stores it, never as the request spelt it:
    two spellings that compare equal (in another case or Unicode form) may still be two
    mailboxes, and the other one may be an attacker's."""
    links = {
        PASSWORD_RESET: _password_reset_link,
        VERIFY_EMAIL: _verification_link,
        NEW_SIGN_IN: _sessions_link,
    }
    extra = {}
    if kind in links:
        found = links[kind](to, user)
        if found is None:
            return None
        user, to, extra = found
    values = {
        **context,
        **extra,
        "site_name": settings.SITE_NAME,
        "to": to,
        "username": user.username if user is not None else context.get("username", ""),
        "when": datetime.fromisoformat(context["when"]) if context.get("when") else None,
    }
    message = EmailMultiAlternatives(
        subject=f"{settings.SITE_NAME}: {SUBJECTS[kind]}",
        body=render_to_string(f"accounts/mail/{kind}.txt", values),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"accounts/mail/{kind}.html", values), "text/html")
    return Composed(message=message, to=to, user=user)


def _password_reset_link(to: str, user: User | None) -> tuple[User, str, dict] | None:
    """A reset link only for an active account's own address."""
    user = user or selectors.users_with_email(to).first()
    if user is None or not user.is_active or identity_key(to) != user.email_key:
        return None
    uid, token = tokens.reset_uid(user), tokens.make_reset_token(user)
    if settings.FRONTEND_URL:
        link = f"{settings.FRONTEND_URL}/reset-password?{urlencode({'uid': uid, 'token': token})}"
    else:
        link = _site_url() + reverse("account-pages:password-reset", kwargs={"uidb64": uid, "token": token})
    return user, user.email, {"link": link, "valid_for": _duration(settings.PASSWORD_RESET_TIMEOUT)}


def _verification_link(to: str, user: User | None) -> tuple[User, str, dict] | None:
    """A verification link for an address that still awaits it: an account's own
    (registration, resend) or its pending new one (a change of address)."""
    user = user or selectors.users_with_email(to).first()
    if user is None or not tokens.awaits_verification(user, to):
        return None
    is_change = identity_key(to) != user.email_key
    address = user.pending_email if is_change else user.email
    query = urlencode({"key": tokens.make_verification_key(user, address)})
    if settings.FRONTEND_URL:
        base = f"{settings.FRONTEND_URL}/verify-email"
    else:
        base = _site_url() + reverse("account-pages:verify-email")
    return (
        user,
        address,
        {
            "link": f"{base}?{query}",
            "valid_for": _duration(settings.EMAIL_VERIFICATION_TIMEOUT),
            "is_change": is_change,
        },
    )


def _sessions_link(to: str, user: User | None) -> tuple[User, str, dict] | None:
    """Where the owner of a new sign-in sees their sessions and ends one: the front-end's
    /sessions, or the API's list (the browsable API, after its login). Nothing for an
    account deleted meanwhile."""
    if user is None:
        return None
    if settings.FRONTEND_URL:
        link = f"{settings.FRONTEND_URL}/sessions"
    else:
        link = _site_url() + reverse("accounts:session-list")
    return user, to, {"link": link}


def _site_url() -> str:
    if not settings.SITE_URL:
        raise ImproperlyConfigured("Mail links need SITE_URL (this server's address) or FRONTEND_URL.")
    return settings.SITE_URL


def _duration(seconds: int) -> str:
    """3600 → "1 hour", 259200 → "3 days", 90 → "2 minutes" (rounded up)."""
    for unit, size in (("day", 86400), ("hour", 3600)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
