"""The numbers of a new filing (DOMAIN.md A8): what the simulated bureau issues, and how an approved
首次备案 or 新增网站 becomes records held here with them.

A new subject gets `<abbr>ICP备<year><6 digits>号` (abbr of its province, the approval's year in
Beijing time, a sequence kept in the database: one upsert takes the sequence row's lock, so two
approvals on two hosts never draw the same value; a number already on the registry is skipped).
Each new website gets `<subject number>-<n>`, n one more than the subject's highest website number on
the registry.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select

from domain.errors import DomainError
from domain.lifecycle.states import OrderKind
from domain.lifecycle.workdays import SHANGHAI
from domain.ports import IssuedNumbers, Registry
from domain.rulebook import rules
from domain.rulebook.provinces import BY_CODE
from domain.rulebook.registry import LocalRegistry
from domain.support.i18n import N_, Message
from domain.support.upsert import add_to_counter
from extensions import db
from models import Filing, NumberSequence, RegistrySubject, RegistryWebsite

# The registration expiry recorded for a new domain until the registry's next import says better.
ASSUMED_DOMAIN_YEARS = 1


class NumbersRefused(DomainError):
    """The numbers given for an approval cannot be the bureau's (shape, count, already issued)."""


def next_subject_number(province: str, when: datetime) -> str:
    """The next `<abbr>ICP备<year><6 digits>号` of the province in the year of `when` (Beijing
    time), never issued before (flushes; holds the sequence row until the transaction ends)."""
    prefix = f"{BY_CODE[province].abbr}ICP备{when.astimezone(SHANGHAI).year}"
    while True:
        add_to_counter(NumberSequence, NumberSequence.name, prefix, NumberSequence.value, 1)
        value = db.session.scalar(select(NumberSequence.value).where(NumberSequence.name == prefix))
        number = f"{prefix}{value:06d}号"
        if not db.session.scalar(select(exists().where(RegistrySubject.subject_number == number))):
            return number


def next_website_numbers(subject_number: str, existing: list[str], count: int) -> list[str]:
    """`count` website numbers after the subject's highest one among `existing`."""
    highest = 0
    for number in existing:
        prefix, dash, sequence = number.rpartition("-")
        if dash and prefix == subject_number and sequence.isdigit():
            highest = max(highest, int(sequence))
    return [f"{subject_number}-{highest + n}" for n in range(1, count + 1)]


def registry_subject_of(filing: Filing, registry: Registry | None = None) -> RegistrySubject | None:
    """The registry subject of a 新增网站 (its certificate, as verified)."""
    registry = registry or LocalRegistry()
    return registry.subject_by_certificate(
        filing.verified_certificate_type, filing.verified_certificate_number
    )


def simulated_numbers(
    filing: Filing, now: datetime, registry: Registry | None = None
) -> IssuedNumbers:
    """What the simulated bureau issues for the new filing approved at `now` (A8)."""
    if filing.kind is OrderKind.first_filing:
        subject_number = next_subject_number(filing.subject.province, now)
        existing: list[str] = []
    else:
        record = registry_subject_of(filing, registry)
        if record is None:
            raise NumbersRefused(Message(N_("该主体不在工信部备案信息中，无法编号")))
        subject_number = record.subject_number
        existing = [w.website_number for w in record.websites]
    return IssuedNumbers(
        subject_number,
        tuple(next_website_numbers(subject_number, existing, len(filing.websites))),
    )


def suggested_numbers(filing: Filing, registry: Registry | None = None) -> IssuedNumbers:
    """What the reviewer's bureau-decision form shows before approval: the numbers the simulated
    bureau would issue now, without drawing from the sequence."""
    if filing.kind is OrderKind.first_filing:
        province = BY_CODE.get(filing.subject.province)
        if province is None:
            return IssuedNumbers("", ())
        prefix = f"{province.abbr}ICP备{datetime.now(SHANGHAI).year}"
        row = db.session.get(NumberSequence, prefix)
        value = (row.value if row else 0) + 1
        while db.session.scalar(
            select(exists().where(RegistrySubject.subject_number == f"{prefix}{value:06d}号"))
        ):
            value += 1
        subject_number, existing = f"{prefix}{value:06d}号", []
    else:
        record = registry_subject_of(filing, registry)
        if record is None:
            return IssuedNumbers("", ())
        subject_number = record.subject_number
        existing = [w.website_number for w in record.websites]
    return IssuedNumbers(
        subject_number,
        tuple(next_website_numbers(subject_number, existing, len(filing.websites))),
    )


def numbers_problem(filing: Filing, numbers: IssuedNumbers) -> Message | None:
    """What is wrong with numbers given for the filing's approval (None: nothing): their shape
    (R-ID-1, R-ID-2, R-ID-5), one per website, none issued before (the subject's, for a 新增网站,
    is the subject's own)."""
    if len(numbers.website_numbers) != len(filing.websites):
        return Message(N_("请为每个网站填写网站备案号"))
    problem = rules.check_icp_subject_number(numbers.subject_number) or rules.check_icp_province(
        numbers.subject_number, filing.subject.province
    )
    if problem is not None:
        return problem
    if filing.kind is OrderKind.first_filing and db.session.scalar(
        select(exists().where(RegistrySubject.subject_number == numbers.subject_number))
    ):
        return Message(N_("主体备案号 %(number)s 已被使用"), {"number": numbers.subject_number})
    if filing.kind is OrderKind.new_website:
        record = registry_subject_of(filing)
        if record is None or record.subject_number != numbers.subject_number:
            return Message(N_("新增网站的主体备案号须为该主体已有的备案号"))
    if len(set(numbers.website_numbers)) != len(numbers.website_numbers):
        return Message(N_("网站备案号不能重复"))
    for number in numbers.website_numbers:
        problem = rules.check_icp_website_number(number, numbers.subject_number)
        if problem is not None:
            return problem
        if db.session.scalar(select(exists().where(RegistryWebsite.website_number == number))):
            return Message(N_("网站备案号 %(number)s 已被使用"), {"number": number})
    return None


def complete(
    filing: Filing,
    numbers: IssuedNumbers,
    provider_code: str,
    now: datetime,
    registry: Registry | None = None,
) -> None:
    """An approved new filing becomes records held here: the filing carries the numbers, and the
    registry gains the subject (a 首次备案) and the websites, with this provider as their access
    provider (A8).

    :raises NumbersRefused: the numbers cannot be the bureau's (numbers_problem).
    """
    problem = numbers_problem(filing, numbers)
    if problem is not None:
        raise NumbersRefused(problem, "numbers")
    registry = registry or LocalRegistry()
    subject = filing.subject
    if filing.kind is OrderKind.first_filing:
        record = registry.add_subject(
            numbers.subject_number, subject.name, subject.kind, subject.certificate_type,
            subject.certificate_number, subject.province,
        )  # fmt: skip
    else:
        found = registry_subject_of(filing, registry)
        assert found is not None  # numbers_problem checked it
        record = found
    subject.icp_number = numbers.subject_number
    filing.registry_subject_number = numbers.subject_number
    expires = (now.astimezone(SHANGHAI) + timedelta(days=365 * ASSUMED_DOMAIN_YEARS)).date()
    subject_person = subject.responsible_person
    for website, number in zip(filing.websites, numbers.website_numbers, strict=True):
        website.icp_number = number
        person = website.responsible_person or subject_person
        registry.add_website(
            record, number, website.name, person.mobile if person else "",
            [(d.domain, expires) for d in website.domains], provider_code,
        )  # fmt: skip
    db.session.flush()
