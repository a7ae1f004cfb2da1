"""The checks that need stored data (DOMAIN.md A5 v3), run at every submission beside the A6
re-checks and shown to the reviewer:

- R-P-4: a responsible person's mobile or emergency mobile is the mobile of a person of another
  subject, on the registry (a website's `responsible_mobile`) or in an order of this app that is
  neither a draft nor withdrawn: a breach on that field, the number masked.
- R-S-5 (warning): for an access order, a website's responsible mobile differs from the one on
  the registry, where the bureau's SMS will go.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select, union_all

from domain.lifecycle.states import FilingState, OrderKind
from domain.ports import Registry
from domain.rulebook.precheck import Breach, Findings
from domain.rulebook.registry import LocalRegistry
from domain.support.i18n import N_, Message
from domain.support.masking import mask_phone
from extensions import db
from models import Filing, Person, Subject, Website

NOT_COUNTED = (FilingState.draft, FilingState.withdrawn)  # R-P-4: orders that do not hold a mobile
USED_ELSEWHERE = N_("手机号码已用于其他主体（%(mobile)s），一个手机号码只能用于一个主体")
SMS_TO_RECORD = N_("管局短信将发送至原备案手机号 %(mobile)s；如号码已变更，请先在原接入商处变更")


def check(filing: Filing, registry: Registry | None = None) -> Findings:
    """R-P-4's breaches and R-S-5's warnings for the filing as it stands."""
    registry = registry or LocalRegistry()
    return Findings(mobile_reuse(filing, registry), sms_recipients(filing, registry))


def numbers(filing: Filing) -> Iterator[tuple[str, str]]:
    """(field path, number) of every mobile and emergency mobile the filing gives."""
    people: list[tuple[str, Person | None]] = [
        ("subject.responsible_person", filing.subject.responsible_person)
    ]
    people += [
        (f"websites[{i}].responsible_person", w.responsible_person)
        for i, w in enumerate(filing.websites)
    ]
    for path, person in people:
        if person is None:
            continue
        for key in ("mobile", "emergency_mobile"):
            number = (getattr(person, key) or "").strip()
            if number:
                yield f"{path}.{key}", number


def _same_subject(filing: Filing, subject_number: str, certificate: tuple[str, str]) -> bool:
    """Whether a person found elsewhere belongs to the filing's own subject (by its certificate,
    or by its MIIT subject number)."""
    subject = filing.subject
    return (subject.certificate_type, subject.certificate_number) == certificate or bool(
        filing.registry_subject_number and filing.registry_subject_number == subject_number
    )


def mobile_reuse(filing: Filing, registry: Registry) -> list[Breach]:
    """R-P-4: each number of the filing that another subject's person uses, on the registry or in
    an order of this app that is neither a draft nor withdrawn."""
    given = list(numbers(filing))
    wanted = {number for _path, number in given}
    if not wanted:
        return []
    used_elsewhere: set[str] = set()
    for number in wanted:
        for website in registry.websites_with_mobile(number):
            record = website.subject
            certificate = (record.certificate_type, record.certificate_number)
            if not _same_subject(filing, record.subject_number, certificate):
                used_elsewhere.add(number)
    for mobile, certificate_type, certificate_number, subject_number in _order_persons(
        filing, wanted
    ):
        if not _same_subject(filing, subject_number, (certificate_type, certificate_number)):
            used_elsewhere.add(mobile)
    return [
        Breach(path, "R-P-4", Message(USED_ELSEWHERE, {"mobile": mask_phone(number)}))
        for path, number in given
        if number in used_elsewhere
    ]


def _order_persons(filing: Filing, numbers: set[str]) -> list[tuple[str, str, str, str]]:
    """(mobile, certificate type, certificate number, registry subject number) of the persons of
    other orders of this app (neither draft nor withdrawn) whose mobile is one of `numbers`."""
    columns = (
        Person.mobile,
        Subject.certificate_type,
        Subject.certificate_number,
        Filing.registry_subject_number,
    )
    counted = (
        Filing.id != filing.id,
        Filing.state.not_in(NOT_COUNTED),
        Person.mobile.in_(sorted(numbers)),
    )
    of_subjects = (
        select(*columns)
        .select_from(Filing)
        .join(Subject, Filing.subject_id == Subject.id)
        .join(Person, Subject.responsible_person_id == Person.id)
        .where(*counted)
    )
    of_websites = (
        select(*columns)
        .select_from(Filing)
        .join(Subject, Filing.subject_id == Subject.id)
        .join(Website, Website.filing_id == Filing.id)
        .join(Person, Website.responsible_person_id == Person.id)
        .where(*counted)
    )
    rows = db.session.execute(union_all(of_subjects, of_websites)).all()
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def sms_recipients(filing: Filing, registry: Registry) -> list[Breach]:
    """R-S-5 (warning): for an access order, each website whose responsible person's mobile (the
    subject's where the website names none) differs from its responsible mobile on the registry."""
    if filing.kind is not OrderKind.access:
        return []
    warnings = []
    seen: set[tuple[str, str]] = set()  # one warning per field and number on record
    subject_person = filing.subject.responsible_person
    for index, website in enumerate(filing.websites):
        record = registry.website_by_number(website.icp_number) if website.icp_number else None
        if record is None or not record.responsible_mobile:
            continue
        person, path = website.responsible_person, f"websites[{index}].responsible_person.mobile"
        if person is None:
            person, path = subject_person, "subject.responsible_person.mobile"
        typed = (person.mobile or "").strip() if person is not None else ""
        masked = mask_phone(record.responsible_mobile)
        if typed and typed != record.responsible_mobile and (path, masked) not in seen:
            seen.add((path, masked))
            warnings.append(Breach(path, "R-S-5", Message(SMS_TO_RECORD, {"mobile": masked})))
    return warnings
