"""Settings for the clinic project, read from the environment (see .env.example)."""

from __future__ import annotations

from datetime import timedelta
from email.utils import formataddr
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from clinic.lib.devkey import dev_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# --- Core -------------------------------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (only DJANGO_DEBUG=true makes its own key).")
    # Never a published constant: each checkout makes its own random key in var/ on first run.
    SECRET_KEY = dev_secret_key(VAR_DIR)

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "clinic",
    "education",
    "intake",
    "scheduling",
    "clinic.apps.ClinicAdminConfig",  # django.contrib.admin with the clinic's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "simple_history",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "phonenumber_field",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files keep their caching; above everything that builds pages.
    "clinic.middleware.PrivacyHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
            ],
        },
    },
    {
        # Plain text (email subjects and bodies): no HTML escaping, or "O'Brien" arrives as "O&#x27;Brien".
        # Render with using=TEXT_TEMPLATES; never use it for HTML.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {"autoescape": False},
    },
]
TEXT_TEMPLATES = "text"

# --- Database ---------------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh clone has no var/: SQLite creates the file but not its folder.
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE takes the write lock at BEGIN, so two bookings serialise instead of failing late.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -------------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")

# Redis is a helper, never a dependency of a request: one quick try (0.2 s), no connection retries, and after a
# failure the circuit breaker (clinic.lib.breaker) skips Redis for REDIS_BREAKER_SECONDS. The outbox sweep sends what
# a skipped hand-off did not, and the rate limits let requests through.
REDIS_TIMEOUT_SECONDS = 0.2
REDIS_BREAKER_SECONDS = 10.0
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS}
REDIS_BROKER_TRANSPORT_OPTIONS = {
    **REDIS_CACHE_OPTIONS,
    # kombu retries a failed connection for seconds before it gives up; a hand-off must not wait.
    "max_retries": 0,
}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "clinic.lib.cache.BreakerRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost//"  # a host name, or kombu warns on every start
if not REDIS_URL:
    # The filesystem broker's folders exist before anything queues (seed_demo queues emails before the worker
    # starts); a missing folder would make every hand-off fail over to the periodic sweep.
    for _folder in ("queue", "control"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    REDIS_BROKER_TRANSPORT_OPTIONS
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
)
# The worker logs what tasks print; the console email backend prints each email, which is not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Authentication ---------------------------------------------------------------------------------

AUTH_USER_MODEL = "clinic.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "clinic:login"
LOGIN_REDIRECT_URL = "clinic:after-login"
STAFF_HOME_URL = "scheduling:staff-home"
PATIENT_HOME_URL = "scheduling:portal-home"
# Where a patient goes after choosing the first password of an account a booking made: the screening.
PATIENT_NEW_ACCOUNT_URL = "intake:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a set-password link from a booking must survive a day

# Idle log-out (clinic.middleware) and the absolute session lifetime.
PATIENT_IDLE_TIMEOUT = timedelta(minutes=env.int("DJANGO_PATIENT_IDLE_MINUTES", default=30))
STAFF_IDLE_TIMEOUT = timedelta(minutes=env.int("DJANGO_STAFF_IDLE_MINUTES", default=15))
SESSION_MAX_AGE = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_MAX_AGE.total_seconds())

# Failed logins within the cool-off, per tier (clinic.lib.auth.TieredLockoutHandler). Only failures count.
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=5)
# Sign-ups per client address per hour (each may email an existing account's owner): (count, seconds).
SIGN_UP_RATE_LIMIT = (10, 60 * 60)
LOGIN_FAILURE_LIMITS = [
    (["username", "ip_address"], AXES_FAILURE_LIMIT),  # one email from one address
    ("username", env.int("DJANGO_LOGIN_FAILURES_PER_EMAIL", default=20)),  # one email from any address
    ("ip_address", env.int("DJANGO_LOGIN_FAILURES_PER_ADDRESS", default=30)),  # one address, any email
]
AXES_LOCKOUT_PARAMETERS = [parameters for parameters, _ in LOGIN_FAILURE_LIMITS]
AXES_HANDLER = "clinic.lib.auth.TieredLockoutHandler"
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_AXES_COOLOFF_MINUTES", default=30))
# The client's address behind DJANGO_TRUSTED_PROXIES proxies: the same helper as the rate limits and access log.
AXES_CLIENT_IP_CALLABLE = "clinic.lib.http.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "clinic.lib.auth.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

OTP_BACKUP_CODE_COUNT = 10
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # devices are reset in admin, never read

# --- Security ---------------------------------------------------------------------------------------

# HTTPS-only settings follow DJANGO_HTTPS, on by default whenever debug is off.
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of the app append to X-Forwarded-For (clinic.lib.http.client_ip). With 0,
# the header is ignored, so a visitor cannot choose the address that rate limits and the access log see.
TRUSTED_PROXIES = env.int("DJANGO_TRUSTED_PROXIES", default=0)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# No page needs a device feature; deny them all (clinic.middleware.PrivacyHeadersMiddleware sends it).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
)

# Everything is served from this origin: no CDN, no analytics, nothing that leaks page views.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Email ------------------------------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
CLINIC_NAME = env.str("CLINIC_NAME", default="Riverside Wellness Clinic")
# The name in emails and on staff's authenticator apps, which must not name the treatment (see clinic.checks).
CLINIC_EMAIL_NAME = env.str("CLINIC_EMAIL_NAME", default=CLINIC_NAME)
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default=formataddr((CLINIC_EMAIL_NAME, "no-reply@clinic.example"))
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10
# The outbox (clinic.services.notifications). A temporary failure is retried with a doubling backoff (base, then 2x,
# 4x... up to the cap) until the email is older than NOTIFICATION_RETRY_HOURS; then it fails for good and staff see it.
NOTIFICATION_RETRY_HOURS = env.float("NOTIFICATION_RETRY_HOURS", default=24)
NOTIFICATION_RETRY_BASE_SECONDS = 60
NOTIFICATION_RETRY_CAP_SECONDS = 60 * 60
# How long a worker holds a claimed email before another may try it (after a crash: the sweep resends it then).
NOTIFICATION_LEASE_SECONDS = 120
# How often beat runs the sweep that sends whatever the hand-off to a worker did not (and the reminder scan). Each
# beat task expires after one period, so sweeps do not pile up while the broker is down (clinic.celery.beat_schedule).
NOTIFICATION_SWEEP_SECONDS = 60

# --- The clinic itself ------------------------------------------------------------------------------

# CLINIC_NAME and CLINIC_EMAIL_NAME are set with the email settings above.
CLINIC_PHONE = env.str("CLINIC_PHONE", default="+1 617 555 0142")
CLINIC_ADDRESS = env.str("CLINIC_ADDRESS", default="120 River Street, Suite 300, Cambridge, MA 02139")
CLINIC_TIME_ZONE = env.str("CLINIC_TIME_ZONE", default="America/New_York")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
OTP_TOTP_ISSUER = CLINIC_EMAIL_NAME  # shown on staff's phones, so the neutral name

# --- Internationalisation ---------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = CLINIC_TIME_ZONE
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="US")
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"  # "+1 617-555-0142": readable, and keeps the country

# --- Static files -----------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging: ids only, never patient data ----------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request logs can carry query strings (search terms, emails); keep them out.
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}
