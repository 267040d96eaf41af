"""Chorus settings: one file, driven by the environment.

Every value that differs between a laptop and production comes from an environment
variable with a typed helper; a bad value raises ImproperlyConfigured at start-up.
"""

import ipaddress
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def email_settings_from_url(url: str) -> dict:
    """smtp://user:pass@host:port/?tls=1&ssl=0&from=..., or console:// / locmem://."""
    parsed = urlparse(url)
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    backends = {
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
    }
    if parsed.scheme not in backends:
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be one of {sorted(backends)}, got {url!r}")
    return {
        "EMAIL_BACKEND": backends[parsed.scheme],
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps" or query.get("ssl") == "1",
        "EMAIL_USE_TLS": query.get("tls") == "1",
        "EMAIL_TIMEOUT": 10,
    }


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("CHORUS_TESTING", "pytest" in sys.modules)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured("SECRET_KEY must be set (or DEBUG=true for local development)")
    SECRET_KEY = "insecure-development-key-" + "x" * 40

CHORUS_BASE_URL = env_str("CHORUS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlparse(CHORUS_BASE_URL)
if _base.scheme not in {"http", "https"} or not _base.hostname:
    raise ImproperlyConfigured(f"CHORUS_BASE_URL must be an http(s) URL, got {CHORUS_BASE_URL!r}")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", f"{_base.hostname},localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", f"{_base.scheme}://{_base.netloc}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "chorus.core",
    "chorus.programs",
    "chorus.advocates",
    "chorus.referrals",
    "chorus.rewards",
    "chorus.campaigns",
    "chorus.analytics",
    "chorus.privacy",
    "chorus.insights",
    "chorus.notifications",
    "chorus.invitations",
    "chorus.integrations",
    "chorus.hub",
    "chorus.console",
    "chorus.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------
SQLITE_PATH = env_str("CHORUS_SQLITE_PATH", str(BASE_DIR / "var" / "chorus.sqlite3"))
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{SQLITE_PATH}")
try:
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _database["CONN_MAX_AGE"] = 0 if TESTING else _database["CONN_MAX_AGE"]
    _database["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on busy_timeout instead of failing to upgrade.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    _database["TEST"] = {"NAME": env_str("CHORUS_SQLITE_TEST_PATH") or None}
elif _database["ENGINE"] == "django.db.backends.postgresql":
    _database.setdefault("OPTIONS", {})
    _database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (rate limits, link lookups) --------------------------------------------------
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL in ("", "locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(f"CACHE_URL must be redis://… or locmem://, got {CACHE_URL!r}")

# --- tasks -----------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING or env_bool("CHORUS_IMMEDIATE_TASKS", False)
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# --- email -----------------------------------------------------------------------------
globals().update(email_settings_from_url(env_str("EMAIL_URL", "smtp://localhost:25")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Chorus <chorus@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- i18n ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("de", _("German")),
    ("ja", _("Japanese")),
    ("pl", _("Polish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- static ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"

# --- auth and security ------------------------------------------------------------------
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

_secure = _base.scheme == "https" and not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", True) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _secure)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _secure else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _secure
SECURE_HSTS_PRELOAD = _secure
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Chorus ----------------------------------------------------------------------------
CHORUS_MAGIC_LINK_MINUTES = env_int("CHORUS_MAGIC_LINK_MINUTES", 15)
CHORUS_MAGIC_LINKS_PER_HOUR = env_int("CHORUS_MAGIC_LINKS_PER_HOUR", 5)
# How many reverse proxies (load balancer, TLS terminator) stand in front of Chorus and
# append to X-Forwarded-For; 0 trusts only the socket's address.
CHORUS_TRUSTED_PROXIES = env_int("CHORUS_TRUSTED_PROXIES", 0)
CHORUS_RATE_LIMIT_PER_MINUTE = env_int("CHORUS_RATE_LIMIT_PER_MINUTE", 120)
CHORUS_API_RATE_LIMIT_PER_MINUTE = env_int("CHORUS_API_RATE_LIMIT_PER_MINUTE", 6000)
# Stripe webhook deliveries per program and minute (over it: 429 with Retry-After; Stripe retries).
CHORUS_STRIPE_WEBHOOK_RATE_LIMIT_PER_MINUTE = env_int("CHORUS_STRIPE_WEBHOOK_RATE_LIMIT_PER_MINUTE", 600)
# Public pages without a stricter limit of their own (landing, wall, unsubscribe, surveys…): per visitor IP and page.
CHORUS_PUBLIC_RATE_LIMIT_PER_MINUTE = env_int("CHORUS_PUBLIC_RATE_LIMIT_PER_MINUTE", 120)
CHORUS_METADATA_MAX_BYTES = 4096
# A full conversions batch (1,000 items with capped metadata) must fit in one request.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 8 * 1024 * 1024)
CHORUS_CLICK_FLUSH_SECONDS = float(env_str("CHORUS_CLICK_FLUSH_SECONDS", "0" if TESTING else "0.2"))
# Outgoing webhooks never go to private, loopback or link-local addresses, except to these
# networks (comma-separated CIDRs, e.g. "10.20.0.0/16" for an on-premise receiver).
CHORUS_WEBHOOK_ALLOWED_NETWORKS = env_list("CHORUS_WEBHOOK_ALLOWED_NETWORKS", "")
for _cidr in CHORUS_WEBHOOK_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"CHORUS_WEBHOOK_ALLOWED_NETWORKS: {_cidr!r} is not a CIDR") from None
CHORUS_WEBHOOK_TIMEOUT_SECONDS = float(env_str("CHORUS_WEBHOOK_TIMEOUT_SECONDS", "10"))
CHORUS_EVIDENCE_MAX_BYTES = env_int("CHORUS_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)  # ask evidence uploads

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"chorus": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False}},
}

if TESTING:  # fast hashing for the many users tests create; production keeps Django's default
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
