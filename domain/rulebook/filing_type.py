"""Filing-type verification (DOMAIN.md A5 v3 decision table; R-T-1, R-T-2, R-T-4, R-T-6, R-T-8).

Given a certificate and one domain, decide 新增接入 (new_access), 继续接入 (continued_access),
首次备案 (first_filing), 新增网站 (new_website), or a refusal with its reason. The first matching
row of the table decides. Every answer carries its warnings (domain_expiring by the registry's
dates for an access type; by the domain lookup for a new filing, with domain_unverified and
domain_holder_mismatch); a refusal carries none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict, Unpack
from urllib.parse import urlsplit

import idna
from sqlalchemy import Select, exists, select

from domain.errors import DomainError
from domain.lifecycle import workflow
from domain.lifecycle.states import HOLDING_KINDS, FilingState, FilingType
from domain.ports import DomainLookup, DomainRegistration, Registry
from domain.rulebook import domain_checks, rules
from domain.rulebook.application import CERTIFICATE_TYPES
from domain.rulebook.domain_table import LocalDomainTable
from domain.rulebook.registry import LocalRegistry
from domain.support.i18n import N_, Message
from extensions import db
from models import (
    Filing,
    RegistrySubject,
    RegistryWebsite,
    Subject,
    SubjectHolding,
    User,
    Website,
    WebsiteDomain,
)  # fmt: skip


@dataclass(frozen=True)
class TypeWarning:
    """One entry of the answer's `warnings` (A5 v3): its code and what it says."""

    code: str  # domain_expiring, domain_unverified, domain_holder_mismatch
    message: Message


@dataclass
class TypeVerdict:
    """The A5 answer: a type, or a refusal code with its message; and the warnings."""

    type: FilingType | None
    refusal: str | None
    message: Message
    subject_number: str | None = None
    website_number: str | None = None
    domains: list[str] = field(default_factory=list)
    domain: str = ""  # the registrable domain looked up (A5 v2), in the form people read
    warnings: list[TypeWarning] = field(default_factory=list)

    def as_dict(
        self, gettext: Callable[[str], str]
    ) -> dict[str, str | list[str] | list[dict[str, str]] | None]:
        """The A5 JSON shape, with the messages in the current language."""
        return {
            "type": self.type.value if self.type else None,
            "refusal": self.refusal,
            "message": self.message.render(gettext),
            "domain": self.domain,
            "subject_number": self.subject_number,
            "website_number": self.website_number,
            "domains": self.domains,
            "warnings": [
                {"code": warning.code, "message": warning.message.render(gettext)}
                for warning in self.warnings
            ],
        }


class FoundRecords(TypedDict, total=False):
    """What the registry showed, carried into a verdict (TypeVerdict's optional fields)."""

    subject_number: str
    website_number: str
    domains: list[str]
    domain: str


ACCESS_TYPES = frozenset({FilingType.new_access, FilingType.continued_access})

REFUSALS = {
    "domain_filed_elsewhere": N_(
        "该域名已在其他证件下备案（可能是其他主体的证件，也可能是本主体的其他证件类型或旧证件号码）。"
        "请按原备案信息中的证件类型和号码填写；如主体证件已变更，请先到原接入商处办理变更备案；"
        "如该域名是新购买的，请先注销其原有备案后再办理。"
    ),
    "new_website_required": N_("该域名尚未备案，请办理新增网站备案。"),
    "domain_subject_mismatch": N_("该域名已备案在其他主体下，请核对证件号码和域名。"),
    "already_accessed": N_("该网站已接入本服务商，无需再次办理接入备案。"),
    "change_in_progress": N_("该网站正在办理变更备案，请变更完成后再办理接入备案。"),
    "domain_expired": N_("该网站的域名 %(domain)s 已过期，请续费或注销该域名后再办理接入备案。"),
    "open_order_exists": N_("该主体已有一个正在办理中的备案订单，请等待其完成或放弃后再提交。"),
    "subject_owned_by_other_account": N_(
        "该主体已由本服务商的另一个账号持有，请登录该账号办理继续接入。"
    ),
}
RESULTS = {
    FilingType.new_access: N_("验证通过：新增接入。该主体首次在本服务商办理备案。"),
    FilingType.continued_access: N_(
        "验证通过：继续接入。该主体已在本服务商备案，本次接入的网站将添加到该主体下。"
    ),
    FilingType.first_filing: N_(
        "验证通过：首次备案。该主体和域名均未在工信部备案，需由本服务商为您办理首次备案，备案通过后将获得新的备案号。"
    ),
    FilingType.new_website: N_(
        "验证通过：新增网站。该主体已在工信部备案，该域名尚未备案，需为该主体新增网站备案，备案通过后网站将获得新的网站备案号。"
    ),
}


