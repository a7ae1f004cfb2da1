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
    id_type: Mapped[str] = mapped_column(String(32), default="resident_id")
    id_number: Mapped[str] = mapped_column(String(32), default="")
    mobile: Mapped[str] = mapped_column(String(20), default="", index=True)  # R-P-4
    email: Mapped[str] = mapped_column(String(254), default="")
    # A2 v3: 应急联系电话 and 证件有效期至 (YYYY-MM-DD or 长期); "" is not given
    emergency_mobile: Mapped[str] = mapped_column(String(20), default="", server_default="")
    id_valid_until: Mapped[str] = mapped_column(String(10), default="", server_default="")


class Subject(Model):
    """The subject (主体) as filed in one filing; the registry holds the MIIT copy."""

    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="enterprise")
    name: Mapped[str] = mapped_column(String(128), default="")
    certificate_type: Mapped[str] = mapped_column(String(32), default="uscc")
    certificate_number: Mapped[str] = mapped_column(String(32), default="", index=True)
    province: Mapped[str] = mapped_column(String(2), default="")
    certificate_address: Mapped[str] = mapped_column(String(255), default="")
    mailing_address: Mapped[str] = mapped_column(String(255), default="")
    icp_number: Mapped[str] = mapped_column(String(32), default="")
    remark: Mapped[str] = mapped_column(String(200), default="", server_default="")  # 备注
    # indexed: R-P-4 looks for the orders whose person has a given mobile (persons -> subjects)
    responsible_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    # 投资人或主管单位 (A2 v3): typed where the applicant types the subject (a 首次备案, A8)
    investor: Mapped[str] = mapped_column(String(128), default="", server_default="")

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
    verified_certificate_type: Mapped[str] = mapped_column(String(32), default="")
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
    # An order changing a record (A7 v3): the record as it stood when the order was opened (its
    # A2 shape), and what the order changes (domain/filing/record_orders.CHANGE_ITEMS).
    record_before: Mapped[dict | None] = mapped_column(JSON)
    changed_items: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # Staff who opened this order on the holder's record (a 取消接入 of an away website, DOMAIN.md
    # A9): the applicant sees it as the provider's order. None: the account opened it.
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    account: Mapped[User] = relationship(foreign_keys=[account_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
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
    remark: Mapped[str] = mapped_column(String(200), default="", server_default="")  # 备注
    # indexed: R-P-4 looks for the orders whose person has a given mobile (persons -> websites)
    responsible_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    authenticity_token_hash: Mapped[str] = mapped_column(String(64), default="")
    authenticity_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authenticity_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A record held here (a website of an approved access or change order) stops being the current
    # one when a later change or cancel order for it is approved (DOMAIN.md A7).
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The identity verification (DOMAIN.md A10): the verifier that judges ("photo", "aliyun",
    # "tencent"), the platform's session (reference, url), its verdict and the platform's words.
    identity_check: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

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
    # The least days a domain must still be registered on the day an order is submitted (R-D-2).
    domain_min_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        CheckConstraint("min_age BETWEEN 0 AND 100", name="sane_age"),
        CheckConstraint("bureau_review_workdays BETWEEN 1 AND 90", name="sane_days"),
        CheckConstraint("domain_min_days BETWEEN 0 AND 3650", name="sane_domain_days"),
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
    certificate_type: Mapped[str] = mapped_column(String(32))
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
    responsible_mobile: Mapped[str] = mapped_column(String(20), index=True)  # R-P-4
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


# read; read write; either with service_codes (issue and revoke service codes, DOMAIN.md A10)
API_TOKEN_SCOPES = (
    "scopes IN ('read', 'read write', 'read service_codes', 'read write service_codes')"
)


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
    scopes: Mapped[str] = mapped_column(String(32), default="read")  # API_TOKEN_SCOPES
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    created_by: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint(API_TOKEN_SCOPES, name="known_scopes"),)


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


class ServiceCode(Model):
    """A service code (备案服务码, DOMAIN.md A10) issued by the provider's billing through the API or
    by an admin: the instance's public IPs and its paid-until date, for one account. One website of
    one order may use it, and its IPs become that website's. Only a SHA-256 of the code is stored."""

    __tablename__ = "service_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(8))  # the code's last characters, to tell codes apart
    account_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ips: Mapped[list] = mapped_column(JSON, default=list)
    paid_until: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(128), default="")  # e.g. billing's instance id
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    filing_id: Mapped[int | None] = mapped_column(
        ForeignKey("filings.id", ondelete="SET NULL"), index=True
    )
    website_id: Mapped[int | None] = mapped_column(
        ForeignKey("websites.id", ondelete="SET NULL"), unique=True
    )

    account: Mapped[User] = relationship(foreign_keys=[account_id])


class MobileCode(Model):
    """A 6-digit code sent to a responsible person's mobile in the wizard (R-PH-3, DOMAIN.md A10):
    stored as an HMAC, 10 minutes, 5 tries; `verified_at` marks that mobile of the order verified."""

    __tablename__ = "mobile_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"), index=True)
    mobile: Mapped[str] = mapped_column(String(20), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # verified, spent or replaced

    __table_args__ = (CheckConstraint("failures BETWEEN 0 AND 5", name="max_failures"),)


class DomainRecord(Model):
    """The local domain table (DOMAIN.md A5 v3 domain lookup): each domain's holder, registrar,
    expiry and real-name verification as a registrar reported them; loaded by
    `flask domains import`."""

    __tablename__ = "domain_records"

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)  # ASCII (punycode) form
    holder_name: Mapped[str] = mapped_column(String(200), default="")
    holder_certificate_type: Mapped[str] = mapped_column(String(64), default="")  # as worded
    holder_certificate_number: Mapped[str] = mapped_column(String(64), default="")
    registrar: Mapped[str] = mapped_column(String(200), default="")
    expires_on: Mapped[date] = mapped_column(Date)
    real_name_verified: Mapped[bool] = mapped_column(Boolean)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NumberSequence(Model):
    """The last number issued under one key (an ICP number's `<abbr>ICP备<year>` prefix): the
    simulated bureau's sequence for new subjects (DOMAIN.md A8), kept in the database so that two
    hosts never issue the same number (one upsert takes the row's lock)."""

    __tablename__ = "number_sequences"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


