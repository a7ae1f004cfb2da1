"""The operator's console, one module per console; every endpoint is `admin.<view>` under /admin.

dashboard: the front page · staff: staff accounts and the actions on any account · applicants:
applicant accounts · ips: the IP pool · provinces: province rules · tables: suffixes, deny-lists,
calendar · pre_approval_keywords: the pre-approval keyword table · registry: the registry import ·
report: reviewer productivity · settings: stored settings · outbox: every SMS and e-mail · audit:
the audit log · tokens: API tokens · service_codes: service codes (备案服务码) · subjects: registry
subjects, who holds them, bind and unbind · duties: the footer and resolve
checks · gate: the access gate's refused hosts and
allow-list.
"""

from blueprints.admin import (
    applicants,
    audit,
    dashboard,
    duties,
    gate,
    ips,
    outbox,
    pre_approval_keywords,
    provinces,
    registry,
    report,
    service_codes,
    settings,
    staff,
    subjects,
    tables,
    tokens,
)
from blueprints.admin.console import bp

__all__ = ["bp"]
CONSOLES = (
    dashboard, staff, applicants, ips, provinces, tables, registry, report, settings, outbox, audit,
    tokens, service_codes, subjects, pre_approval_keywords, duties, gate,
)  # fmt: skip