def normalise_certificate(number: str) -> str:
    """Certificate numbers as stored: NFKC-folded (full-width digits and letters to ASCII), no
    spaces, upper case (x -> X)."""
    return "".join(unicodedata.normalize("NFKC", number or "").split()).upper()


class LookupInputError(DomainError):
    """What was typed cannot be looked up (A5 v2 bad input); `problems` lists (field, Message)
    with field "cert_type", "cert_number" or "domain"."""

    def __init__(self, problems: list[tuple[str, Message]]) -> None:
        super().__init__(problems[0][1], problems[0][0])
        self.problems = problems

    def as_list(self, gettext: Callable[[str], str]) -> list[dict[str, str]]:
        """[{"field", "message"}], messages translated."""
        return [{"field": name, "message": what.render(gettext)} for name, what in self.problems]


@dataclass(frozen=True)
class Lookup:
    """A5 input after folding: the certificate as the registry holds it and the registrable domain
    (ASCII) that an access filing carries."""

    certificate_type: str
    certificate_number: str
    domain: str


# The certificate types A5 reads: A2's list with the two of A2 v3 (kept here until the rulebook's
# list carries them; dict.fromkeys drops them again once it does).
LOOKUP_CERTIFICATE_TYPES = tuple(
    dict.fromkeys((*CERTIFICATE_TYPES, "hk_mo_tw_residence", "foreign_permanent_residence"))
)
RESIDENCE_ADDRESS_CODES = ("810000", "820000", "830000")  # Hong Kong, Macao, Taiwan
GB11643_FORM = re.compile(r"^[0-9]{17}[0-9X]$")
FOREIGN_PERMANENT_OLD_FORM = re.compile(r"^[A-Z]{3}[0-9]{12}$")


def check_v3_certificate_number(certificate_type: str, number: str) -> Message | None:
    """R-ID-3 (v3) for the two certificate types of A2 v3, as A5 reads them (bad input):
    `hk_mo_tw_residence` (港澳台居民居住证): 18 characters, GB 11643 check character, a real birth
    date at characters 7-14, address code 810000, 820000 or 830000; `foreign_permanent_residence`
    (外国人永久居留身份证): the 2023 form (18 characters starting with 9, check character, birth
    date) or the older `[A-Z]{3}[0-9]{12}`. None for any other type. One function, to be unified
    with the rulebook's R-ID-3 checks of these types."""
    if certificate_type == "foreign_permanent_residence" and FOREIGN_PERMANENT_OLD_FORM.match(
        number
    ):
        return None
    if certificate_type not in ("hk_mo_tw_residence", "foreign_permanent_residence"):
        return None
    if not GB11643_FORM.match(number):
        return Message(N_("证件号码应为 18 位，最后一位可为大写 X"))
    if certificate_type == "hk_mo_tw_residence" and number[:6] not in RESIDENCE_ADDRESS_CODES:
        return Message(N_("港澳台居民居住证号码应以 810000、820000 或 830000 开头"))
    if certificate_type == "foreign_permanent_residence" and not number.startswith("9"):
        return Message(N_("外国人永久居留身份证号码应以 9 开头（或为 3 个大写字母加 12 位数字）"))
    birth = rules.birth_date(number)
    if birth is None or birth.year < 1900:
        return Message(N_("证件号码中的出生日期不正确"))
    if rules.resident_id_check_char(number[:17]) != number[17]:
        return Message(N_("证件号码校验位错误，请核对"))
    return None


NOT_A_HOST = re.compile(r"://|[/\\:?#@\s]")


