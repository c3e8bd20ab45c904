"""Configuration classes for tumorboard.

The environment is read only inside :func:`tumorboard.create_app`, never at import.
Settings prefixed with ``TUMORBOARD_`` (for example ``TUMORBOARD_SECRET_KEY``) and the
conventional ``DATABASE_URL`` and ``SECRET_KEY`` override these defaults.
"""

from datetime import timedelta


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Remember-me cookies are never set (the sign-in signal drops Flask-Login's
    # remember flag): a session lives only as long as its server record.
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    #: A signed-in session ends after this many minutes without a request...
    SESSION_IDLE_MINUTES = 30
    #: ...and this many hours after sign-in, whatever the activity.
    SESSION_ABSOLUTE_HOURS = 12
    # A board meeting lasts longer than Flask-WTF's one-hour default: the CSRF
    # token lives as long as the session instead.
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    #: Folder for attachments, outside static/; empty means <instance>/uploads.
    UPLOAD_FOLDER: str | None = None
    #: Largest attachment accepted, in bytes (below MAX_CONTENT_LENGTH so the
    #: user gets a specific message rather than a bare 413).
    MAX_UPLOAD_BYTES = 15 * 1024 * 1024
    PAGE_SIZE = 25
    #: Hours a break-glass grant lasts (access to a case outside one's work).
    BREAK_GLASS_HOURS = 12
    #: Break-glass grants not reviewed this many days after they were given
    #: are listed as overdue on the privacy officer's page.
    BREAK_GLASS_REVIEW_DAYS = 7
    #: Demo data may be loaded only where this is true.
    ALLOW_DEMO_DATA = True
    #: Argon2 cost; tests lower it, production keeps the library default profile.
    ARGON2_PROFILE = "default"
    #: Time zone used to show dates and times to users.
    DISPLAY_TIMEZONE = "UTC"
    #: Redis, when several workers or hosts serve the app (rate limits, and
    #: what else must be shared between processes); empty means none.
    REDIS_URL: str | None = None
    #: Where Flask-Limiter keeps its counters; derived from REDIS_URL when empty.
    RATELIMIT_STORAGE_URI: str | None = None
    RATELIMIT_HEADERS_ENABLED = True
    #: Seconds sent in Retry-After when the database cannot be reached.
    UNAVAILABLE_RETRY_AFTER = 30
    #: Seconds /readyz waits for Redis; PostgreSQL's connect timeout.
    READINESS_TIMEOUT = 2.0
    DATABASE_CONNECT_TIMEOUT = 5
    #: PostgreSQL cancels a statement running longer than this (milliseconds);
    #: None: no limit.
    DATABASE_STATEMENT_TIMEOUT_MS: int | None = None
    #: Pool settings added to SQLALCHEMY_ENGINE_OPTIONS on PostgreSQL.
    DATABASE_POOL: dict = {}
    #: Keep SQL parameters (patient data) out of error messages and logs.
    DATABASE_HIDE_PARAMETERS = False
    #: "json": one JSON object per log line on stderr (production); "text":
    #: logging left as Python sets it up.
    LOG_FORMAT = "text"
    LOG_LEVEL = "INFO"
    #: One log line per request (id, method, path, status, duration).
    REQUEST_LOG = True
    #: Wrong passwords in a row that lock an account, and for how many minutes.
    LOGIN_LOCKOUT_THRESHOLD = 10
    LOGIN_LOCKOUT_MINUTES = 15
    #: Flask-Limiter limits on sign-in and the password forms (POSTs only).
    AUTH_RATE_LIMIT_PER_IP = "20 per minute"
    AUTH_RATE_LIMIT_PER_ACCOUNT = "5 per minute"
    #: Key of the audit log's HMAC chain (at least 32 characters), kept apart
    #: from the database and its backups; development generates one into the
    #: instance folder, production refuses to start without it.
    AUDIT_HMAC_KEY: str | None = None
    #: File that receives a JSON-lines copy of every audit entry after commit.
    AUDIT_LOG_PATH: str | None = None
    #: Syslog receiving the same copy: "/dev/log", "host:port" or "host" (UDP 514).
    AUDIT_SYSLOG_ADDRESS: str | None = None
    AUDIT_SYSLOG_FACILITY = "local0"
    #: Whether the copy carries the old and new values of changed fields
    #: (clinical data) rather than only the names of the fields.
    AUDIT_LOG_VALUES = False
    #: Seconds browsers must keep to HTTPS for this host and its subdomains
    #: (Strict-Transport-Security, sent in production only; 0 tells browsers
    #: to forget an earlier one).
    HSTS_MAX_AGE = 31536000
    #: Reverse proxies in front of the app whose X-Forwarded-For, -Proto,
    #: -Host and -Port headers are trusted; 0 trusts none (no ProxyFix).
    TRUSTED_PROXY_COUNT = 0
    #: Fernet key that encrypts the TOTP secrets of multi-factor sign-in, kept
    #: apart from the database and its backups; development generates one into
    #: the instance folder, production refuses to start without it.
    MFA_ENCRYPTION_KEY: str | None = None
    #: Whether every account must sign in with a second factor (administrators
    #: always must).
    REQUIRE_MFA = False
    #: Name shown for tumorboard in authenticator apps.
    MFA_ISSUER = "Tumour board"
    #: Certificate that seals the outcome letters and minutes (PAdES): a
    #: PKCS#12 file and its password, or a key and a certificate (PEM or
    #: DER); see tumorboard/documents/seal.py. None: documents are unsealed.
    SEAL_PKCS12_PATH: str | None = None
    SEAL_PKCS12_PASSWORD: str | None = None
    SEAL_KEY_PATH: str | None = None
    SEAL_CERT_PATH: str | None = None
    SEAL_KEY_PASSWORD: str | None = None
    #: Intermediate certificates embedded with the seal (optional).
    SEAL_CHAIN_PATH: str | None = None
    #: The place named in the signature (optional), e.g. the hospital.
    SEAL_LOCATION: str | None = None
    #: Address of the application as people open it, for links in e-mails
    #: (and in commands, which have no request to take it from).
    PUBLIC_URL = "http://127.0.0.1:5000"
    #: SMTP server of the outbox sender; empty keeps every e-mail in the outbox
    #: (readable on the administrator's Outbox page) without sending it.
    MAIL_SMTP_HOST: str | None = None
    MAIL_SMTP_PORT = 587
    #: Upgrade the connection with STARTTLS before signing in.
    MAIL_SMTP_STARTTLS = True
    MAIL_SMTP_USER: str | None = None
    MAIL_SMTP_PASSWORD: str | None = None
    #: Seconds to wait for the mail server before counting a failed attempt.
    MAIL_SMTP_TIMEOUT = 20
    #: The From address (and the organiser of meeting invitations).
    MAIL_FROM = "tumour-board@localhost"
    #: Attempts before a message is dead; waits grow as base × 2^(n − 1) s.
    OUTBOX_MAX_ATTEMPTS = 8
    OUTBOX_RETRY_BASE_SECONDS = 60
    #: Messages one sender claims at a time.
    OUTBOX_BATCH_SIZE = 50
    #: A message claimed this long ago by a sender that never finished is
    #: marked dead rather than sent a second time.
    OUTBOX_CLAIM_TIMEOUT_SECONDS = 900
    #: Seconds ``flask outbox worker`` waits between passes.
    OUTBOX_WORKER_INTERVAL = 15


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, a secret generated once."""

    ENV_NAME = "development"
    DEBUG = False


class TestingConfig(Config):
    """Test suite: in-memory SQLite unless the fixture passes another URL."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    AUDIT_HMAC_KEY = "test-audit-hmac-key-not-for-production"
    MFA_ENCRYPTION_KEY = "dGVzdC1tZmEta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE="
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    ARGON2_PROFILE = "cheapest"
    SERVER_NAME = None
    #: Rate limits are tested where a test turns them on.
    RATELIMIT_ENABLED = False


class ProductionConfig(Config):
    """Production: secrets from the environment, secure cookies, no demo data."""

    ENV_NAME = "production"
    ALLOW_DEMO_DATA = False
    # ``__Host-``: the browser accepts the cookie only over HTTPS, for the
    # whole site (path /) and this host alone (no Domain).
    SESSION_COOKIE_NAME = "__Host-tumorboard"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    REMEMBER_COOKIE_SECURE = True
    REQUIRE_MFA = True
    LOG_FORMAT = "json"
    #: Connections are checked before use (a restarted server is noticed at
    #: once); SQL parameters (patient data) never appear in error messages or
    #: logs.
    DATABASE_HIDE_PARAMETERS = True
    #: PostgreSQL pool per worker process. A sync gunicorn worker serves one
    #: request at a time: one connection, one for /readyz's own check, a few
    #: spare; waiting longer than pool_timeout seconds for one gives the 503
    #: page; connections are renewed every half hour.
    DATABASE_POOL = {
        "pool_size": 2,
        "max_overflow": 3,
        "pool_timeout": 10,
        "pool_recycle": 1800,
    }
    #: Below gunicorn's 60 s worker timeout (gunicorn.conf.py).
    DATABASE_STATEMENT_TIMEOUT_MS = 30000


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
