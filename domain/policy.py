"""The provider's settings that the workflow and the rules run under, as one plain value.

The web layer and the CLI build it from the configuration with the console's stored settings laid
over (runtime/policy.py); the domain never reads the Flask configuration itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Policy:
    """Deadlines, the provider's code, SMS limits, claims and the webhook."""

    provider_code: str
    provider_name: str
    mail_address: str
    initial_review_workdays: int
    re_review_workdays: int
    bureau_submit_workdays: int
    sms_valid_hours: int
    sms_send_cap: int
    sms_resend_seconds: int
    claim_timeout_minutes: int
    overdue_counts_seconds: int
    stale_reminder_days: tuple[int, ...]
    stale_withdraw_days: int
    webhook_url: str
    secret_key: str
    # notifications: the SMS signature and template codes, the outbox's retries, links
    sms_sign_name: str = ""
    sms_templates: tuple[tuple[str, str], ...] = ()  # our template key -> the platform's code
    outbox_max_attempts: int = 8
    outbox_backoff_seconds: int = 60
    outbox_backoff_max_seconds: int = 6 * 3600
    public_url: str = "http://127.0.0.1:5000"
    demo_mode: bool = False  # BEIAN_DEMO_MODE: demo conveniences, never in production
    # service codes and mobile codes (DOMAIN.md A10)
    product_verification: str = "ip_pool"  # "ip_pool", "service_code" or "either"
    verify_mobiles: bool = True
    mobile_codes_per_hour: int = 5

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Policy:
        """The policy that `config` (Flask's, or any mapping with the same keys) describes."""
        return cls(
            provider_code=str(config["PROVIDER_CODE"]),
            provider_name=str(config["PROVIDER_NAME"]),
            mail_address=str(config["MAIL_ADDRESS"]),
            initial_review_workdays=int(config["INITIAL_REVIEW_WORKDAYS"]),
            re_review_workdays=int(config["RE_REVIEW_WORKDAYS"]),
            bureau_submit_workdays=int(config["BUREAU_SUBMIT_WORKDAYS"]),
            sms_valid_hours=int(config["SMS_VALID_HOURS"]),
            sms_send_cap=int(config["SMS_SEND_CAP"]),
            sms_resend_seconds=int(config["SMS_RESEND_SECONDS"]),
            claim_timeout_minutes=int(config["CLAIM_TIMEOUT_MINUTES"]),
            overdue_counts_seconds=int(config["OVERDUE_COUNTS_SECONDS"]),
            stale_reminder_days=tuple(int(days) for days in config["STALE_REMINDER_DAYS"]),
            stale_withdraw_days=int(config["STALE_WITHDRAW_DAYS"]),
            webhook_url=str(config.get("WEBHOOK_URL") or ""),
            secret_key=str(config["SECRET_KEY"]),
            sms_sign_name=str(config.get("SMS_SIGN_NAME") or ""),
            sms_templates=tuple(sorted((str(k), str(v))
                                       for k, v in dict(config.get("SMS_TEMPLATES") or {}).items())),
            outbox_max_attempts=int(config.get("OUTBOX_MAX_ATTEMPTS", 8)),
            outbox_backoff_seconds=int(config.get("OUTBOX_BACKOFF_SECONDS", 60)),
            outbox_backoff_max_seconds=int(config.get("OUTBOX_BACKOFF_MAX_SECONDS", 6 * 3600)),
            public_url=str(config.get("PUBLIC_URL") or "http://127.0.0.1:5000"),
            demo_mode=bool(config.get("DEMO_MODE")),
            product_verification=str(config.get("PRODUCT_VERIFICATION") or "ip_pool"),
            verify_mobiles=_flag(config.get("VERIFY_MOBILES", True)),
            mobile_codes_per_hour=int(config.get("MOBILE_CODES_PER_HOUR", 5)),
        )  # fmt: skip


def _flag(value: Any) -> bool:
    """A boolean setting from the environment or a mapping ("false", "0", "off" are false)."""
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "off")
    return bool(value)