def read_lookup(certificate_type: str, certificate_number: str, domain: str) -> Lookup:
    """Fold and check A5 input: NFKC and trim both values, upper-case the certificate, reduce the
    domain (lower case, no trailing dot, IDNA) to its registrable domain by the public suffix list.

    :raises LookupInputError: a certificate type outside A2, a resident ID (or, v3, a residence
        permit or permanent residence card) failing R-ID-3 or a USCC failing R-ID-4, a domain that is not a host name or has no registrable part.
    """
    problems: list[tuple[str, Message]] = []
    kind = unicodedata.normalize("NFKC", certificate_type or "").strip()
    number = normalise_certificate(certificate_number)
    if kind not in LOOKUP_CERTIFICATE_TYPES:
        problems.append(
            ("cert_type", Message(N_("取值无效，应为：%(values)s"), {"values": ", ".join(LOOKUP_CERTIFICATE_TYPES)}))
        )  # fmt: skip
    elif not number:
        problems.append(("cert_number", Message(N_("请填写主体证件号码"))))
    elif kind == "resident_id" and (problem := rules.check_resident_id(number)) is not None:
        problems.append(("cert_number", problem))
    elif kind == "uscc" and (problem := rules.check_uscc(number)) is not None:
        problems.append(("cert_number", problem))
    elif (problem := check_v3_certificate_number(kind, number)) is not None:
        problems.append(("cert_number", problem))
    registrable = registrable_domain(domain)
    if isinstance(registrable, Message):
        problems.append(("domain", registrable))
    if problems:
        raise LookupInputError(problems)
    assert isinstance(registrable, str)
    return Lookup(kind, number, registrable)


PASTED_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//|^[^\s/]+\.[^\s/]+/", re.IGNORECASE)


def host_of_pasted_url(typed: str | None) -> str | None:
    """The host of a pasted address (`https://www.qinghe.cn/` or `www.qinghe.cn/about` ->
    `www.qinghe.cn`), for the web form to clean and say so; None when it is no such address.
    The API and the CLI do not clean: they refuse a URL as bad input (A5)."""
    text = unicodedata.normalize("NFKC", typed or "").strip()
    if not PASTED_URL.search(text) or any(c.isspace() for c in text):
        return None
    try:
        parts = urlsplit(text if "//" in text else "//" + text)
        host = parts.hostname
    except ValueError:  # a malformed port or an unbalanced IPv6 bracket
        return None
    return host or None


def fold_host(typed: str | None) -> str:
    """A typed host name as A5 reads it: NFKC-folded, trimmed, lower-case, no trailing dot."""
    return unicodedata.normalize("NFKC", typed or "").strip().lower().rstrip(".")


def registrable_domain(typed: str) -> str | Message:
    """The registrable domain (ASCII) of a typed host name (`www.qinghe.cn` -> `qinghe.cn`), or
    what is wrong with it."""
    host = fold_host(typed)
    if not host:
        return Message(N_("请填写网站域名"))
    if NOT_A_HOST.search(host):
        return Message(N_("只填写域名本身（如 example.cn），不要包含 http://、路径、端口或空格"))
    try:
        ascii_host = idna.encode(host, uts46=True, std3_rules=True).decode("ascii")
    except idna.IDNAError:
        return Message(N_("域名格式不正确"))
    registrable = rules.registrable_part(ascii_host)
    if registrable is None:
        return Message(N_("不是可以注册的域名（如 example.cn），请填写完整的域名"))
    return registrable


def unicode_domain(ascii_domain: str) -> str:
    """A stored (punycode) domain in the form people read."""
    try:
        return idna.decode(ascii_domain)
    except idna.IDNAError:
        return ascii_domain


