from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from accounts.login_forms import AdminLoginForm, LoginForm, login_page
from accounts.views.keys import WellKnownJWKSView

from .views import HealthView, api_root, not_found

# The session login forms spend the API's login budget (accounts/login_forms.py). They
# come before the admin's and DRF's own routes, which they replace; reverse() still
# finds "admin:login" and "rest_framework:login" at the same paths.
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", RedirectView.as_view(url="/api/", permanent=False)),
    path("admin/login/", login_page(admin.site.login)),
    path("admin/", admin.site.urls),
    path(
        "api-auth/login/",
        login_page(
            LoginView.as_view(template_name="rest_framework/login.html", authentication_form=LoginForm)
        ),
    ),
    path("api-auth/", include("rest_framework.urls")),
    # Where JWKS clients look first (RFC 8414, OpenID Connect Discovery); the same answer
    # as /api/auth/jwks/, which the schema documents.
    path(".well-known/jwks.json", WellKnownJWKSView.as_view(), name="jwks-well-known"),
    path("api/", api_root, name="api-root"),
    path("api/health/", HealthView.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Authors first: most requests are theirs, and a URL is matched pattern by pattern.
    path("api/", include("authors.urls")),
    path("api/", include("accounts.urls")),
    path("accounts/", include("accounts.page_urls")),
    re_path(r"^api/", not_found),
]

handler400 = "library.views.bad_request"
handler500 = "library.views.server_error"
