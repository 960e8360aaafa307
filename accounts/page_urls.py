"""The HTML pages of mailed links (accounts/views/pages.py), under /accounts/."""

from django.urls import path

from .views import pages

app_name = "account-pages"

urlpatterns = [
    path("reset/done/", pages.PasswordResetDonePage.as_view(), name="password-reset-done"),
    path("reset/<uidb64>/<token>/", pages.PasswordResetPage.as_view(), name="password-reset"),
    path("verify-email/", pages.VerifyEmailPage.as_view(), name="verify-email"),
]
