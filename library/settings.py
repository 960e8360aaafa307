"""Settings for the library API, read from the environment.

Development defaults are safe for one machine (SQLite, local-memory cache, a secret
key kept in an ignored file). In production (DJANGO_DEBUG=false) a missing or short
secret key is a start-up error rather than a silent default.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)


# The shortest production key accepted: Django's own `check --deploy` minimum. The key
# signs every JWT, so a short one can be guessed offline from any token.
SECRET_KEY_MIN_LENGTH = 50


def _secret_key() -> str:
    key = env.str("DJANGO_SECRET_KEY", default="")
    if not DEBUG:
        if not key:
            raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=false.")
        if len(key) < SECRET_KEY_MIN_LENGTH:
            raise ImproperlyConfigured(
                f"DJANGO_SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters long when "
                f"DJANGO_DEBUG=false (it is {len(key)})."
            )
        return key
    if key:
        return key
    return _development_key(".secret_key")


def _development_key(name: str) -> str:
    """A development key in the file `name`, made once per checkout and never committed
    (.gitignore)."""
    key_file = BASE_DIR / name
    if not key_file.exists():
        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The task queue that delivers mail, and its table (settings: Mail).
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "authors",
    # The project package, as an app for the tables every app shares: the throttle
    # counters' (library/migrations).
    "library",
]

MIDDLEWARE = [
    "library.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "library.middleware.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware, so that its redirects carry the CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "library.middleware.AdminMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "library.urls"
WSGI_APPLICATION = "library.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "library" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Keep connections open between requests, and check them before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# FULL by default; NORMAL only where losing the last commits to a power cut is acceptable.
SQLITE_SYNCHRONOUS = env.str("SQLITE_SYNCHRONOUS", default="FULL").upper()
if SQLITE_SYNCHRONOUS not in ("FULL", "EXTRA", "NORMAL"):
    raise ImproperlyConfigured("SQLITE_SYNCHRONOUS must be FULL (the default), EXTRA or NORMAL.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Under several gunicorn workers: readers never wait for the writer (WAL), and
    # writers take the lock when their transaction starts (IMMEDIATE) and queue for up
    # to `timeout` seconds instead of failing with "database is locked". Each commit
    # waits for an fsync (synchronous=FULL): with NORMAL, a power cut or an OS crash
    # could lose the last commits, a revocation or a password change among them.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS};",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# CACHE_URL wins over REDIS_URL; without either, each process has its own memory cache.
SHARED_CACHE_URL = env.str("CACHE_URL", default=env.str("REDIS_URL", default=""))
CACHES = {
    "default": env.cache_url_config(SHARED_CACHE_URL or "locmemcache://library"),
    # The throttle counters (accounts/throttles.py) must be shared by every process
    # serving the site, or each of N gunicorn workers allows the whole rate and a client
    # gets N times its budget. Without CACHE_URL or REDIS_URL they live in the database,
    # which every worker, and every host, of a deployment already shares; its table
    # comes with a migration (library/migrations), so `make run` and `make serve` need
    # nothing more. Not a file cache: that is shared by one host's workers only, and
    # needs a writable directory beside the code. The price is a few small queries per
    # throttled request (a 429 only reads); a busy site sets REDIS_URL.
    "throttles": env.cache_url_config(SHARED_CACHE_URL)
    if SHARED_CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "library_throttle_counters",
        # When full, the table drops a third of its rows: high enough that nobody empties
        # other addresses' counters (or their own) by cycling through addresses.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.UsernameOrEmailBackend"]

# Argon2 hashes new passwords; PBKDF2 stays so older hashes verify and are upgraded on login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# whitenoise serves the collected files (make serve runs collectstatic) with gzip and
# brotli variants; no manifest, so a page never fails over a file not yet collected.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Production over HTTPS (behind a proxy that sets X-Forwarded-Proto) ---------------
# DJANGO_HTTPS=true turns on what `manage.py check --deploy` asks for.
HTTPS = env.bool("DJANGO_HTTPS", default=False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)

# --- Browser front-ends on other origins (README: Browsers and cookies) ----------------
# Origins ("https://app.example.com") whose pages may call the API with the browser's
# cookies and read its answers. Empty by default: no cross-origin access at all.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_CREDENTIALS = True  # only ever sent to the origins above
CORS_URLS_REGEX = r"^/api/.*$"
# Origins whose unsafe requests pass the CSRF check (Django compares the Origin header):
# a cookie-transport front-end on another origin must be listed here too.
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- Logging: to stdout, one line per request (library/request_log.py) ---------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "filters": {"hide_query_strings": {"()": "library.request_log.HideQueryStrings"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": env.str("LOG_FORMAT", default="plain"),
            "filters": ["hide_query_strings"],
        },
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own loggers go through the same handler, once (not also to stderr).
    "loggers": {"django": {"handlers": ["stdout"], "level": "INFO", "propagate": False}},
}

CSRF_FAILURE_VIEW = "library.views.csrf_failure"
LOGIN_URL = "rest_framework:login"
LOGIN_REDIRECT_URL = "/api/"
LOGOUT_REDIRECT_URL = "/api/"

# --- API policy: what a client developer can count on -------------------------------
# Page size: 20 by default, a client may ask for up to 100 with ?page_size=.
API_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100
# Login, register and refresh are limited per client address (see accounts/throttles).
THROTTLE_RATES = {
    "login": env.str("THROTTLE_LOGIN", default="10/min"),
    "register": env.str("THROTTLE_REGISTER", default="5/min"),
    "refresh": env.str("THROTTLE_REFRESH", default="30/min"),
    # Per user: password change and account deletion, which check the current password.
    "password": env.str("THROTTLE_PASSWORD", default="5/min"),
    # Asking for a password reset or a verification mail: per client address, and per
    # email address asked for, whichever address asks (one inbox is not flooded).
    "mail": env.str("THROTTLE_MAIL", default="5/min"),
    "mail_address": env.str("THROTTLE_MAIL_ADDRESS", default="3/hour"),
    # Per client address: the second step of a login (a TOTP or recovery code).
    "mfa": env.str("THROTTLE_MFA", default="10/min"),
}
# Account lockout (accounts/lockout.py): LOCKOUT_FAILURES wrong passwords for one
# username or email within LOCKOUT_WINDOW seconds, from any addresses, and its logins are
# refused (429) for LOCKOUT_WINDOW seconds; a password reset lifts it. Counted in the
# "throttles" cache.
LOCKOUT_FAILURES = env.int("LOCKOUT_FAILURES", default=10)
LOCKOUT_WINDOW = env.int("LOCKOUT_WINDOW", default=15 * 60)
# How many proxies in front of the server append to X-Forwarded-For. 0 trusts only the
# socket address, so a client cannot dodge the throttles by sending its own header.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.RevocableJWTAuthentication",
        "accounts.authentication.AccessCookieAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "library.rendering.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "library.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "library.rendering.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "library.api.Pagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    "NUM_PROXIES": NUM_PROXIES,
    "EXCEPTION_HANDLER": "library.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "library.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# --- Tokens -------------------------------------------------------------------------
# An access token lives JWT_ACCESS_MINUTES; a login session lives JWT_REFRESH_DAYS after
# its last refresh. Rotation and revocation are ours (accounts/sessions.py), so SimpleJWT's
# own rotation switches stay off.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": False,
    "BLACKLIST_AFTER_ROTATION": False,
    "UPDATE_LAST_LOGIN": False,
    # Tokens are signed and checked by the keyring (accounts/keyring.py) through
    # accounts/jwt.py's token classes, never with SimpleJWT's SIGNING_KEY (which would
    # default to SECRET_KEY); these are the classes the bearer authentication accepts.
    "AUTH_TOKEN_CLASSES": ("accounts.jwt.SignedAccessToken",),
    "AUTH_HEADER_TYPES": ("Bearer",),
}
# The cookie transport (accounts/cookies.py): the names of the HttpOnly token cookies, and
# their SameSite (Lax, Strict, or None, which browsers accept only with DJANGO_HTTPS=true).
JWT_COOKIE_ACCESS = env.str("JWT_COOKIE_ACCESS", default="access_token")
JWT_COOKIE_REFRESH = env.str("JWT_COOKIE_REFRESH", default="refresh_token")
JWT_COOKIE_SAMESITE = env.str("JWT_COOKIE_SAMESITE", default="Lax")
if JWT_COOKIE_SAMESITE not in ("Lax", "Strict", "None"):
    raise ImproperlyConfigured("JWT_COOKIE_SAMESITE must be Lax, Strict or None.")
# Live login sessions a user may hold at once. A login beyond it ends the least recently
# used one (SESSION_EVICTED in the security log), so a leaked password cannot pile up
# sessions without bound (accounts/sessions.py).
MAX_SESSIONS_PER_USER = env.int("MAX_SESSIONS_PER_USER", default=50)
if MAX_SESSIONS_PER_USER < 1:
    raise ImproperlyConfigured("MAX_SESSIONS_PER_USER must be at least 1.")
# A login from a client (user agent) and address the account has not logged in from for
# this many days mails a "new sign-in" notice. The history is the security log's
# login_succeeded events, so this stays below the days they are kept (180).
NEW_SIGN_IN_AFTER_DAYS = env.int("NEW_SIGN_IN_AFTER_DAYS", default=90)

# --- The second factor (accounts/mfa.py) ------------------------------------------
# TOTP secrets are encrypted at rest with a key derived (HKDF) from MFA_ENCRYPTION_KEY,
# or from SECRET_KEY (then SECRET_KEY_FALLBACKS still decrypt) when it is not set. Set it
# if SECRET_KEY may rotate: a lost key turns every user's second factor off in effect.
MFA_ENCRYPTION_KEY = env.str("MFA_ENCRYPTION_KEY", default="")
# The name authenticator apps show beside the account.
MFA_ISSUER = env.str("MFA_ISSUER", default="Library")
# The second step of a login: its mfa_token works MFA_TOKEN_SECONDS and MFA_TOKEN_TRIES
# wrong codes; one user's wrong codes, over all their logins, at most MFA_USER_FAILURES
# in MFA_USER_WINDOW_SECONDS (then every second step of theirs is refused until the
# window passes).
MFA_TOKEN_SECONDS = 5 * 60
MFA_TOKEN_TRIES = 5
MFA_USER_FAILURES = 10
MFA_USER_WINDOW_SECONDS = 15 * 60

# --- Signing keys (README: Signing keys) ------------------------------------------------
# Tokens are signed with a key of their own, never SECRET_KEY. JWT_ALGORITHM is the
# algorithm of the current key: HS256 (one shared secret, the default) or EdDSA, ES256,
# RS256 (a private key here, its public half at /.well-known/jwks.json for other services).
JWT_ALGORITHMS = ("HS256", "EdDSA", "ES256", "RS256")
JWT_ALGORITHM = env.str("JWT_ALGORITHM", default="HS256")
if JWT_ALGORITHM not in JWT_ALGORITHMS:
    raise ImproperlyConfigured(f"JWT_ALGORITHM must be one of {', '.join(JWT_ALGORITHMS)}.")
# An HS256 key shorter than its hash (256 bits) can be guessed offline from any token.
JWT_SIGNING_KEY_MIN_BYTES = 32


def _jwt_signing_key() -> str:
    """The HS256 secret: JWT_SIGNING_KEY; in development, made once into an ignored file."""
    key = env.str("JWT_SIGNING_KEY", default="")
    if not DEBUG and JWT_ALGORITHM == "HS256":
        if not key:
            raise ImproperlyConfigured("JWT_SIGNING_KEY must be set when DJANGO_DEBUG=false.")
        if len(key.encode()) < JWT_SIGNING_KEY_MIN_BYTES:
            raise ImproperlyConfigured(
                f"JWT_SIGNING_KEY must be at least {JWT_SIGNING_KEY_MIN_BYTES} bytes (256 bits) long when "
                f"DJANGO_DEBUG=false (it is {len(key.encode())})."
            )
    if key or not DEBUG or JWT_ALGORITHM != "HS256":
        return key
    return _development_key(".jwt_signing_key")


def _jwt_private_key() -> str:
    """The EdDSA, ES256 or RS256 private key in PEM: JWT_PRIVATE_KEY, or the file
    JWT_PRIVATE_KEY_FILE names. In development without one, the keyring makes its own."""
    key, key_file = env.str("JWT_PRIVATE_KEY", default=""), env.str("JWT_PRIVATE_KEY_FILE", default="")
    if key_file:
        try:
            key = Path(key_file).read_text()
        except OSError as error:
            raise ImproperlyConfigured(f"JWT_PRIVATE_KEY_FILE cannot be read: {error}") from None
    if not DEBUG and JWT_ALGORITHM != "HS256" and not key.strip():
        raise ImproperlyConfigured(
            f"JWT_PRIVATE_KEY_FILE (or JWT_PRIVATE_KEY) must hold a {JWT_ALGORITHM} private key in PEM "
            "when DJANGO_DEBUG=false; make one with `manage.py jwt_keys generate`."
        )
    return key.strip()


JWT_SIGNING_KEY = _jwt_signing_key()
JWT_PRIVATE_KEY = _jwt_private_key() if JWT_ALGORITHM != "HS256" else ""
# A process keeps the keyring in memory; it reads it again to sign a token, to serve the
# JWK Set or for a key id it has not seen (at most once a second each), and otherwise
# every JWT_KEYRING_RELOAD_SECONDS (when a dropped key's tokens have expired anyway).
JWT_KEYRING_RELOAD_SECONDS = env.int("JWT_KEYRING_RELOAD_SECONDS", default=300)

# --- Mail: recovery, verification, security notices -------------------------------
# No request talks to the mail server. A change that causes a mail enqueues a task in its
# own transaction (the queue is a table: django-tasks-db), and a worker delivers it:
# `manage.py db_worker`, which `make run` starts beside the development server. No
# service beyond the database; any number of workers, on any host sharing the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# smtp://user:password@host:587, smtp+tls://... (STARTTLS), smtp+ssl://..., or
# consolemail:// (the default: the worker prints each mail). check --deploy warns about
# the console, a from-address at localhost and mail links without a site.
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://")
globals().update(env.email_url_config(EMAIL_URL))
# A mail server that does not answer fails the attempt after this many seconds.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
SITE_NAME = env.str("SITE_NAME", default="Library")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <noreply@localhost>")
# Links in mails go to FRONTEND_URL's /reset-password and /verify-email when a front-end
# handles them, otherwise to the small pages this server renders, under SITE_URL.
FRONTEND_URL = env.str("FRONTEND_URL", default="").rstrip("/")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
# none: no verification mail at registration; optional: a mail, and unverified accounts
# work; mandatory: no login before the address is verified, and registration answers
# alike whether or not the address has an account (README: Email verification).
EMAIL_VERIFICATION = env.str("EMAIL_VERIFICATION", default="optional").lower()
if EMAIL_VERIFICATION not in ("none", "optional", "mandatory"):
    raise ImproperlyConfigured("EMAIL_VERIFICATION must be none, optional (the default) or mandatory.")
# How long a password reset link works (seconds), and a verification link.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
EMAIL_VERIFICATION_TIMEOUT = env.int("EMAIL_VERIFICATION_TIMEOUT", default=3 * 24 * 60 * 60)
# A delivery that fails is tried again after EMAIL_RETRY_SECONDS, then after twice as
# long each time, EMAIL_DELIVERY_ATTEMPTS tries in all (about 15 minutes); then it waits
# in the admin (Outgoing mails) for staff to retry.
EMAIL_DELIVERY_ATTEMPTS = env.int("EMAIL_DELIVERY_ATTEMPTS", default=6)
EMAIL_RETRY_SECONDS = env.int("EMAIL_RETRY_SECONDS", default=30)

SPECTACULAR_SETTINGS = {
    "TITLE": "Library API",
    "DESCRIPTION": (
        "A personal library: register, log in for a JWT pair, keep a private list of "
        "authors. Click **Authorize** and paste an access token from "
        "`POST /api/auth/token/`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Operation ids and tags from the path after /api/ (`auth`, `accounts`, `authors`), even
    # with a view outside it (/.well-known/jwks.json, which the schema leaves out).
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    # Request bodies are documented as JSON only: what every client sends. The form and
    # multipart parsers stay in REST_FRAMEWORK for the browsable API's HTML forms, which
    # read no schema; documented, they made generated clients send multipart.
    "PARSER_WHITELIST": ["library.parsers.JSONParser"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "library.schema.name_the_server",
        "library.schema.bearer_first",
    ],
    # Swagger UI and ReDoc assets come from drf-spectacular-sidecar, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    # A name of its own for the security log's types, not the generic "TypeEnum".
    "ENUM_NAME_OVERRIDES": {"SecurityEventType": "accounts.models.SecurityEvent.Type"},
    "TAGS": [
        {"name": "auth", "description": "Registration, tokens and login sessions."},
        {"name": "accounts", "description": "Your own account, and users for staff."},
        {"name": "authors", "description": "Your private list of authors."},
        {"name": "health", "description": "Liveness for load balancers."},
    ],
}
