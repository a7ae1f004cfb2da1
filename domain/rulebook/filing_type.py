"""Filing-type verification (DOMAIN.md A5 decision table; R-T-1, R-T-2, R-T-4, R-T-6, R-T-8).

Given a certificate and one domain, decide 新增接入 (new_access), 继续接入 (continued_access), or a
refusal with its reason. The first matching row of the table decides.
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
from sqlalchemy import exists, select

from domain.errors import DomainError
from domain.lifecycle import workflow
from domain.lifecycle.states import FilingState, FilingType, OrderKind
from domain.ports import Registry
from domain.rulebook import rules
from domain.rulebook.application import CERTIFICATE_TYPES
from domain.rulebook.registry import LocalRegistry
from domain.support.i18n import N_, Message
from extensions import db
from models import Filing, RegistryWebsite, SubjectHolding, User, Website, WebsiteDomain


@dataclass
class TypeVerdict:
    """The A5 answer: a type, or a refusal code with its message."""

    type: FilingType | None
    refusal: str | None
    message: Message
    subject_number: str | None = None
    website_number: str | None = None
    domains: list[str] = field(default_factory=list)
    domain: str = ""  # the registrable domain looked up (A5 v2), in the form people read

    def as_dict(self, gettext: Callable[[str], str]) -> dict[str, str | list[str] | None]:
        """The A5 JSON shape, with the message in the current language."""
        return {
            "type": self.type.value if self.type else None,
            "refusal": self.refusal,
            "message": self.message.render(gettext),
            "domain": self.domain,
            "subject_number": self.subject_number,
            "website_number": self.website_number,
            "domains": self.domains,
        }


class FoundRecords(TypedDict, total=False):
    """What the registry showed, carried into a verdict (TypeVerdict's optional fields)."""

    subject_number: str
    website_number: str
    domains: list[str]
    domain: str


REFUSALS = {
    "first_filing_required": N_("该主体尚未在工信部备案，请办理首次备案。"),
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


NOT_A_HOST = re.compile(r"://|[/\\:?#@\s]")


def read_lookup(certificate_type: str, certificate_number: str, domain: str) -> Lookup:
    """Fold and check A5 input: NFKC and trim both values, upper-case the certificate, reduce the
    domain (lower case, no trailing dot, IDNA) to its registrable domain by the public suffix list.

    :raises LookupInputError: a certificate type outside A2, a resident ID failing R-ID-3 or a USCC
        failing R-ID-4, a domain that is not a host name or has no registrable part.
    """
    problems: list[tuple[str, Message]] = []
    kind = unicodedata.normalize("NFKC", certificate_type or "").strip()
    number = normalise_certificate(certificate_number)
    if kind not in CERTIFICATE_TYPES:
        problems.append(
            ("cert_type", Message(N_("取值无效，应为：%(values)s"), {"values": ", ".join(CERTIFICATE_TYPES)}))
        )  # fmt: skip
    elif not number:
        problems.append(("cert_number", Message(N_("请填写主体证件号码"))))
    elif kind == "resident_id" and (problem := rules.check_resident_id(number)) is not None:
        problems.append(("cert_number", problem))
    elif kind == "uscc" and (problem := rules.check_uscc(number)) is not None:
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
) -> TypeVerdict:
    """Decide the filing type by the A5 table; `account` is who asks (None: nobody in particular).

    `exclude_filing_id` leaves one filing out of rows 7-9 (the one being re-checked at submit).

    :raises LookupInputError: bad input (read_lookup), refused before any lookup.
    """
    registry = registry or LocalRegistry()
    lookup = read_lookup(certificate_type, certificate_number, domain)
    looked_up = unicode_domain(lookup.domain)
    if held_website([lookup.domain], exclude_filing_id) is not None:
        return _refuse("already_accessed", domain=looked_up)  # the app's own records count
    subject = registry.subject_by_certificate(lookup.certificate_type, lookup.certificate_number)
    if subject is None:
        return _refuse("first_filing_required", domain=looked_up)
    website = registry.website_by_domain(lookup.domain)
    if website is None:
        return _refuse(
            "new_website_required", subject_number=subject.subject_number, domain=looked_up
        )
    if website.subject_id != subject.id:
        return _refuse(
            "domain_subject_mismatch", subject_number=subject.subject_number, domain=looked_up
        )
    found: FoundRecords = {
        "domain": looked_up,
        "subject_number": subject.subject_number,
        "website_number": website.website_number,
        "domains": [unicode_domain(d.domain) for d in website.domains],
    }
    refusal = website_refusal(website, provider_code, today)
    if refusal is not None:
        code, params = refusal
        return _refuse(code, params, **found)
    filings_of_subject = select(Filing).where(
        Filing.registry_subject_number == subject.subject_number,
        Filing.id != (exclude_filing_id or 0),
    )
    open_filing = filings_of_subject.where(
        Filing.state.not_in([FilingState.draft, *workflow.FINAL_STATES])
    )
    if db.session.scalar(select(exists(open_filing))):
        return _refuse("open_order_exists", **found)
    approved_here = filings_of_subject.where(Filing.state == FilingState.approved)
    # held: an approved order whose websites are still records (an admin's unbinding ends them)
    holding = approved_here.where(
        exists(
            select(Website.id).where(
                Website.filing_id == Filing.id, Website.superseded_at.is_(None)
            )
        )
    )
    others = holding if account is None else holding.where(Filing.account_id != account.id)
    claimed = select(SubjectHolding).where(  # A7 v3: a claim or an admin's binding holds it too
        SubjectHolding.subject_number == subject.subject_number, SubjectHolding.ended_at.is_(None)
    )
    if account is not None:
        claimed = claimed.where(SubjectHolding.account_id != account.id)
    if db.session.scalar(select(exists(others))) or db.session.scalar(select(exists(claimed))):
        return _refuse("subject_owned_by_other_account", **found)
    if _subject_accessed_here(subject.websites, provider_code) or db.session.scalar(
        select(exists(approved_here))
    ):
        return TypeVerdict(
            FilingType.continued_access,
            None,
            Message(RESULTS[FilingType.continued_access]),
            **found,
        )
    return TypeVerdict(
        FilingType.new_access, None, Message(RESULTS[FilingType.new_access]), **found
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
            Filing.kind.in_(
                [
                    OrderKind.access,
                    OrderKind.change_access,
                    OrderKind.change_subject,
                    OrderKind.change_website,
                ]
            ),  # fmt: skip
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
