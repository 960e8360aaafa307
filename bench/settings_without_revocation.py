"""The project's settings with SimpleJWT's plain authentication instead of ours: the
same user lookup, no revocation check. Only the benchmark uses it, to price the check."""

from library.settings import *  # noqa: F403
from library.settings import REST_FRAMEWORK

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
}
