from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import account, auth, events, keys, mfa, recovery

app_name = "accounts"

router = SimpleRouter()
router.register("auth/sessions", auth.LoginSessionViewSet, basename="session")
router.register("accounts/users", account.UserViewSet, basename="user")

urlpatterns = [
    path("auth/register/", auth.RegisterView.as_view(), name="register"),
    path("auth/token/", auth.LoginView.as_view(), name="token"),
    path("auth/token/mfa/", mfa.LoginCodeView.as_view(), name="token-mfa"),
    path("auth/token/refresh/", auth.RefreshView.as_view(), name="token-refresh"),
    path("auth/token/verify/", auth.VerifyView.as_view(), name="token-verify"),
    path("auth/csrf/", auth.CsrfView.as_view(), name="csrf"),
    path("auth/token/revoke/", auth.RevokeView.as_view(), name="token-revoke"),
    path("auth/logout/", auth.LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", auth.LogoutAllView.as_view(), name="logout-all"),
    path("auth/events/", events.SecurityEventListView.as_view(), name="events"),
    path("auth/jwks/", keys.JWKSView.as_view(), name="jwks"),
    path("auth/password-reset/", recovery.PasswordResetView.as_view(), name="password-reset"),
    path(
        "auth/password-reset/confirm/",
        recovery.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("auth/email/verify/", recovery.EmailVerifyView.as_view(), name="email-verify"),
    path("auth/email/verify/resend/", recovery.EmailVerifyResendView.as_view(), name="email-verify-resend"),
    path("auth/mfa/totp/", mfa.TotpView.as_view(), name="totp"),
    path("auth/mfa/totp/setup/", mfa.TotpSetupView.as_view(), name="totp-setup"),
    path("auth/mfa/totp/confirm/", mfa.TotpConfirmView.as_view(), name="totp-confirm"),
    path("auth/mfa/recovery-codes/", mfa.RecoveryCodesView.as_view(), name="recovery-codes"),
    path("accounts/me/", account.MeView.as_view(), name="me"),
    path("accounts/me/password/", account.PasswordChangeView.as_view(), name="password"),
    *router.urls,
]
