"""The pages a mailed link opens when no front-end does (FRONTEND_URL unset), so that a
user with nothing but the mail can set a new password or confirm an address: wiring for
accounts/recovery.py and accounts/verification.py, in the look of Django's auth pages.

The reset page is Django's PasswordResetConfirmView, which moves the token out of the
address bar into the session before showing the form (no Referer carries it away); the
password is then set by recovery.reset_password, like the API's. Confirming an address
takes a click (a POST): a mail scanner that opens the link confirms nothing.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from .. import recovery, tokens, verification
from ..client import client_details


class PageMixin:
    def get_context_data(self, **kwargs):
        return super().get_context_data(site_name=settings.SITE_NAME, **kwargs)


class PasswordResetPage(PageMixin, auth_views.PasswordResetConfirmView):
    template_name = "accounts/pages/password_reset_confirm.html"
    success_url = reverse_lazy("account-pages:password-reset-done")
    extra_context = {"invalid_link": tokens.INVALID_RESET_LINK}

    def form_valid(self, form):
        try:
            recovery.reset_password(
                uid=self.kwargs["uidb64"],
                token=self.request.session[INTERNAL_RESET_SESSION_TOKEN],
                new_password=form.cleaned_data["new_password1"],
                **client_details(self.request),
            )
        except ValidationError as refusal:
            for field, messages in refusal.message_dict.items():
                form.add_error("new_password1" if field == "new_password" else None, messages)
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDonePage(PageMixin, auth_views.PasswordResetCompleteView):
    template_name = "accounts/pages/password_reset_complete.html"


@method_decorator(never_cache, name="dispatch")
class VerifyEmailPage(PageMixin, TemplateView):
    template_name = "accounts/pages/verify_email.html"
    extra_context = {"title": "Confirm your email address"}

    def get(self, request):
        key = request.GET.get("key", "")
        try:
            _, address = tokens.read_verification_key(key)
        except ValidationError as refusal:
            return self.render_to_response(self.get_context_data(problem=refusal.message_dict["key"][0]))
        return self.render_to_response(self.get_context_data(key=key, address=address))

    def post(self, request):
        try:
            user = verification.verify_email(request.POST.get("key", ""), **client_details(request))
        except ValidationError as refusal:
            return self.render_to_response(self.get_context_data(problem=refusal.message_dict["key"][0]))
        login_url = resolve_url(settings.LOGIN_URL)
        return self.render_to_response(self.get_context_data(verified=user.email, login_url=login_url))