# --- records held here without an order of this app (DOMAIN.md A7 v3: 认领, bind) -------------


class SubjectHolding(Model):
    """An account holds a registry subject by a claim (认领, with the filing password) or an
    admin's binding; `ended_at` set when an admin unbinds it or the subject is cancelled."""

    __tablename__ = "subject_holdings"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_number: Mapped[str] = mapped_column(String(32), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    via: Mapped[str] = mapped_column(String(8))  # "claim" or "bind"
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(String(200), default="")

    account: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint("via IN ('claim', 'bind')", name="known_via"),
        # at most one account holds a subject at a time
        Index(
            "uq_subject_holdings_current",
            "subject_number",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )


class PreApprovalKeyword(Model):
    """The pre-approval keyword table (R-W-3): a word in a website's name or domain that suggests
    the website needs a pre-approval (前置审批) of its category; edited by the admin."""

    __tablename__ = "pre_approval_keywords"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(32))  # an A2 pre-approval category
    keyword: Mapped[str] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("category", "keyword"),)


# --- the provider's duties: footer and resolve checks (DOMAIN.md A9) ------------------------


class SiteCheckState(Model):
    """Where one website held here stands in one check (its `duty`: `footer` or `resolve`), by its number:
    the row a run claims (several hosts: SKIP LOCKED), the last result, the run of failures and
    the notice sent for it."""

    __tablename__ = "site_check_states"

    duty: Mapped[str] = mapped_column(String(8), primary_key=True)
    website_number: Mapped[str] = mapped_column(String(40), primary_key=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a run took it
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(String(24), default="")
    failures: Mapped[int] = mapped_column(Integer, default=0)  # failed checks in a row
    failing_since: Mapped[date | None] = mapped_column(Date)  # first day of those (Shanghai)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the notice of this run
    deadline: Mapped[date | None] = mapped_column(Date)  # what the notice gave

    __table_args__ = (
        CheckConstraint("duty IN ('footer', 'resolve')", name="known_duty"),
        CheckConstraint("(notified_at IS NULL) = (deadline IS NULL)", name="notice_has_deadline"),
    )


class SiteCheck(Model):
    """One result of one check of one website (the history staff read)."""

    __tablename__ = "site_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    duty: Mapped[str] = mapped_column(String(8))
    website_number: Mapped[str] = mapped_column(String(40))
    result: Mapped[str] = mapped_column(String(24))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("duty IN ('footer', 'resolve')", name="known_duty"),
        Index("ix_site_checks_website", "duty", "website_number", "id"),
    )


class MaterialReading(Model):
    """What the OCR aid read from an uploaded licence or ID page, for the reviewers only: queued at
    the upload (pending), read by the outbox worker (read, or failed with the reason). Only the
    certificate number and the name are kept, not the page's whole text."""

    __tablename__ = "material_readings"

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(
        ForeignKey("materials.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(8), default="pending", index=True)
    certificate_number: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(128), default="")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    material: Mapped[Material] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'read', 'failed')", name="known_reading_status"),
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


class GateChange(Model):
    """A domain that one version of the gate's change counter may have moved in or out of the
    allowed set: a process holding the set re-reads only the domains logged since its version
    (domain/duties/gate.py). Kept for the last versions only."""

    __tablename__ = "gate_changes"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    domain: Mapped[str] = mapped_column(String(253), primary_key=True)  # ASCII (punycode)


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