def verify_filing_type(
    certificate_type: str,
    certificate_number: str,
    domain: str,
    provider_code: str,
    today: date,
    account: User | None = None,
    registry: Registry | None = None,
    exclude_filing_id: int | None = None,
    lookup: DomainLookup | None = None,
) -> TypeVerdict:
    """Decide the filing type by the A5 v3 table; `account` is who asks (None: nobody in
    particular, and row 7 then refuses a subject held by any account). `lookup` is the domain
    lookup the warnings of a new filing ask (default: the local domain table).

    `exclude_filing_id` leaves one filing out of rows 3, 6, 7 and 10 (the one re-checked at submit).

    :raises LookupInputError: bad input (read_lookup), refused before any lookup.
    """
    registry = registry or LocalRegistry()
    typed = read_lookup(certificate_type, certificate_number, domain)
    looked_up = unicode_domain(typed.domain)
    subject = registry.subject_by_certificate(typed.certificate_type, typed.certificate_number)
    website = registry.website_by_domain(typed.domain)
    number = subject.subject_number if subject is not None else None
    found: FoundRecords = {"domain": looked_up, "domains": [looked_up]}
    if number is not None:
        found["subject_number"] = number
    if website is not None:  # rows 1-5 look at the registry website that carries the domain
        if subject is None:
            return _refuse("domain_filed_elsewhere", domain=looked_up)
        if website.subject_id != subject.id:
            return _refuse(
                "domain_subject_mismatch", subject_number=subject.subject_number, domain=looked_up
            )
        found["website_number"] = website.website_number
        found["domains"] = [unicode_domain(d.domain) for d in website.domains]
        refusal = website_refusal(website, provider_code, today)
        held = [d.domain for d in website.domains]
        if refusal is None and held_website(held, exclude_filing_id) is not None:
            refusal = ("already_accessed", {})  # this app's own records, whatever the registry says
        if refusal is not None:
            return _refuse(refusal[0], refusal[1], **found)
    if _open_order_exists(typed, subject, exclude_filing_id):
        return _refuse("open_order_exists", **found)
    approved_here = _approved_orders(subject, exclude_filing_id)
    if subject is not None and approved_here is not None:
        # held: an approved order whose websites are still records (an admin's unbinding ends
        # them), or a claim or an admin's binding (A7 v3)
        holding = approved_here.where(
            exists(
                select(Website.id).where(
                    Website.filing_id == Filing.id, Website.superseded_at.is_(None)
                )
            )
        )
        others = holding if account is None else holding.where(Filing.account_id != account.id)
        claimed = select(SubjectHolding).where(
            SubjectHolding.subject_number == subject.subject_number,
            SubjectHolding.ended_at.is_(None),
        )
        if account is not None:
            claimed = claimed.where(SubjectHolding.account_id != account.id)
        if db.session.scalar(select(exists(others))) or db.session.scalar(select(exists(claimed))):
            return _refuse("subject_owned_by_other_account", **found)
    if subject is None:
        kind = FilingType.first_filing
    elif website is None:
        kind = FilingType.new_website
    elif _subject_accessed_here(subject.websites, provider_code) or (
        approved_here is not None and db.session.scalar(select(exists(approved_here)))
    ):
        kind = FilingType.continued_access
    else:
        kind = FilingType.new_access
    verdict = TypeVerdict(kind, None, Message(RESULTS[kind]), **found)
    if website is not None:
        verdict.warnings = registry_expiry_warnings(website, today)
    else:
        verdict.warnings = new_domain_warnings(
            lookup or LocalDomainTable(), typed.domain, today, typed.certificate_number,
            subject.name if subject is not None else None,
        )  # fmt: skip
    return verdict


def registry_expiry_warnings(website: RegistryWebsite, today: date) -> list[TypeWarning]:
    """domain_expiring for each domain of a registry website with fewer than 90 days left."""
    warnings = []
    for registered in website.domains:
        shown = unicode_domain(registered.domain)
        message = domain_checks.expiring_warning(shown, registered.expires_on, today)
        if message is not None:
            warnings.append(TypeWarning(domain_checks.DOMAIN_EXPIRING, message))
    return warnings


def ask_lookup(lookup: DomainLookup, ascii_domain: str) -> DomainRegistration | None:
    """The domain lookup's answer; None when it has none or did not answer (no answer is a
    warning, never an error: the domain certificate is then the evidence)."""
    try:
        return lookup.lookup(ascii_domain)
    except ConnectionError:
        return None


def new_domain_warnings(
    lookup: DomainLookup,
    ascii_domain: str,
    today: date,
    certificate_number: str,
    subject_name: str | None,
) -> list[TypeWarning]:
    """A5 v3 warnings for the domain of a first_filing or new_website, by the domain lookup:
    domain_unverified, domain_holder_mismatch (the name compared only where the subject is on the
    registry: `subject_name`), domain_expiring."""
    shown = unicode_domain(ascii_domain)
    registration = ask_lookup(lookup, ascii_domain)
    warnings = []
    unverified = domain_checks.unverified_warning(shown, registration)
    if unverified is not None:
        warnings.append(TypeWarning(domain_checks.DOMAIN_UNVERIFIED, unverified))
    if registration is not None:
        if domain_checks.holder_differs(registration, certificate_number, subject_name):
            warnings.append(
                TypeWarning(
                    domain_checks.DOMAIN_HOLDER_MISMATCH,
                    domain_checks.holder_mismatch_message(shown, registration, subject_name),
                )
            )
        expiring = domain_checks.expiring_warning(shown, registration.expires, today)
        if expiring is not None:
            warnings.append(TypeWarning(domain_checks.DOMAIN_EXPIRING, expiring))
    return warnings


