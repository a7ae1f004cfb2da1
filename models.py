"""Persistence only: the tables of Beian Desk as SQLAlchemy 2.0 typed models.

Times are stored in UTC (see UTCDateTime) and shown in Asia/Shanghai. Business rules live in
domain/; the one writer of Filing.state is domain.lifecycle.workflow.apply().
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.lifecycle.states import (
    KIND_ACTION_LABELS,
    Action,
    FilingState,
    FilingType,
    OrderKind,
    Role,
    action_label,
    event_label,
)
from extensions import Base, db

if TYPE_CHECKING:  # db.Model is Base with Flask-SQLAlchemy's extras; the type checker sees Base
    Model = Base
else:
    Model = db.Model


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


# The staff's looks at personal data (domain/audit.VIEWS), left out of a filing's trail index.
TRAIL_PREDICATE = "action NOT IN ('material_viewed', 'review_viewed')"


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum_cls, name: str):
    """A string column constrained to the enum's values (a CHECK constraint on every backend)."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


# --- accounts -------------------------------------------------------------------------------


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"), default=Role.applicant)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Stored in each login's session and compared on every request: bumping it ends every session.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    must_change_password: Mapped[bool] = mapped_column(  # a one-time password (invite, reset)
        Boolean, default=False, server_default=false()
    )
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(255))  # sealed (support/sealing.py)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: not confirmed
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # a code is accepted once

    __table_args__ = (
        CheckConstraint("role <> 'system'", name="no_system_login"),
        CheckConstraint(
            "totp_enabled_at IS NULL OR totp_secret IS NOT NULL", name="totp_has_secret"
        ),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot log in
        return self.is_enabled

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.reviewer, Role.admin)


class RecoveryCode(Model):
    """A one-time recovery code of an account's second factor; only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)


# --- what an applicant files ----------------------------------------------------------------


class Person(Model):
    """A responsible person (主体负责人 or 网站负责人)."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    id_type: Mapped[str] = mapped_column(String(16), default="resident_id")
    id_number: Mapped[str] = mapped_column(String(32), default="")
    mobile: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")


class Subject(Model):
    """The subject (主体) as filed in one filing; the registry holds the MIIT copy."""

    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="enterprise")
    name: Mapped[str] = mapped_column(String(128), default="")
    certificate_type: Mapped[str] = mapped_column(String(16), default="uscc")
    certificate_number: Mapped[str] = mapped_column(String(32), default="", index=True)
    province: Mapped[str] = mapped_column(String(2), default="")
    certificate_address: Mapped[str] = mapped_column(String(255), default="")
    mailing_address: Mapped[str] = mapped_column(String(255), default="")
    icp_number: Mapped[str] = mapped_column(String(32), default="")
    remark: Mapped[str] = mapped_column(String(200), default="", server_default="")  # 备注
    responsible_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))

    responsible_person: Mapped[Person | None] = relationship()


# The orders that count as open (neither a draft nor finished: workflow.FINAL_STATES) and have a
# registry subject: at most one per subject (DOMAIN.md A7), held by a unique index so that two
# orders submitted at once cannot both go through (tests/db/test_race_promises.py).
OPEN_ORDER_PREDICATE = (
    "registry_subject_number <> '' AND state NOT IN ('draft', 'approved', 'withdrawn')"
)
OPEN_ORDER_INDEX = "uq_filings_open_subject"


