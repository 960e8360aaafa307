from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "accounts"

router = SimpleRouter()
router.register("auth/sessions", views.LoginSessionViewSet, basename="session")
router.register("accounts/users", views.UserViewSet, basename="user")

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="register"),
    path("auth/token/", views.LoginView.as_view(), name="token"),
    path("auth/token/refresh/", views.RefreshView.as_view(), name="token-refresh"),
    path("auth/token/verify/", views.VerifyView.as_view(), name="token-verify"),
    path("auth/token/revoke/", views.RevokeView.as_view(), name="token-revoke"),
    path("auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", views.LogoutAllView.as_view(), name="logout-all"),
    path("accounts/me/", views.MeView.as_view(), name="me"),
    path("accounts/me/password/", views.PasswordChangeView.as_view(), name="password"),
    *router.urls,
]
