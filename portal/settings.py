"""Settings for the NTB performance portal.

Every variable comes from the environment, read here and nowhere else. The defaults run on a
laptop: SQLite in the checkout, local-memory cache, Celery tasks run in-process. Production
sets DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS (see README.md and .env.example).
"""

import datetime
import os
from pathlib import Path

import dj_database_url
import dj_email_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Security headers. HTTPS_ONLY is on by default in production; HTTPS_ONLY=0 serves plain HTTP
# (behind a proxy that terminates TLS, or for local testing).
HTTPS_ONLY = env_bool("HTTPS_ONLY", not DEBUG)
STAFF_2FA = env_bool("STAFF_2FA", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page of the portal uses, refused on every response
# (portal.security.permissions_policy_middleware; Django 5.2 has no setting for it).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Staff sessions end after 30 idle minutes and after 12 hours whatever happens
# (portal.security.session_limits_middleware); the cookie lives no longer than that.
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(12 * 60 * 60)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"
if HTTPS_ONLY:
    SECURE_SSL_REDIRECT = True
    # The load balancer's and compose's health probes speak plain HTTP on the inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Content Security Policy (django-csp 4): everything is self-hosted; scripts only from this
# origin or carrying the response's nonce (`{{ request.csp_nonce }}`, added to the header
# only when a page uses it), never inline or eval'd; no plugins, no framing, no <base>.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "csp",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    # django_ratelimit's decorator and middleware are used without its app: the app's only
    # addition is a system check that rejects the local-memory cache of the laptop defaults.
    # The domain apps, bottom up (imports point this way only: `make lint`).
    "agencies",
    "performance",
    "rewards",
    # The web portal: the project's own app (the nightly ledger), shared web pieces, and one
    # app per audience.
    "portal",
    "portal.common",
    "portal.public",
    "portal.workspace",
    "portal.dashboard",
    "portal.demo",
]

MIDDLEWARE = [
    "portal.security.incident_middleware",
    "portal.security.permissions_policy_middleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.locale.CookieLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Anonymous GETs read from the replica when it holds the published run (after the
    # session and user are read, from the primary).
    "portal.common.replica.ReplicaMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.twofactor.staff_2fa_middleware",
    "portal.security.session_limits_middleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.common.read_only.ReadOnlyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
]

# Database: DATABASE_URL, else a SQLite file in the checkout. Connections are kept open
# (a new connection per request halves a page's throughput) and health-checked.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite in the checkout is for trying the portal out; wait for the writer instead of
    # failing with "database is locked" when the recompute and a page overlap.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # Parameters travel apart from the SQL (server-side binding), so psycopg prepares a
    # statement the fifth time a connection runs it, and PostgreSQL then keeps its plan:
    # planning the scorecard's queries cost more than running them (docs/performance.md).
    # Behind a pooler in transaction mode (PgBouncer < 1.21), set PG_PREPARE_THRESHOLD=off.
    _prepare = os.environ.get("PG_PREPARE_THRESHOLD", "5")
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": None if _prepare == "off" else int(_prepare),
    }
# A read replica (a PostgreSQL hot standby): DATABASE_REPLICA_URL. Anonymous GET requests
# read from it (portal.db_router, portal/common/replica.py) while it holds the run the
# primary publishes; writes and signed-in users always use the primary. Its connection
# attempt gives up after REPLICA_CONNECT_TIMEOUT seconds (then the primary serves), and
# whether it is usable is checked at most every REPLICA_CHECK_SECONDS per process.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "5"))
REPLICA_CONNECT_TIMEOUT = int(os.environ.get("REPLICA_CONNECT_TIMEOUT", "2"))
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a standby of DATABASE_URL.")
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["OPTIONS"] = {
            **DATABASES["default"]["OPTIONS"],
            "connect_timeout": REPLICA_CONNECT_TIMEOUT,
            # Its sessions are told apart in the standby's pg_stat_activity.
            "application_name": "kinerja-replica",
        }
    # The test suite reads the replica through the primary's test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Without a replica the router sends every query to the primary, as Django would.
