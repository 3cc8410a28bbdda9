"""Settings of urbanmgmt, all read from the environment.

Every value has a default that makes the local run (`make run`) work; production sets the
variables instead. Nothing secret lives in the repository: without SECRET_KEY in the
environment a random key is generated once into var/secret-key.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("URBANMGMT_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret-key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "axes",
    "drf_spectacular",
    "urbanmgmt",
    "gis.apps.SpatialConfig",
    "planning.apps.PlanningConfig",
    "reports.apps.ReportsConfig",
    "dossiers.apps.DossiersConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "urbanmgmt.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers a locked-out login itself.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "urbanmgmt.urls"
WSGI_APPLICATION = "urbanmgmt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "urbanmgmt" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgis://urbanmgmt:urbanmgmt@127.0.0.1:5432/urbanmgmt"
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# dj-database-url maps postgis:// to the GeoDjango backend; a plain postgres:// URL must too.
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
# PostgreSQL's JIT adds ~20 ms of compilation to queries it guesses are expensive (a bbox over
# a whole layer); our queries are short index probes, so it only costs.
# For the same reason no parallel workers: starting one costs more than a tile query takes
# (measured: 385 → 541 tiles/s on one connection pair with them off).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    "-c jit=off -c max_parallel_workers_per_gather=0"
)
# Served by gunicorn's ASGI worker (urbanmgmt/asgi.py): Django runs in each worker's pool of
# WSGI_THREADS threads, the async fast paths on its event loop with at most
# DB_ASYNC_CONNECTIONS connections of their own (urbanmgmt/asyncdb.py); a fast path that
# waits DB_ASYNC_WAIT_SECONDS for one hands its request to Django. Lookups that wait for a
# connection together share one statement, so fewer connections make larger batches. In
# interleaved 5-s passes of wrk (lookups by point, 3 workers, concurrency 32) one connection a
# worker served 3,332-3,424 lookups/s, two 3,180-3,280, four 2,675-2,894 (at concurrency 8:
# 2,360-2,431, 2,081-2,218, 1,922-2,251).
WSGI_THREADS = envint("WSGI_THREADS", 4)
DB_ASYNC_CONNECTIONS = envint("DB_ASYNC_CONNECTIONS", 1)
DB_ASYNC_WAIT_SECONDS = envint("DB_ASYNC_WAIT_SECONDS", 5)
# Two test runs on one server (two checkouts, or CI beside a developer) each name their own.
if os.environ.get("URBANMGMT_TEST_DB"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["URBANMGMT_TEST_DB"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # Counts failed logins and locks out a login name from an address after too many.
    "axes.backends.AxesStandaloneBackend",
    "urbanmgmt.backends.LoginNameBackend",
    "urbanmgmt.backends.AdminPostBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "urbanmgmt.account_views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "account"
LOGOUT_REDIRECT_URL = "home"

# Sessions end after a working day, or an hour without activity for officials' safety on
# shared counter computers (the session is renewed on each request).
SESSION_COOKIE_AGE = envint("SESSION_SECONDS", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Behind HTTPS (HTTPS=1): secure cookies, redirect to HTTPS, HSTS. The local run is plain HTTP.
HTTPS = envbool("HTTPS", False)
if HTTPS:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("HSTS_PRELOAD", True)

# Mail to citizens and officials: files under var/mail unless an SMTP host is given.
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# The public address of the site, for links in emails ("https://gis.example.vn"); empty: relative.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "urbanmgmt <no-reply@localhost>")

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Vietnamese digit grouping (urbanmgmt/formats/vi): Django's formats for the rest.
FORMAT_MODULE_PATH = ["urbanmgmt.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# Vector tiles and layer versions live here. By default in files under var/cache, which every
# gunicorn worker shares and which needs no other service (gis.tiles.FileCache is Django's
# file cache, culling once a minute rather than at every write); CACHE_URL=redis://host:6379/0
# uses Redis instead.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
        }
    }
elif CACHE_URL:
    raise ValueError(f"CACHE_URL must start with redis://, rediss:// or unix://, not {CACHE_URL!r}")
else:
    CACHES = {
        "default": {
            "BACKEND": "gis.tiles.FileCache",
            "LOCATION": VAR_DIR / "cache",
            "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 200_000)},
        }
    }

# The longest side report photos are stored at, which the filing page draws them at too.
# 1280 px (1280 × 960 for a phone's 4:3 photo, 1.2 megapixels) is what issue 6's submission
# goal (p95 at most 300 ms with 16 at once, the photo's re-encode included) allows on a 2-core
# machine: measured there, p95 239-286 ms at 1280 px and 334 ms at 1600, whose photo has 1.56×
# the pixels and costs about that much more (README, bench/reports.py). A server with CPU to
# spare can store more: REPORTS_PHOTO_SIDE=1600 or 2048.
REPORTS_PHOTO_SIDE = envint("REPORTS_PHOTO_SIDE", 1280)
if not 640 <= REPORTS_PHOTO_SIDE <= 4096:
    raise ValueError(f"REPORTS_PHOTO_SIDE must be 640 to 4096 pixels, not {REPORTS_PHOTO_SIDE}")

# Where the demo district's generated files are kept between runs.
DEMO_DIR = VAR_DIR / "demo"
DEMO_PARCELS = envint("DEMO_PARCELS", 50_000)

# An outside base map under the planning map, off by default so the app works on a closed
# network: an XYZ template ("https://tiles.example.vn/{z}/{x}/{y}.png") and its attribution.
PLANNING_BASEMAP_URL = os.environ.get("PLANNING_BASEMAP_URL", "")
PLANNING_BASEMAP_ATTRIBUTION = os.environ.get("PLANNING_BASEMAP_ATTRIBUTION", "")

# Map defaults: the district the demo sits in (Bình Thạnh, Ho Chi Minh City).
MAP_DEFAULT_LON = 106.715
MAP_DEFAULT_LAT = 10.81
MAP_DEFAULT_ZOOM = 13

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Browsers sign in with a session (and CSRF); machine clients with an API token
    # ("Authorization: Token <key>") issued to an account in the admin.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "urbanmgmt API",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Debian 12 ships GDAL 3.6; the warning is about spatial references that reach GDAL from
# untrusted input, and ours come only from files an administrator imports.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
