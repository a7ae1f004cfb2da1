"""What the domain lookup's answer means for a new domain (DOMAIN.md A5 v3, B R-D-2, R-D-3): pure
functions over a DomainRegistration (domain/ports.py), shared by the type step (warnings) and the
submission (breaches and warnings).

- R-D-2: a domain must still be registered on the day of submission, and for at least the
  province's `domain_min_days`; fewer than EXPIRING_DAYS left is a warning whatever the province.
- R-D-3: the holder must be real-name verified and be the subject itself (an individual: the
  person; a unit: the unit): the name and the certificate number are compared, never the
  certificate type (registrars word types their own way); a value the source does not publish
  ("") is not compared.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from domain.ports import DomainRegistration
from domain.support.i18n import N_, Message

EXPIRING_DAYS = 90  # fewer days left than this is a warning (A1 v3, A5 v3)

# The warning codes of A5 v3 (the type step's `warnings`, and the reviewer's).
DOMAIN_EXPIRING = "domain_expiring"
DOMAIN_UNVERIFIED = "domain_unverified"
DOMAIN_HOLDER_MISMATCH = "domain_holder_mismatch"


def days_left(expires: date, today: date) -> int:
    """Days of registration left on `today` (0 on the expiry day, negative once expired)."""
    return (expires - today).days


def folded_name(name: str) -> str:
    """A holder or subject name as compared: NFKC (full-width brackets and letters folded), no
    spaces, case ignored."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def folded_number(number: str) -> str:
    """A certificate number as compared: NFKC, no spaces, upper case."""
    return "".join(unicodedata.normalize("NFKC", number or "").split()).upper()


def check_domain_period(
    domain: str, expires: date | None, today: date, min_days: int
) -> Message | None:
    """R-D-2: the domain has expired, or has fewer days left than the province asks for
    (`min_days`, 0: only an expired domain is refused). An unknown expiry is not judged."""
    if expires is None:
        return None
    left = days_left(expires, today)
    if left < 0:
        return Message(
            N_("域名 %(domain)s 已于 %(date)s 过期，请续费后再提交"),
            {"domain": domain, "date": expires.isoformat()},
        )
    if left < min_days:
        return Message(
            N_("域名 %(domain)s 的剩余注册期限为 %(left)s 天，本省要求至少 %(days)s 天，请续费后再提交"),
            {"domain": domain, "left": left, "days": min_days},
        )  # fmt: skip
    return None


def holder_differs(
    registration: DomainRegistration, certificate_number: str, subject_name: str | None
) -> bool:
    """Whether the holder is another than the subject (R-D-3): the certificate number differs, or
    (where `subject_name` is given) the name differs. An empty value of the lookup is not
    compared; the certificate type never is."""
    number = folded_number(registration.holder_certificate_number)
    if number and number != folded_number(certificate_number):
        return True
    name = folded_name(registration.holder_name)
    return bool(subject_name is not None and name and name != folded_name(subject_name))


def check_domain_holder(
    registration: DomainRegistration, certificate_number: str, subject_name: str
) -> Message | None:
    """R-D-3: the domain's holder is not real-name verified, or is not the subject (name or
    certificate number). An unknown verification (None) is not a breach: it is a warning."""
    if registration.real_name_verified is False:
        return Message(
            N_("域名 %(domain)s 尚未完成实名认证，请在域名注册商处完成实名认证后再提交"),
            {"domain": registration.domain},
        )
    if holder_differs(registration, certificate_number, subject_name):
        return holder_mismatch_message(registration.domain, registration, subject_name)
    return None


def holder_mismatch_message(
    domain: str,
    registration: DomainRegistration | None = None,
    subject_name: str | None = None,
) -> Message:
    """The domain's holder is another than the subject (R-D-3), naming the holder the lookup
    gives where its name is not the subject's (what the domain certificate carries)."""
    holder = registration.holder_name.strip() if registration is not None else ""
    if holder and (subject_name is None or folded_name(holder) != folded_name(subject_name)):
        return Message(
            N_("域名 %(domain)s 的持有者为“%(holder)s”，与备案主体不一致：域名须由主体本身持有（个人为本人，单位为单位），请先在域名注册商处办理过户"),
            {"domain": domain, "holder": holder},
        )  # fmt: skip
    if holder:  # the same name, another certificate number
        return Message(
            N_("域名 %(domain)s 的持有者“%(holder)s”的证件号码与备案主体不一致：域名须由主体本身持有（个人为本人，单位为单位），请核对证件号码或先在域名注册商处办理过户"),
            {"domain": domain, "holder": holder},
        )  # fmt: skip
    return Message(
        N_("域名 %(domain)s 的持有者与备案主体不一致：域名须由主体本身持有（个人为本人，单位为单位），请先在域名注册商处办理过户"),
        {"domain": domain},
    )  # fmt: skip


def expiring_warning(domain: str, expires: date | None, today: date) -> Message | None:
    """domain_expiring (R-D-2, a warning): fewer than 90 days of registration left."""
    if expires is None or days_left(expires, today) >= EXPIRING_DAYS:
        return None
    return Message(
        N_("域名 %(domain)s 将于 %(date)s 到期（剩余 %(left)s 天），建议尽快续费，部分省份要求剩余期限不少于 3 个月"),
        {"domain": domain, "date": expires.isoformat(), "left": max(days_left(expires, today), 0)},
    )  # fmt: skip


def unverified_warning(domain: str, registration: DomainRegistration | None) -> Message | None:
    """domain_unverified (R-D-3, a warning): the lookup has no answer, or does not say the holder
    is real-name verified; the domain certificate is then the evidence the reviewer checks."""
    if registration is not None and registration.real_name_verified:
        return None
    if registration is None or registration.real_name_verified is None:
        return Message(
            N_("未能查询到域名 %(domain)s 的注册信息，请在资料中上传域名证书，审核员将据此核对域名持有者"),
            {"domain": domain},
        )  # fmt: skip
    return Message(
        N_("域名 %(domain)s 尚未完成实名认证，请在域名注册商处完成实名认证"), {"domain": domain}
    )
