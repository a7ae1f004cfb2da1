"""Configuration in layers: the defaults below, then BEIAN_* environment variables, then a test mapping.

Every key is documented in README.md (section "Configuration").
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


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
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
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
    BUREAU_GATEWAY = "domain.filing.bureau:SimulatedBureau"
    WEBHOOK_URL = ""  # POSTed a signed JSON event on every transition
    WEBHOOK_SECRET = ""  # HMAC-SHA256 key of the X-Beian-Signature header
    OVERDUE_COUNTS_SECONDS = 30  # how long a host reuses the overdue counts of the queue tabs
    SETTINGS_REFRESH_SECONDS = 30  # how often a host re-reads the settings changed in the console
    DEMO_MODE = False
    BEHIND_PROXY = False  # true behind nginx: honour X-Forwarded-Proto (HSTS, secure URLs)


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