DATABASE_ROUTERS = ["portal.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and Celery: Redis when REDIS_URL is set, else local memory and in-process tasks.
# REDIS_CACHE_URL puts the cache in a Redis (or database) of its own, bounded (maxmemory
# with an LRU policy: docker-compose.yml), so that pages cannot crowd out the broker's
# queued tasks; unset, the cache shares REDIS_URL. The local-memory cache keeps at most 300
# entries (Django's default), and counts rate limits per process: `check --deploy` refuses
# it (portal/checks.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_CACHE_URL = os.environ.get("REDIS_CACHE_URL", "") or REDIS_URL
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.PortalRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "kinerja"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

CELERY_TIMEZONE = "Asia/Makassar"
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A recompute at province scale takes about a minute; the broker must not redeliver a task
# that is still running, so the visibility timeout is far above the task's hard time limit.
# CELERY_VISIBILITY_TIMEOUT (seconds) shortens it for the fault battery (ops/chaos.py) on
# data whose recompute takes seconds; it must stay above the worst-case recompute.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", str(4 * 60 * 60)))
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # The recompute, then the reward and punishment rules on the run it published: one job,
    # at most one published run per night (portal.nightly's ledger).
    "nightly-recompute": {
        "task": "portal.tasks.nightly_task",
        "schedule": crontab(hour=1, minute=0),  # 01:00 WITA (CELERY_TIMEZONE)
    },
    # Starts a night's job that beat missed (beat down at 01:00, a lost task).
    "nightly-watchdog": {
        "task": "portal.tasks.watchdog_task",
        "schedule": crontab(minute="*/30"),
    },
    # Deadline reminders (N days before a quarter closes, the scheme's reminder_days), then
    # the daily digest of whoever chose one, each morning in WITA (issue 23).
    "deadline-reminders": {
        "task": "portal.tasks.reminders_task",
        "schedule": crontab(hour=6, minute=30),
    },
    "notification-digest": {
        "task": "portal.tasks.digest_task",
        "schedule": crontab(hour=7, minute=0),
    },
}
# WITA: by then the night's job must be done (HH:MM; the fault battery sets 00:00).
NIGHTLY_WATCHDOG_AFTER = datetime.time.fromisoformat(
    os.environ.get("NIGHTLY_WATCHDOG_AFTER", "02:00")
)
# A nightly task that lost the database mid-run, or found the job's lock held before the
# night was done, tries again after this many seconds, at most NIGHTLY_RETRIES times.
NIGHTLY_RETRY_SECONDS = int(os.environ.get("NIGHTLY_RETRY_SECONDS", "60"))
NIGHTLY_RETRIES = 10
RECOMPUTE_SOFT_TIME_LIMIT = int(os.environ.get("RECOMPUTE_SOFT_TIME_LIMIT", str(50 * 60)))
RECOMPUTE_TIME_LIMIT = int(os.environ.get("RECOMPUTE_TIME_LIMIT", str(60 * 60)))
# PostgreSQL parallel workers the recompute's heavy statement may use: 0 keeps it to one
# core, so the public pages stay fast while it runs; more makes the recompute itself faster.
RECOMPUTE_PARALLEL_WORKERS = int(os.environ.get("RECOMPUTE_PARALLEL_WORKERS", "0"))
# Score runs older than this many days are pruned (the latest published run is always kept).
SCORE_HISTORY_DAYS = int(os.environ.get("SCORE_HISTORY_DAYS", "90"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: mails the user whenever their password changes (portal/accounts.py).
    {"NAME": "portal.accounts.PasswordChangeNotice"},
]
# Hours an enrolment code (the first authenticator of a staff account) stays valid.
ENROLMENT_CODE_HOURS = int(os.environ.get("ENROLMENT_CODE_HOURS", "72"))
# Login protection (ASVS V6.3): after 5 failed logins for one username from one address,
# that pair is locked for 15 minutes (django-axes; a cool-off rather than the default
# permanent lock, which would let anyone lock an officer out for good), and one address may
# post the login form at most LOGIN_RATE_LIMIT times (django-ratelimit, 429 page).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.errors.locked_out"
LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30/10m")
# Public pages, per client address (portal/common/ratelimits.py): renders of each page (a
# search, a filter, a page not cached yet), far above what a person browsing needs, low
# enough to stop a scraper rendering every variant; and every request to any public page,
# loosely.
PUBLIC_RATE_LIMIT = os.environ.get("PUBLIC_RATE_LIMIT", "120/m")
PAGE_RATE_LIMIT = os.environ.get("PAGE_RATE_LIMIT", "600/m")
# How long a web worker trusts its own memory of the published run when it answers a page's
# revalidation without asking the cache (portal/public/pagecache.py); 0: always ask.
PAGE_RUN_MEMORY_SECONDS = float(os.environ.get("PAGE_RUN_MEMORY_SECONDS", "1"))
AXES_CLIENT_IP_CALLABLE = "portal.common.ratelimits.client_address"
RATELIMIT_VIEW = "portal.errors.too_many_requests"
OTP_TOTP_ISSUER = "Kinerja NTB"
# Belt and braces with portal/admin.py's own device admin: django-otp's admin pages never
# show a key or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The open-data API (/api/v1/, portal/public/api): anonymous, read-only JSON. No session
# or CSRF (nothing is posted), no browsable HTML (pages carry no per-visitor content), no
# throttling of its own: the public page cache's limits apply (`public_page`).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
# Its OpenAPI schema (/api/v1/openapi.json); the title and texts are set, translated, by
# the schema's view.
SPECTACULAR_SETTINGS = {"SERVE_INCLUDE_SCHEMA": False}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace:dashboard"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "lang"
LANGUAGE_COOKIE_SECURE = HTTPS_ONLY
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Makassar"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files served at the site's root (/favicon.ico), as browsers ask for them.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Uploads above this size are refused before they are parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Workspace uploads: realisation evidence (PDF/JPG/PNG) and performance.csv files. Both are
# kept under MEDIA_ROOT/private and served only by views that check access.
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
CSV_UPLOAD_MAX_BYTES = 30 * 1024 * 1024
CSV_STAGING_SECONDS = 60 * 60

# Mail: EMAIL_URL (smtp://user:pass@host:587/?tls=True), else the usual EMAIL_* variables,
# else the console backend.
if os.environ.get("EMAIL_URL"):
    _email = dj_email_url.parse(os.environ["EMAIL_URL"])
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kinerja@ntbprov.go.id")
# Where the portal is reached from outside: the links in notification mails (no trailing /).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line names the request's incident id, which error pages show to the user.
    "filters": {"incident": {"()": "portal.security.IncidentFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(incident)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["incident"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every successful login at INFO; failures and lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}

# The citizens' survey (portal/public/survey.py): the least number of seconds a person needs to
# answer it, and the submissions allowed per client and service per hour (429 beyond).
SURVEY_MIN_SECONDS = int(os.environ.get("SURVEY_MIN_SECONDS", "20"))
SURVEY_RATE_LIMIT = int(os.environ.get("SURVEY_RATE_LIMIT", "20"))
# The client's address for such per-client limits is REMOTE_ADDR (the peer), unless this
# names the request.META key in which a trusted reverse proxy passes it (HTTP_X_REAL_IP, or
# HTTP_X_FORWARDED_FOR, of which the last address is used). Set it only behind a proxy that
# overwrites that header: otherwise anyone can pick their own address.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
