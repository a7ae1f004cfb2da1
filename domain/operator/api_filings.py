"""Creating a draft from an A2 application (the provider's console)."""

from __future__ import annotations

from datetime import date

from domain.errors import DomainError
from domain.filing import filings
from domain.ports import Registry
from domain.rulebook.application import Application
from domain.rulebook.filing_type import TypeVerdict
from domain.rulebook.precheck import Findings
from domain.rulebook.registry import to_ascii_domain
from extensions import db
from models import Filing, User


class DraftRefused(DomainError):
    """The filing type did not verify; `verdict` carries the A5 refusal."""

    def __init__(self, verdict: TypeVerdict) -> None:
        super().__init__(verdict.message)
        self.verdict = verdict


def draft_from_application(
    application: Application, account: User, provider_code: str, today: date,
    registry: Registry | None = None,
) -> tuple[Filing, Findings]:  # fmt: skip
    """Open (or reuse) the account's draft and fill it with the A2 data the order may set (an access
    filing: what the record does not hold; a 首次备案 or 新增网站, A8: what it types).

    The registry's subject and website data stay as they are (R-T-5); the filing password is still
    entered by the applicant in the web wizard.

    :raises DraftRefused: the A5 table refuses the subject and first domain.
    :raises filings.FilingError: an IP that is not the account's, or a website that does not fit.
    """
    subject = application.subject
    first = application.websites[0]
    filing, verdict = filings.start_filing(
        account, subject.certificate_type, subject.certificate_number,
        first.domains[0] if first.domains else "", provider_code, today, registry,
    )  # fmt: skip
    if filing is None:
        raise DraftRefused(verdict)
    all_ips = [ip for website in application.websites for ip in website.ips]
    filings.set_product_ips(filing, account, all_ips)
    person = subject.responsible_person
    filings.update_subject(filing, {
        "certificate_address": subject.certificate_address, "mailing_address": subject.mailing_address,
        "remark": subject.remark,
        **{f"person_{key}": getattr(person, key) for key in filings.PERSON_FIELDS},
        # a 首次备案 takes the subject as typed (A8); an access filing keeps the record's
        **{key: getattr(subject, key, "") or "" for key in filings.TYPED_SUBJECT_FIELDS},
    })  # fmt: skip
    for website_data in application.websites[1:]:
        if website_data.domains and not _carried(filing, website_data.domains[0]):
            filings.add_website(filing, website_data.domains[0], provider_code, today, registry)
    for website, website_data in zip(filing.websites, application.websites, strict=False):
        values = {
            "ips": website_data.ips,
            "service_types": website_data.service_types,
            "content_types": website_data.content_types,
            "languages": website_data.languages,
            "pre_approvals": [
                {"category": a.category, "number": a.number or ""}
                for a in website_data.pre_approvals
            ],
            "person_mode": "other" if website_data.responsible_person else "same",
            # a new filing's website as typed (A8); an access filing keeps the record's
            "name": website_data.name,
            "domains": " ".join(website_data.domains),
        }
        if website_data.responsible_person:
            values.update(
                {
                    f"person_{k}": getattr(website_data.responsible_person, k)
                    for k in filings.PERSON_FIELDS
                }
            )
        filings.update_website(filing, website, values)
    db.session.flush()
    return filing, filings.submission_problems(filing, today, provider_code, registry)


def _carried(filing: Filing, domain: str) -> bool:
    try:
        wanted = to_ascii_domain(domain)
    except ValueError:
        return False
    return any(d.domain == wanted for website in filing.websites for d in website.domains)