class Filing(Model):
    """An access-filing order: one subject, one or more websites, one state."""

    __tablename__ = "filings"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[OrderKind] = mapped_column(
        enum_column(OrderKind, "order_kind"), default=OrderKind.access, server_default="access"
    )
    filing_type: Mapped[FilingType | None] = mapped_column(enum_column(FilingType, "filing_type"))
    state: Mapped[FilingState] = mapped_column(
        enum_column(FilingState, "filing_state"), default=FilingState.draft, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), unique=True)
    province: Mapped[str] = mapped_column(String(2), default="", index=True)
    registry_subject_number: Mapped[str] = mapped_column(String(32), default="", index=True)
    # What the filing type was verified with (R-T-1: locked once verified).
    verified_certificate_type: Mapped[str] = mapped_column(String(16), default="")
    verified_certificate_number: Mapped[str] = mapped_column(String(32), default="")
    verified_domain: Mapped[str] = mapped_column(String(253), default="")
    product_ips: Mapped[list] = mapped_column(JSON, default=list)  # product verification
    password_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sent back for edits from a later stage (A6 v2): the state is initial_rejected and the UI
    # says 退回修改; set by workflow.apply() on every transition.
    returned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SMS codes sent in the current verification round and when the last one went out (resend cap).
    mail_courier: Mapped[str] = mapped_column(String(32), default="", server_default="")
    mail_tracking_number: Mapped[str] = mapped_column(String(32), default="", server_default="")
    sms_sends: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sms_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[User] = relationship(foreign_keys=[account_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    subject: Mapped[Subject] = relationship()
    websites: Mapped[list[Website]] = relationship(
        back_populates="filing", order_by="Website.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[AuditEvent]] = relationship(
        back_populates="filing", order_by="AuditEvent.id", viewonly=True
    )
    # The rules of its province, for a page that joins them to the filing's row (the review
    # screen): loaded so, `session.get(ProvinceRule, code)` finds them without asking again.
    province_rule: Mapped[ProvinceRule | None] = relationship(
        primaryjoin="foreign(Filing.province) == ProvinceRule.code", viewonly=True
    )

    # Optimistic locking: every UPDATE says "WHERE version = <the version I read>" and bumps it,
    # so of two reviewers acting on the same read exactly one succeeds (StaleDataError for the other).
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(
            "(state IN ('approved', 'withdrawn')) = (finished_at IS NOT NULL)",
            name="finished_iff_final",
        ),
        CheckConstraint(
            "(state = 'approved') = (approved_at IS NOT NULL)", name="approved_iff_approved_at"
        ),
        CheckConstraint(
            "state IN ('draft', 'withdrawn') OR submitted_at IS NOT NULL",
            name="submitted_has_time",
        ),
        Index("ix_filings_state_due", "state", "due_at"),
        Index("ix_filings_state_entered", "state", "state_entered_at", "id"),  # queue pages
        Index("ix_filings_entered", "state_entered_at", "id"),  # the "all filings" tab
        Index(
            OPEN_ORDER_INDEX,
            "registry_subject_number",
            unique=True,
            postgresql_where=text(OPEN_ORDER_PREDICATE),
            sqlite_where=text(OPEN_ORDER_PREDICATE),
        ),
    )


class Website(Model):
    __tablename__ = "websites"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(128), default="")
    icp_number: Mapped[str] = mapped_column(String(40), default="")
    service_types: Mapped[list] = mapped_column(JSON, default=list)
    content_types: Mapped[list | None] = mapped_column(JSON)  # 网站服务内容; None: not chosen yet
    languages: Mapped[list] = mapped_column(JSON, default=list)
    pre_approvals: Mapped[list] = mapped_column(JSON, default=list)
    responsible_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    authenticity_token_hash: Mapped[str] = mapped_column(String(64), default="")
    authenticity_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authenticity_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A record held here (a website of an approved access or change order) stops being the current
    # one when a later change or cancel order for it is approved (DOMAIN.md A7).
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    filing: Mapped[Filing] = relationship(back_populates="websites")
    responsible_person: Mapped[Person | None] = relationship()
    domains: Mapped[list[WebsiteDomain]] = relationship(
        order_by="WebsiteDomain.id", cascade="all, delete-orphan"
    )
    ips: Mapped[list[WebsiteIP]] = relationship(
        order_by="WebsiteIP.id", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("filing_id", "position"),)


class WebsiteDomain(Model):
    __tablename__ = "website_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    website_id: Mapped[int] = mapped_column(ForeignKey("websites.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(253), index=True)  # ASCII (punycode) form

    __table_args__ = (UniqueConstraint("website_id", "domain"),)


