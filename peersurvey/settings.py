"""Settings for Peer Support Survey.

One module for every environment: anything that differs in production is an
environment variable, listed with a safe default in `.env.example`, or a line of
a `.env` file beside manage.py (the real environment wins over the file).
"""

import os
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# Before any setting is read. override=False: a variable the process already has wins.
# PEERSURVEY_ENV_FILE names another file ("" for none: the test run reads none).
_env_file = os.environ.get("PEERSURVEY_ENV_FILE", str(BASE_DIR / ".env"))
if _env_file:
    load_dotenv(_env_file, override=False)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY and not DEBUG:
    # No fallback: a key everyone can read would let anyone sign sessions and CSRF tokens.
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment or in .env (see .env.example) to a long random string, "
        'made with: python3 -c "import secrets; print(secrets.token_urlsafe(50))". '
        "For development only, DEBUG=1 runs with a built-in key (make run does this)."
    )
# Development only (DEBUG=1). The "django-insecure-" prefix makes `check --deploy` flag it.
SECRET_KEY = SECRET_KEY or "django-insecure-development-only-key-change-me"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "accounts",
    "surveys",
    "audit",
    "dashboard",
    "demo",
    # The second factor (accounts/mfa.py, docs/sign-in.md): an authenticator app's 6-digit codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    # First: /healthz answers before the https redirect and the Host check (peersurvey/health.py).
    "peersurvey.health.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 before anything reads it (peersurvey/limits.py).
    "peersurvey.limits.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "peersurvey.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.mfa.SecondFactorMiddleware",
    "accounts.auth.RenewSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

AUTHENTICATION_BACKENDS = ["accounts.auth.DashboardBackend"]

ROOT_URLCONF = "peersurvey.urls"
WSGI_APPLICATION = "peersurvey.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peersurvey.language.language",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two submissions never deadlock
    # upgrading a read lock; WAL lets the dashboard read while a tablet writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file, not shared-cache memory: browser tests read while the live
    # server writes, and only a file database lets them wait for each other's locks.
    # One per process, so two test runs in one checkout never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Every query here is short; PostgreSQL's JIT spent more compiling the
    # dashboard's one query (100 ms) than running it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English and Welsh (docs/languages.md). The page's language comes from ?lang=, else the
# language cookie (which holds nothing else), else Accept-Language; English by default.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = False  # the tablet's page reads it offline to pick its cached copy
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# The easy-read form's spoken audio, made by `manage.py build_audio` (docs/audio.md) and
# never committed. Served only once built: a missing directory here is a warning on every command.
GENERATED_STATIC_DIR = BASE_DIR / "generated" / "static"
if GENERATED_STATIC_DIR.is_dir():
    STATICFILES_DIRS.append(GENERATED_STATIC_DIR)
# WebVTT captions of sign-language videos: browsers ignore captions served as octet-stream.
WHITENOISE_MIMETYPES = {".vtt": "text/vtt"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "peersurvey.storage.StaticStorage"},
}

# Before `collectstatic` (tests, `make run`) whitenoise serves from the finders instead.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/dashboard/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Production hardening; every value can be switched on from the environment.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60)))

# Content Security Policy (django-csp 4): every script is a static file, so no
# 'unsafe-inline' or 'unsafe-eval' for scripts. Plotly sets inline styles on its
# SVG, hence style-src 'unsafe-inline' (styles cannot run code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# A dashboard session ends after this much inactivity: pages and actions renew
# it, the live dashboard's refresh does not (accounts.auth.RenewSessionMiddleware).
SESSION_SAVE_EVERY_REQUEST = False

# Login throttling, per username and never per address: a whole hospital shares one.
PEERSURVEY_LOGIN_MAX_FAILURES = int(os.environ.get("PEERSURVEY_LOGIN_MAX_FAILURES", "10"))
PEERSURVEY_LOGIN_LOCK_MINUTES = int(os.environ.get("PEERSURVEY_LOGIN_LOCK_MINUTES", "15"))

# The second factor (docs/sign-in.md): on, every dashboard and admin user needs an authenticator
# app; off (make run, tests), only those who set one up are asked for its code. Production: on.
PEERSURVEY_REQUIRE_MFA = env_bool("PEERSURVEY_REQUIRE_MFA", False)
OTP_TOTP_ISSUER = "Peer Support Survey"
# The admin shows no one's secret or QR code: an administrator could otherwise copy a second factor.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Submissions per collection link per minute, shared by every web process through
# the cache (Redis, or files on this machine). A tablet flushing 100 queued answers stays well under.
PEERSURVEY_LINK_RATE_LIMIT = int(os.environ.get("PEERSURVEY_LINK_RATE_LIMIT", "300"))
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    # Files on this machine: shared by every worker of one machine with no extra
    # service to run, and not the database, which may hold no time of day (the
    # rate limit's windows are minutes). More than one machine needs Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("PEERSURVEY_CACHE_DIR", "/tmp/peersurvey-cache"),
            "OPTIONS": {"MAX_ENTRIES": 100000},
        }
    }

# Survey rules.
# A submission larger than this is refused before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(256 * 1024)))

# Anonymity (docs/contract.md, "Collection rules"): no log line may carry an address, a user agent
# or a time of day, so the formatter prints neither time nor client, and the
# access log skips the collection URLs altogether. Errors are still logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "hide_collection": {"()": "surveys.logging.HideCollectionRequests"},
        "redact_collection": {"()": "surveys.logging.RedactCollectionPaths"},
    },
    "formatters": {
        "plain": {"format": "{levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {
        # Every other logger's lines too: link tokens out, a path's control characters escaped.
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_collection"]},
        "access": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["hide_collection"]},
        "request": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_collection"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["request"], "level": "WARNING", "propagate": False},
        # A refused CSRF check names the page ("Forbidden (CSRF token missing.): /c/<token>/").
        "django.security": {"handlers": ["request"], "level": "WARNING", "propagate": False},
        # The PDF report's layout engine reports every step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Dashboard: any group (or demographic category) with fewer respondents than
# this is shown as "fewer than N responses", in pages, data.json and exports;
# answers are released to the figures in batches of at least this many.
PEERSURVEY_MIN_CELL = max(1, int(os.environ.get("PEERSURVEY_MIN_CELL", "5")))
# Counts are perturbed by the cell-key method (docs/disclosure.md). Not an
# environment setting: only the suite's arithmetic tests turn it off.
PEERSURVEY_PERTURB = True
# Seconds between the open dashboard's refreshes while visible / hidden.
# A wave's links take answers for this many days after it closes, so tablets
# that queued answers offline can still send them; then they answer 410.
PEERSURVEY_WAVE_GRACE_DAYS = max(0, int(os.environ.get("PEERSURVEY_WAVE_GRACE_DAYS", "14")))
# A ward tablet deletes (and counts for staff) any answer it has held unsent for more than
# this many days, so nothing anyone wrote waits in a browser for ever (docs/patient-flow.md).
PEERSURVEY_OUTBOX_MAX_DAYS = max(1, int(os.environ.get("PEERSURVEY_OUTBOX_MAX_DAYS", "30")))
PEERSURVEY_REFRESH_SECONDS = int(os.environ.get("PEERSURVEY_REFRESH_SECONDS", "30"))
