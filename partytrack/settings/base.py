"""Settings read from the environment; the defaults give a working SQLite setup on a fresh clone."""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_positive_int(name: str, default: int) -> int:
    value = int(os.environ.get(name, str(default)))
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be 1 or more")
    return value


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-development-key-do-not-use-in-production")
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "mptt",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "partytrack",
    "organizations",
    "quotas",
    "candidates",
    "reports",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "partytrack.middleware.PageMethodsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "partytrack.middleware.VietnameseFirstLocaleMiddleware",
    "partytrack.middleware.ParameterGuardMiddleware",  # before any view reads a parameter
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "partytrack.urls"
WSGI_APPLICATION = "partytrack.wsgi.application"

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
                "partytrack.context_processors.navigation",
            ],
        },
    },
]

# SQLite file by default; DATABASE_URL=postgres://user@host:5432/name switches to PostgreSQL (psycopg 3).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
# A streaming replica of the primary, read by the report pages (docs/deployment.md).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two users at once on the first-run SQLite file: wait for the other writer instead of "database is
    # locked", take the write lock when a transaction starts (no deadlock between two readers that both
    # want to write), and let readers go on while one writes (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
DATABASE_ROUTERS = ["partytrack.db_routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "partytrack.passwords.Argon2idHasher",  # new and changed passwords (argon2-cffi)
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # older hashes, upgraded at the next login
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "partytrack.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},  # Django's, in Vietnamese
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while an account and address are locked
    "django.contrib.auth.backends.ModelBackend",
]


# Login throttling (partytrack/login_throttle.py): failed logins within 15 minutes of each other are
# counted three ways, each with its own limit; reaching one locks for 15 minutes from the last failure
# counted (attempts refused while locked are not counted and do not extend it).
# - one account from one address: someone mistyping, or one guesser;
# - one account from every address together: guesses spread over many addresses. Three addresses'
#   worth of the first limit, so a person who mistypes on a phone and a computer is not locked by it;
# - one address against every account (password spraying: one common password tried on many
#   accounts). A committee office behind one NAT address logs in from that address: each person's own
#   mistakes stop at the first limit, so 30 needs six people locked out at once, or dozens of slips in
#   a quarter of an hour.
LOGIN_FAILURE_LIMITS = {
    ("username", "ip_address"): env_positive_int("LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS", 5),
    ("username",): env_positive_int("LOGIN_FAILURES_PER_ACCOUNT", 15),
    ("ip_address",): env_positive_int("LOGIN_FAILURES_PER_ADDRESS", 30),
}
AXES_HANDLER = "partytrack.login_throttle.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = [list(parameters) for parameters in LOGIN_FAILURE_LIMITS]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMITS["username", "ip_address"]  # axes' one limit; the handler applies all three
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "partytrack.views.login_locked_out"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The client's address behind reverse proxies (partytrack/client_address.py). X-Forwarded-For is read
# only on requests from TRUSTED_PROXY_IPS, and only the right-most TRUSTED_PROXY_COUNT entries, the
# ones the proxies wrote; 0 (the default, gunicorn reached directly) ignores the header.
# Behind the documented nginx: DJANGO_TRUSTED_PROXY_COUNT=1.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT must be 0 or more")
TRUSTED_PROXY_IPS = env_list("DJANGO_TRUSTED_PROXY_IPS", "127.0.0.1,::1")
AXES_CLIENT_IP_CALLABLE = "partytrack.client_address.client_ip"

# Content-Security-Policy: every script and style is a file served by the application itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese first. Source strings are Vietnamese, so a missing translation can only ever show
# Vietnamese; locale/en holds the English interface.
LANGUAGE_CODE = "vi"
FORMAT_MODULE_PATH = ["partytrack.formats"]  # Vietnamese dates as 26/10/2026
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# "documents": finished PDFs keyed by a digest of their HTML (partytrack/documents.py). Per process
# by default; point it at a shared cache (Redis, memcached, a directory) to share it between workers.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "documents": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "documents",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 100},  # biểu PDFs are 30–300 KiB, none over 1 MiB is kept
    },
}

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True  # the age above is an idle timeout, not a fixed lifetime
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page's <meta>, not the cookie

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# .xlsx uploads (partytrack/uploads.py): the file, what it expands to, and the rows and columns of a sheet.
XLSX_UPLOAD_LIMITS = {
    "max_bytes": 5 * 1024 * 1024,
    "max_uncompressed": 50 * 1024 * 1024,
    "max_rows": 5000,
    "max_columns": 200,
}

# API tokens are refused this many days after they were issued (`drf_create_token -r` issues a new one).
API_TOKEN_MAX_AGE_DAYS = int(os.environ.get("API_TOKEN_MAX_AGE_DAYS", "90"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a refused or missing token answers 401 with "WWW-Authenticate: Token".
        "partytrack.api_auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["partytrack.api_input.ScopedFilterBackend"],
    # Out-of-range input (a 20-digit limit, the JSON number 1e999) is refused with a message (partytrack/api_input.py).
    "DEFAULT_PARSER_CLASSES": [
        "partytrack.api_input.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "partytrack.api_input.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "partytrack.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "partytrack API",
    "DESCRIPTION": "Tổ chức đảng, chỉ tiêu, quần chúng và kết nạp đảng viên — scoped to the caller's subtree.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Several models have a "status": name each choice set so the schema stays stable.
    "ENUM_NAME_OVERRIDES": {
        "CandidateStatusEnum": "candidates.choices.Status",
        "ProgressStatusEnum": ["ahead", "on_track", "behind", "no_quota"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
