"""Configuration in layers: the defaults below, then BEIAN_* environment variables, then a test mapping.

Every key is documented in docs/configuration.md (a test checks it).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit


class Config:
    """Code defaults. Nothing here is a secret; SECRET_KEY comes from the environment or instance/."""

    PROVIDER_CODE = "BEIANDESK"
    PROVIDER_NAME = "示例云"
    SQLALCHEMY_DATABASE_URI = ""  # empty: SQLite file instance/beian.sqlite3
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    UPLOAD_FOLDER = ""  # empty: instance/uploads
    STORAGE_BACKEND = "local"  # or "s3": S3_BUCKET, S3_ENDPOINT_URL, S3_REGION, S3_ACCESS_KEY, ...
    S3_BUCKET = ""
    S3_PREFIX = "materials/"
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_Hans_CN", "en")
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set BEIAN_SESSION_COOKIE_SECURE=true behind TLS
    STATUS_POLL_SECONDS = 10  # how often an open status page asks whether its filing changed
    PERMANENT_SESSION_LIFETIME = 8 * 3600  # seconds: a login lasts a working day
    SESSION_REFRESH_EACH_REQUEST = False  # counted from the login; no new cookie on every request
    PASSWORD_HASH_METHOD = "scrypt"
    ADMIN_TOTP_REQUIRED = True  # admins enrol a second factor (TOTP) before anything else
    LOGIN_MAX_FAILURES = 5  # wrong passwords from one client for one account before it waits
    LOGIN_LOCK_MINUTES = 15  # the longest wait (the wait doubles per failure up to this)
    LOGIN_FIRST_DELAY_SECONDS = 30  # the first wait
    LOGIN_CLIENT_MAX_FAILURES = 20  # wrong passwords from one client address, all accounts
    LOGIN_ACCOUNT_MAX_FAILURES = 20  # at one account from clients that never logged in to it
    SIGNUP_CLIENT_MAX = 10  # sign-up attempts from one client address before it waits
    SIGNUP_FIRST_DELAY_SECONDS = 60  # the first wait (doubles per attempt after that)
    SIGNUP_LOCK_MINUTES = 60  # the longest wait
    RATELIMIT_ENABLED = True  # false: no per-client limits on the anonymous API
    RATELIMIT_STORAGE_URI = ""  # empty: the database; redis://host:6379; memory:// is per process
    RATELIMIT_HEADERS_ENABLED = True  # Retry-After and X-RateLimit-* on the limited endpoints
    RATELIMIT_SWALLOW_ERRORS = True  # a storage outage is logged, never a 500
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # and the limits are counted per process meanwhile
    API_PRECHECK_LIMIT = "30 per minute;1000 per day"  # per client, POST /api/v1/precheck
    API_FILING_TYPE_LIMIT = "10 per minute;200 per day"  # per client, POST /api/v1/filing-type
    API_TOKEN_DAYS = 90  # default lifetime of a new API token
    INITIAL_REVIEW_WORKDAYS = 1
    RE_REVIEW_WORKDAYS = 1
    BUREAU_SUBMIT_WORKDAYS = 1
    SMS_VALID_HOURS = 24
    SMS_SEND_CAP = 5  # codes per SMS verification round, the first included
    SMS_RESEND_SECONDS = 60  # the applicant may ask for a new code this long after the last
    CLAIM_TIMEOUT_MINUTES = 30
    MAIL_ADDRESS = (
        ""  # where applicants post materials in mail-in provinces (editable in the console)
    )
    STALE_REMINDER_DAYS = (7, 21)  # a filing waiting on the applicant is reminded after these days
    STALE_WITHDRAW_DAYS = 30  # and withdrawn by the system after these (calendar days)
    BUREAU_GATEWAY = "simulated"  # how filings reach the bureau: "simulated" or "module:Class"
    REGISTRY = "local"  # the MIIT records: "local" (the imported tables) or "module:Class"
    # SMS: the gateway ("log", "aliyun", "tencent" or "module:Class"), the approved signature, our
    # template keys -> codes
    SMS_GATEWAY = "log"
    SMS_SIGN_NAME = ""  # empty: the provider's name
    SMS_TEMPLATES: dict = {}  # e.g. {"sms_code": "SMS_123", "filing_rejected": "SMS_124", ...}
    # (keys: sms_code, mobile_code, filing_rejected, filing_returned, filing_approved, order_approved)
    SMS_ACCESS_KEY_ID = ""  # Alibaba AccessKey ID / Tencent SecretId
    SMS_ACCESS_KEY_SECRET = ""  # Alibaba AccessKey secret / Tencent SecretKey
    SMS_ENDPOINT = ""  # empty: the platform's public endpoint
    SMS_REGION = "ap-guangzhou"  # Tencent
    SMS_SDK_APP_ID = ""  # Tencent SmsSdkAppId
    SMTP_CA_FILE = ""  # a private CA for the SMTP server's STARTTLS certificate
    OUTBOX_MAX_ATTEMPTS = 8  # tries before a message becomes a dead letter
    OUTBOX_BACKOFF_SECONDS = 60  # the wait after the first failed try, doubled after each
    OUTBOX_BACKOFF_MAX_SECONDS = 6 * 3600
    OUTBOX_WORK_SECONDS = 5  # how often `outbox work` looks for new messages when idle
    # `outbox work` runs below the web workers' CPU priority (os.nice, and its session's autogroup
    # when it leads one: cli.lower_cpu_priority): its OCR readings take seconds of CPU each and
    # must never slow a request (docs/performance.md); 0 leaves it
    OUTBOX_WORK_NICENESS = 10
    PUBLIC_URL = "http://127.0.0.1:5000"  # where applicants reach this app (links in e-mail)
    WEBHOOK_URL = ""  # POSTed a signed JSON event on every transition
    WEBHOOK_SECRET = ""  # HMAC-SHA256 key of the X-Beian-Signature header
    OVERDUE_COUNTS_SECONDS = 30  # how long a host reuses the overdue counts of the queue tabs
    SETTINGS_REFRESH_SECONDS = 30  # how often a host re-reads the settings changed in the console
    DEMO_MODE = False
    # Request bodies, refused before they are read: a 4 MB image plus its form with room; the
    # registry CSV up to 10 MB.
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    IMPORT_MAX_CONTENT_LENGTH = 11 * 1024 * 1024
    # Personal data kept no longer than needed (PIPL), deleted by `flask sweep`:
    RETENTION_SUPERSEDED_DAYS = 30  # an image replaced by a newer upload of the same material
    RETENTION_WITHDRAWN_DAYS = 30  # the images of a withdrawn filing
    RETENTION_IMPORT_MINUTES = 60  # an unconfirmed registry preview file (instance/imports)
    BEHIND_PROXY = False  # true behind nginx: honour X-Forwarded-Proto (HSTS, secure URLs)
    # Service codes and mobile codes (DOMAIN.md A10): how the product step verifies the product
    # ("ip_pool", "service_code" or "either"), where codes come from ("local": this app's table, or
    # "module:Class"), and the 6-digit codes to each responsible person's mobile (R-PH-3)
    PRODUCT_VERIFICATION = "ip_pool"
    SERVICE_CODE_SOURCE = "local"
    VERIFY_MOBILES = True
    MOBILE_CODES_PER_HOUR = 5  # codes sent to one mobile number in an hour, over every order
    # The domain lookup (DOMAIN.md A5 v3): "local" (the domain table, `flask domains import`),
    # "rdap", or "module:Class"; the RDAP service's base URL and its timeout in seconds
    DOMAIN_LOOKUP = "local"
    DOMAIN_RDAP_URL = "https://rdap.org/"
    DOMAIN_RDAP_TIMEOUT = 5
    # The provider's duties: footer and resolve checks of the websites held here (docs/duties.md)
    PAGE_FETCHER = "httpx"  # "httpx" (any site, over this host's network) or "off"
    FETCH_TIMEOUT_SECONDS = 10  # connect and read timeout of one page fetch (and its total x2)
    FETCH_MAX_BYTES = 1024 * 1024  # a home page is read up to this size
    FETCH_ALLOW_PRIVATE = False  # true: also fetch from private/loopback addresses (tests, labs)
    DNS_RESOLVER = "dnspython"  # "dnspython" or "off"
    DNS_RESOLVER_ADDRESS = ""  # "" = this host's resolv.conf; "IP" or "IP:port" of a resolver
    DNS_TIMEOUT_SECONDS = 5
    FOOTER_FIX_DAYS = 10  # calendar days to fix a footer after the notice
    AWAY_DAYS = 7  # days in a row resolving elsewhere before a website is away
    AWAY_DEADLINE_DAYS = 15  # calendar days to point the domains back or cancel access
    CHECK_WORKERS = 8  # sites checked at once by one run
    CHECK_RUN_SECONDS = 1800  # a run claims no more sites after this long
    CHECK_INTERVAL_HOURS = 20  # a site is checked at most once in this many hours (any host)
    # Identity verification (真实性核验) and the reviewers' OCR aid (docs/verification.md):
    IDENTITY_VERIFIER = "photo"  # or "aliyun", "tencent", "module:Class"
    IDENTITY_ACCESS_KEY_ID = ""  # Alibaba AccessKey ID, or Tencent SecretId
    IDENTITY_ACCESS_KEY_SECRET = ""  # Alibaba AccessKey secret, or Tencent SecretKey
    IDENTITY_ENDPOINT = ""  # empty: the platform's public endpoint
    IDENTITY_SCENE_ID = 0  # Alibaba: the 认证场景 ID (SceneId) made in its console
    IDENTITY_PRODUCT_CODE = "ID_PRO"  # Alibaba: the 认证方案 (ProductCode)
    IDENTITY_MODEL = "LIVENESS"  # Alibaba: the liveness check (Model)
    IDENTITY_RULE_ID = ""  # Tencent: the 业务流程 ID (RuleId) made in its console
    IDENTITY_REGION = "ap-guangzhou"  # Tencent's region
    OCR = "tesseract"  # or "off"; tesseract reads only where the program and chi_sim are installed
    OCR_LANGUAGES = "chi_sim+eng"  # Tesseract's language data to read with
    # The access gate (DOMAIN.md A9): who may ask /gate/check and /gate/export (CIDRs, comma-
    # separated, or a token in the X-Gate-Token header), how often a process looks whether the
    # allowed set changed, how often the refusals counted in memory are written.
    GATE_ALLOWED_CLIENTS = "127.0.0.0/8,::1/128"
    GATE_TOKEN = ""
    GATE_REFRESH_SECONDS = 1.0
    GATE_LOG_FLUSH_SECONDS = 10.0


def webhook_problem(url: str, secret: str) -> str | None:
    """Why the webhook settings cannot be used (the app refuses to start), or None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"BEIAN_WEBHOOK_URL 只接受 http(s):// 地址，而不是 {url[:60]!r}"
    if not secret:
        return "设置了 BEIAN_WEBHOOK_URL 就必须设置 BEIAN_WEBHOOK_SECRET（签名密钥），否则接收方无法验证来源"
    return None


def database_url_from_env() -> str | None:
    """DATABASE_URL (the usual name) or BEIAN_DATABASE_URL, with the psycopg 3 driver made explicit."""
    url = os.environ.get("BEIAN_DATABASE_URL") or os.environ.get("DATABASE_URL")
    return normalise_database_url(url) if url else None


def normalise_database_url(url: str) -> str:
    """postgres:// and postgresql:// mean PostgreSQL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_secret_key(instance_path: Path) -> str:
    """Return BEIAN_SECRET_KEY, else the key generated once into instance/secret_key."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first: use theirs
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