class WebsiteIP(Model):
    __tablename__ = "website_ips"

    id: Mapped[int] = mapped_column(primary_key=True)
    website_id: Mapped[int] = mapped_column(ForeignKey("websites.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(45))

    __table_args__ = (UniqueConstraint("website_id", "address"),)


class Material(Model):
    """An uploaded document image, stored outside static/ under an opaque key."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"), index=True)
    website_id: Mapped[int | None] = mapped_column(ForeignKey("websites.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    storage_key: Mapped[str] = mapped_column(String(128), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="not_empty"),
        CheckConstraint("content_type IN ('image/jpeg', 'image/png')", name="image_only"),
    )


class SubmissionSnapshot(Model):
    """What one submission sent for review (an entry into 待初审 or 待复审): the application in
    its A2 shape and the current materials (kind, website, upload id, key, SHA-256), so a
    reviewer sees what a resubmission changed."""

    __tablename__ = "submission_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    application: Mapped[dict] = mapped_column(JSON, default=dict)
    materials: Mapped[list] = mapped_column(JSON, default=list)


# --- the provider's own data ----------------------------------------------------------------


class ProviderIP(Model):
    """A public IP of this provider; product verification needs one assigned to the account."""

    __tablename__ = "provider_ips"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(45), unique=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(255), default="")

    account: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("(account_id IS NULL) = (assigned_at IS NULL)", name="assigned_has_time"),
    )


class ProvinceRule(Model):
    """Per-province rules (DOMAIN.md A1), editable by the admin."""

    __tablename__ = "province_rules"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(16), unique=True)
    abbr: Mapped[str] = mapped_column(String(2), unique=True)
    sms_required: Mapped[bool] = mapped_column(Boolean, default=True)
    mail_required: Mapped[bool] = mapped_column(Boolean, default=False)
    copyright_footer: Mapped[bool] = mapped_column(Boolean, default=False)
    local_mobile_required: Mapped[bool] = mapped_column(Boolean, default=False)
    min_age: Mapped[int] = mapped_column(Integer, default=18)
    bureau_review_workdays: Mapped[int] = mapped_column(Integer, default=20)
    notes: Mapped[str] = mapped_column(Text, default="")
    mail_items: Mapped[str] = mapped_column(Text, default="", server_default="")  # what to post
    domain_certificate_required: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint("min_age BETWEEN 0 AND 100", name="sane_age"),
        CheckConstraint("bureau_review_workdays BETWEEN 1 AND 90", name="sane_days"),
    )


class DomainSuffix(Model):
    """The approved-suffix table (R-D-1); approved=False rows are the never-approved list."""

    __tablename__ = "domain_suffixes"

    suffix: Mapped[str] = mapped_column(String(63), primary_key=True)  # Unicode form, no dot
    approved: Mapped[bool] = mapped_column(Boolean)


class DenyWord(Model):
    """Words refused in website names: list 'sensitive' (R-N-4) or 'personal' (R-N-7)."""

    __tablename__ = "deny_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_name: Mapped[str] = mapped_column(String(16))
    word: Mapped[str] = mapped_column(String(32))

    __table_args__ = (
        UniqueConstraint("list_name", "word"),
        CheckConstraint("list_name IN ('sensitive', 'personal')", name="known_list"),
    )


class StageCount(Model):
    """How many filings wait in a state: kept by workflow.apply, so a queue never counts rows."""

    __tablename__ = "stage_counts"

    state: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ChangeCounter(Model):
    """A number bumped by every write that changes what a view shows (its cache key)."""

    __tablename__ = "change_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class AppSetting(Model):
    """A setting the admin changed in the console; it overrides the config on every host."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)  # {"value": ...}
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CalendarDay(Model):
    """An override of the working-day calendar for a date the calendar package does not know."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(64), default="")


# --- the national registry (DOMAIN.md A5) ---------------------------------------------------


class RegistrySubject(Model):
    __tablename__ = "registry_subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    certificate_type: Mapped[str] = mapped_column(String(16))
    certificate_number: Mapped[str] = mapped_column(String(32))
    province: Mapped[str] = mapped_column(String(2))
    filing_password_hash: Mapped[str] = mapped_column(String(255))

    websites: Mapped[list[RegistryWebsite]] = relationship(
        back_populates="subject", order_by="RegistryWebsite.id", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("certificate_type", "certificate_number"),)


class RegistryWebsite(Model):
    __tablename__ = "registry_websites"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("registry_subjects.id", ondelete="CASCADE"))
    website_number: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    responsible_mobile: Mapped[str] = mapped_column(String(20))
    access_providers: Mapped[str] = mapped_column(String(255), default="")  # ';'-separated
    change_in_progress: Mapped[bool] = mapped_column(Boolean, default=False)

    subject: Mapped[RegistrySubject] = relationship(back_populates="websites")
    domains: Mapped[list[RegistryDomain]] = relationship(
        order_by="RegistryDomain.id", cascade="all, delete-orphan"
    )

    @property
    def provider_codes(self) -> list[str]:
        return [code for code in self.access_providers.split(";") if code]


class RegistryDomain(Model):
    __tablename__ = "registry_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    website_id: Mapped[int] = mapped_column(ForeignKey("registry_websites.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(253), unique=True)  # ASCII (punycode) form
    expires_on: Mapped[date] = mapped_column(Date)


class SmsChallenge(Model):
    """The bureau's 6-digit SMS code for one submission (R-S-3): stored hashed, 24 h, 5 tries."""

    __tablename__ = "sms_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    mobile: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # verified, failed or replaced

    __table_args__ = (CheckConstraint("failures BETWEEN 0 AND 5", name="max_failures"),)


class FilingPasswordFailure(Model):
    """One wrong MIIT filing password for a registry subject (the limit counts these per hour)."""

    __tablename__ = "filing_password_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    registry_subject_id: Mapped[int] = mapped_column(
        ForeignKey("registry_subjects.id", ondelete="CASCADE")
    )
    account_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_password_failures_subject_time", "registry_subject_id", "created_at"),
    )


