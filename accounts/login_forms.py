"""The session login forms (the browsable API's and the admin's), held to the login budget.

Each form submission is one login attempt from the same per-address budget that
POST /api/auth/token/ spends (accounts/throttles.py), so a browser form is no way around
it. An attempt over budget is refused before the password is looked at: it costs no
hash, and the page says so, with 429 and Retry-After. A wrong password counts towards
the account lockout shared with the API, and a locked-out identifier is refused the same
way (accounts/lockout.py). Django's own LoginView does the
rest; library/urls.py wires these in.
"""

import math
from functools import wraps

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from . import lockout, verification
from .client import client_details
from .errors import AccountLocked, EmailNotVerified
from .throttles import login_attempt_wait

TOO_MANY_ATTEMPTS = "Too many login attempts from your address. Try again in %(wait)s seconds."
LOCKED_OUT = "Too many failed logins for this account. Try again in %(wait)s seconds."


class LoginBudgetMixin:
    """For an AuthenticationForm: spend one attempt, and refuse it over budget or locked
    out before authenticate() hashes anything; count a wrong password."""

    throttled_for: int | None = None  # seconds, once an attempt was refused

    def clean(self):
        wait = login_attempt_wait(self.request)
        if wait is not None:
            self.throttled_for = math.ceil(wait)
            raise ValidationError(TOO_MANY_ATTEMPTS, code="throttled", params={"wait": self.throttled_for})
        identifier = self.cleaned_data.get("username") or ""
        try:
            lockout.check(identifier)
        except AccountLocked as locked:
            self.throttled_for = locked.retry_after
            raise ValidationError(LOCKED_OUT, code=locked.code, params={"wait": self.throttled_for}) from None
        try:
            return super().clean()
        except ValidationError as refusal:
            if refusal.code == "invalid_login":
                lockout.note_failure(identifier, **client_details(self.request))
            raise


class LoginForm(LoginBudgetMixin, AuthenticationForm):
    """The browsable API's login form (/api-auth/login/): with EMAIL_VERIFICATION=mandatory,
    like POST /api/auth/token/, for verified addresses only. (The admin's is for staff,
    trusted as they are.)"""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        try:
            verification.check_may_log_in(user)
        except EmailNotVerified as refusal:
            raise ValidationError(refusal.message, code=refusal.code) from None


class AdminLoginForm(LoginBudgetMixin, AdminAuthenticationForm):
    """The admin's login form (/admin/login/): staff only, as before."""


def login_page(view):
    """A login view whose form is a LoginBudgetMixin: a refused attempt answers 429 with
    Retry-After, on the same page with the form's message."""

    @wraps(view)
    def page(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        throttled_for = getattr(form, "throttled_for", None)
        if throttled_for is not None:
            response.status_code = 429
            response["Retry-After"] = str(throttled_for)
        return response

    return page
