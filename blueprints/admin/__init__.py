"""The operator's console, one module per console; every endpoint is `admin.<view>` under /admin.

dashboard: the front page · staff: staff accounts and the actions on any account · applicants:
applicant accounts · ips: the IP pool · provinces: province rules · tables: suffixes, deny-lists,
calendar · registry: the registry import · report: reviewer productivity · settings: stored
settings · outbox: every SMS and e-mail · audit: the audit log · tokens: API tokens · gate: the
access gate's refused hosts and allow-list.
"""

from blueprints.admin import (
    applicants,
    audit,
    dashboard,
    gate,
    ips,
    outbox,
    provinces,
    registry,
    report,
    settings,
    staff,
    tables,
    tokens,
)
from blueprints.admin.console import bp

__all__ = ["bp"]
CONSOLES = (
    dashboard, staff, applicants, ips, provinces, tables, registry, report, settings, outbox, audit,
    tokens, gate,
)  # fmt: skip