def _open_order_exists(
    typed: Lookup, subject: RegistrySubject | None, exclude_filing_id: int | None
) -> bool:
    """Row 6: an order of this app (any kind, any account) for that certificate type and number,
    or for the registry subject it names, that is neither a draft nor finished."""
    open_order = _open_orders(typed.certificate_type, typed.certificate_number, subject,
                              exclude_filing_id)  # fmt: skip
    return bool(db.session.scalar(select(exists(open_order))))


def open_order_id(
    certificate_type: str, certificate_number: str, subject_number: str | None
) -> int | None:
    """The order that row 6 (open_order_exists) refused a new one for: the oldest open order of
    that certificate or registry subject (None: there is none)."""
    subject = (
        db.session.scalar(
            select(RegistrySubject).where(RegistrySubject.subject_number == subject_number)
        )
        if subject_number
        else None
    )
    query = _open_orders(certificate_type, normalise_certificate(certificate_number), subject, None)
    return db.session.scalar(query.order_by(Filing.id).limit(1))


def _open_orders(
    certificate_type: str, certificate_number: str, subject: RegistrySubject | None,
    exclude_filing_id: int | None,
) -> Select[int]:  # fmt: skip
    """The ids of the open orders (neither a draft nor finished) of that certificate or subject."""
    same_certificate = (Subject.certificate_type == certificate_type) & (
        Subject.certificate_number == certificate_number
    )
    verified_with = (Filing.verified_certificate_type == certificate_type) & (
        Filing.verified_certificate_number == certificate_number
    )
    ours = same_certificate | verified_with
    if subject is not None:
        ours = ours | (Filing.registry_subject_number == subject.subject_number)
    open_order = (
        select(Filing.id)
        .join(Subject, Filing.subject_id == Subject.id)
        .where(
            ours,
            Filing.id != (exclude_filing_id or 0),
            Filing.state.not_in([FilingState.draft, *workflow.FINAL_STATES]),
        )
    )
    return open_order


def _approved_orders(
    subject: RegistrySubject | None, exclude_filing_id: int | None
) -> Select[Filing] | None:
    """The approved orders of the registry subject here (None without a subject: nothing is held)."""
    if subject is None:
        return None
    return select(Filing).where(
        Filing.registry_subject_number == subject.subject_number,
        Filing.id != (exclude_filing_id or 0),
        Filing.state == FilingState.approved,
    )


def held_website(domains: Collection[str], exclude_filing_id: int | None = None) -> Website | None:
    """A website held here (of an approved access or change order, not superseded; any account)
    that carries one of these ASCII domains: this app's own records, whatever the registry says."""
    if not domains:
        return None
    return db.session.scalars(
        select(Website)
        .join(Filing, Website.filing_id == Filing.id)
        .join(WebsiteDomain, WebsiteDomain.website_id == Website.id)
        .where(
            Filing.state == FilingState.approved,
            Filing.kind.in_(HOLDING_KINDS),
            Filing.id != (exclude_filing_id or 0),
            Website.superseded_at.is_(None),
            WebsiteDomain.domain.in_(list(domains)),
        )
        .limit(1)
    ).first()


def website_refusal(
    website: RegistryWebsite, provider_code: str, today: date
) -> tuple[str, dict[str, str]] | None:
    """A5 rows 4-6 for one website of the subject: already here, change in progress, expired."""
    if provider_code in website.provider_codes:
        return "already_accessed", {}
    if website.change_in_progress:
        return "change_in_progress", {}
    expired = [d for d in website.domains if d.expires_on < today]
    if expired:
        return "domain_expired", {"domain": unicode_domain(expired[0].domain)}
    return None


def refusal_message(code: str, params: dict[str, str] | None = None) -> Message:
    """The message of a refusal code."""
    return Message(REFUSALS[code], params or {})


def _subject_accessed_here(websites: list[RegistryWebsite], provider_code: str) -> bool:
    return any(provider_code in website.provider_codes for website in websites)


def _refuse(
    code: str, params: dict[str, str] | None = None, **found: Unpack[FoundRecords]
) -> TypeVerdict:
    return TypeVerdict(None, code, refusal_message(code, params), **found)