# --- audit and notifications ----------------------------------------------------------------


class ApiToken(Model):
    """A bearer token for the provider's own console (JSON API); only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scopes: Mapped[str] = mapped_column(String(32), default="read")  # "read" or "read write"
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    created_by: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint("scopes IN ('read', 'read write')", name="known_scopes"),)


class ThrottleCounter(Model):
    """Failed attempts under one key (an account, a client address, or both; stored as a SHA-256
    so neither e-mail nor address is kept) since the counter was last forgotten."""

    __tablename__ = "throttle_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("failures >= 0", name="failures_not_negative"),)


KIND_ACTIONS = frozenset(action.value for _kind, action in KIND_ACTION_LABELS)


class RateLimitWindow(Model):
    """The anonymous API's requests under one limit key (a SHA-256 of Flask-Limiter's key, which
    holds the client address) in the fixed window that ends at `expires_at` (Unix seconds)."""

    __tablename__ = "rate_limit_windows"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float)


class AuditEvent(Model):
    """One thing that happened: a transition, a login failure, an upload, a claim."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int | None] = mapped_column(ForeignKey("filings.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[Role] = mapped_column(enum_column(Role, "actor_role"))
    action: Mapped[str] = mapped_column(String(48), index=True)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    internal: Mapped[bool] = mapped_column(Boolean, default=False)  # hidden from the applicant
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    filing: Mapped[Filing | None] = relationship(back_populates="events")

    # A filing's trail without the staff's looks at it (audit.trail): a review screen opened all day
    # reads its few events, not the thousands of views beside them.
    __table_args__ = (
        Index(
            "ix_audit_events_trail",
            "filing_id",
            "id",
            postgresql_where=text(TRAIL_PREDICATE),
            sqlite_where=text(TRAIL_PREDICATE),
        ),
    )
    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        """The action's label (msgid), in the words of the filing's kind where they differ."""
        if self.action in KIND_ACTIONS and self.filing is not None:
            return action_label(Action(self.action), self.filing.kind)
        return event_label(self.action)

    @property
    def target_state(self) -> FilingState | None:
        return FilingState(self.to_state) if self.to_state else None

    @property
    def shown_state(self) -> FilingState | None:
        """The state a trail shows after the action: none for a return for edits (the action says
        退回修改, A6 v2) or where the state's label repeats the action's (初审驳回 → 初审驳回)."""
        target = self.target_state
        if (
            target is None
            or self.action == "return_for_edits"
            or target.label == event_label(self.action)
        ):
            return None
        return target


class OutboxMessage(Model):
    """An SMS or e-mail to send, written in the same transaction as what caused it: a template key
    and its parameters (an SMS code sealed). `failed` is the dead letter: given up after the last
    try or at a permanent refusal, `last_error` says why, an admin may put it back to pending."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int | None] = mapped_column(ForeignKey("filings.id"), index=True)
    # the applicant whose message centre shows it (the filing's account); None for webhooks
    account_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(64))
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(8), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: at once
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # read in the message centre

    __table_args__ = (
        CheckConstraint("channel IN ('sms', 'email', 'webhook')", name="known_channel"),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="known_status"),
        CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="sent_has_time"),
    )


# --- the access gate (DOMAIN.md A9) ---------------------------------------------------------


class GateAllowedDomain(Model):
    """A domain of the provider's own on the admin's allow-list: it and its subdomains pass the
    gate."""

    __tablename__ = "gate_allowed_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)  # ASCII (punycode), registrable
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()


class GateRefusal(Model):
    """Refusals of the gate for one registrable domain on one day (Asia/Shanghai): written once at
    the first sight of the day, its count added to in batches afterwards."""

    __tablename__ = "gate_refusals"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    domain: Mapped[str] = mapped_column(String(253))  # ASCII; the host itself when not a domain
    last_host: Mapped[str] = mapped_column(String(253))
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("day", "domain"),
        Index("ix_gate_refusals_domain_seen", "domain", "last_seen_at"),
        Index("ix_gate_refusals_seen", "last_seen_at"),
    )
