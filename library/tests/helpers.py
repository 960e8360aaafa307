"""What the test modules share: the API's paths and the ways to build a client.

Test modules import from here (and from the apps' factories), never from each other;
conftest.py turns the clients into fixtures per role.
"""

import os
import re
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyotp
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import mfa, sessions

BASE_DIR = Path(__file__).resolve().parent.parent.parent

REGISTER = "/api/auth/register/"
LOGIN = "/api/auth/token/"
REFRESH = "/api/auth/token/refresh/"
VERIFY = "/api/auth/token/verify/"
REVOKE = "/api/auth/token/revoke/"
LOGOUT = "/api/auth/logout/"
LOGOUT_ALL = "/api/auth/logout-all/"
SESSIONS = "/api/auth/sessions/"
EVENTS = "/api/auth/events/"
ME = "/api/accounts/me/"
PASSWORD_CHANGE = "/api/accounts/me/password/"
PASSWORD_RESET = "/api/auth/password-reset/"
PASSWORD_RESET_CONFIRM = "/api/auth/password-reset/confirm/"
EMAIL_VERIFY = "/api/auth/email/verify/"
EMAIL_VERIFY_RESEND = "/api/auth/email/verify/resend/"
USERS = "/api/accounts/users/"
TOTP = "/api/auth/mfa/totp/"
TOTP_SETUP = "/api/auth/mfa/totp/setup/"
TOTP_CONFIRM = "/api/auth/mfa/totp/confirm/"
RECOVERY_CODES = "/api/auth/mfa/recovery-codes/"
LOGIN_CODE = "/api/auth/token/mfa/"
AUTHORS = "/api/authors/"
JWKS = "/api/auth/jwks/"
WELL_KNOWN_JWKS = "/.well-known/jwks.json"


def run_python(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`python *args` in the checkout, in this environment with its DJANGO_* variables
    and JWT_* variables replaced by `env`; output captured as text, never raising on failure."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JWT_"))} | env
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def manage_py(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run_python("manage.py", *args, **env)


def with_settings(code: str, **env: str) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter after django.setup(), with `env` as above."""
    setup = f"import django; django.setup(); {code}"
    return run_python("-c", setup, DJANGO_SETTINGS_MODULE="library.settings", **env)


def client_with_authorization(value: str) -> APIClient:
    """An API client that sends `Authorization: <value>` with every request."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=value)
    return client


def bearer_client(access: str) -> APIClient:
    """An API client that presents the access token `access`."""
    return client_with_authorization(f"Bearer {access}")


def client_for(user) -> APIClient:
    """An API client holding a fresh login session of `user`; the pair is on `client.pair`."""
    pair = sessions.start_session(user=user, user_agent="pytest")
    client = bearer_client(pair.access)
    client.pair = pair
    return client


def turn_on_totp(user) -> tuple[str, list[str]]:
    """Turn `user`'s second factor on, as of three time steps ago (so that the codes of
    now are unspent): its secret and its recovery codes."""
    with time_machine.travel(timezone.now() - timedelta(seconds=90), tick=False):
        secret = mfa.begin_setup(user).secret
        codes = mfa.confirm_setup(user, code=pyotp.TOTP(secret).now())
    return secret, codes


def totp_code(secret: str, steps: int = 0) -> str:
    """The TOTP code of `secret` now, or `steps` time steps from now."""
    return pyotp.TOTP(secret).at(timezone.now(), counter_offset=steps)


def readme_block(heading: str, language: str = "sh", nth: int = 0) -> str:
    """The `nth` ```language block under `heading` in README.md (the first by default)."""
    readme = (BASE_DIR / "README.md").read_text()
    section = readme[readme.index(heading) :]
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)[nth]


def author_names(response) -> list[str]:
    """The names on a page of GET /api/authors/, in the order given."""
    return [author["name"] for author in response.json()["results"]]


def mailed_link(message) -> str:
    """The one link in a mail's plain-text part: a Django EmailMessage (the locmem
    outbox) or a parsed email.message.EmailMessage (what an SMTP server received)."""
    text = message.body if hasattr(message, "body") else message.get_body(("plain",)).get_content()
    [link] = re.findall(r"https?://\S+", text)
    return link


def reset_link_fields(message) -> dict[str, str]:
    """The `uid` and `token` of a mailed reset link, whether it opens this server's page
    (/accounts/reset/<uid>/<token>/) or FRONTEND_URL's (?uid=...&token=...)."""
    link = urlsplit(mailed_link(message))
    query = parse_qs(link.query)
    if "uid" in query:
        return {"uid": query["uid"][0], "token": query["token"][0]}
    uid, token = link.path.rstrip("/").split("/")[-2:]
    return {"uid": uid, "token": token}


def verification_key(message) -> str:
    """The `key` of a mailed verification link."""
    return parse_qs(urlsplit(mailed_link(message)).query)["key"][0]


def mails_to(outbox, address: str, subject: str = "") -> list:
    """The mails in `outbox` to `address`, whose subject contains `subject`."""
    return [message for message in outbox if message.to == [address] and subject in message.subject]


class _FormReader(HTMLParser):
    """What a browser would submit from the first <form method="post"> of a page."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.setdefault(self._select, []).append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(name, []).append("")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_fields(html: str) -> dict[str, list[str]]:
    """The fields of a page's first POST form as a browser would send them, unchanged."""
    reader = _FormReader()
    reader.feed(html)
    return reader.fields
