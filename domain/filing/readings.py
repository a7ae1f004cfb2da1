"""The reviewers' OCR aid (DOMAIN.md A10): each uploaded licence and ID page is queued for reading
at the upload, read later by the worker (never in the request), and what it read, the certificate
number and the name, is set beside what the applicant typed. It never blocks anything and never
reaches the applicant: the review screen alone shows it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from domain.ports import Ocr, OcrResult, Storage
from domain.rulebook.rules import check_resident_id, check_uscc
from extensions import db
from models import Filing, Material, MaterialReading, Person, utcnow

# The pages the aid reads, and whose number and name it compares them with.
SUBJECT_PAGES = ("business_licence",)
PERSON_PAGES = ("id_front", "id_passport", "id_hk_mo_front", "id_tw_front")
WEBSITE_PERSON_PAGES = tuple("site_person_" + page for page in PERSON_PAGES)
KINDS = SUBJECT_PAGES + PERSON_PAGES + WEBSITE_PERSON_PAGES

NUMBER = re.compile(r"[0-9A-Z]{18}")
# What a printed label looks like before the value (名称 on a licence, 姓名 on an ID card).
NAME_LABELS = ("名称", "姓名", "名 称", "姓 名")
# A character OCR reads for another in a number (the USCC alphabet has no I, O, S, V, Z).
DIGIT_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "Z": "2", "S": "5", "]": "1", "|": "1"})


def queue(material: Material) -> None:
    """Queue a reading of the upload when it is a licence or ID page (flushed with the upload)."""
    if material.kind in KINDS:
        db.session.add(MaterialReading(material_id=material.id))


@dataclass(frozen=True)
class Read:
    """What the aid found on a page: the certificate number (one passing its check character
    where there is one) and the name, each "" when not found."""

    certificate_number: str
    name: str


def parse(result: OcrResult) -> Read:
    """The certificate number and the name in an OCR result (Chinese text is read with spaces
    between the characters: they are dropped)."""
    lines = ["".join(line.split()) for line in result.lines]
    return Read(_number(lines), _name(lines))


def _number(lines: list[str]) -> str:
    found = ""
    for line in lines:
        for candidate in NUMBER.findall(line.upper()):
            for number in (candidate, candidate[:17].translate(DIGIT_LOOKALIKES) + candidate[17]):
                if check_uscc(number) is None or check_resident_id(number) is None:
                    return str(number)
            found = found or str(candidate)
    return found


def _name(lines: list[str]) -> str:
    for line in lines:
        for label in NAME_LABELS:
            label = label.replace(" ", "")
            if label in line:
                value = line.split(label, 1)[1].lstrip(":：|")
                if value:
                    return value[:64]
    return ""


def read_next(ocr: Ocr, store: Storage, now: datetime | None = None) -> MaterialReading | None:
    """Read the oldest pending page (a row no other worker holds), record what was read or why it
    failed; None when nothing waits. Flushes; the caller commits, one page per transaction."""
    reading = db.session.scalar(
        select(MaterialReading)
        .where(MaterialReading.status == "pending")
        .order_by(MaterialReading.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if reading is None:
        return None
    material = reading.material
    reading.read_at = now or utcnow()
    try:
        data = store.get(material.storage_key)
        if data is None:
            raise ConnectionError("the stored image is gone")
        result = ocr.read(data, material.kind)
    except ConnectionError as exc:
        reading.status, reading.error = "failed", str(exc)[:255]
    else:
        found = parse(result)
        reading.status, reading.confidence = "read", result.confidence
        reading.certificate_number, reading.name = found.certificate_number, found.name
    db.session.flush()
    return reading


# --- beside what was typed (the review screen) -------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """One page's reading set beside the typed number and name; `*_differs` marks a difference
    (only where the aid read something)."""

    material: Material
    status: str  # pending, read, failed
    typed_number: str
    read_number: str
    typed_name: str
    read_name: str

    @property
    def number_differs(self) -> bool:
        return bool(self.read_number) and _plain(self.read_number) != _plain(self.typed_number)

    @property
    def name_differs(self) -> bool:
        return bool(self.read_name) and _plain(self.read_name) != _plain(self.typed_name)


def _plain(text: str) -> str:
    return "".join(text.split()).upper()


def typed_for(filing: Filing, material: Material) -> tuple[str, str]:
    """The number and name the applicant typed for the page: the subject's certificate for the
    licence, the person's ID for an ID page (the website's person for its pages)."""
    subject = filing.subject
    if material.kind in SUBJECT_PAGES:
        return subject.certificate_number, subject.name
    person: Person | None = subject.responsible_person
    if material.kind in WEBSITE_PERSON_PAGES:
        website = next((w for w in filing.websites if w.id == material.website_id), None)
        person = website.responsible_person if website is not None else None
    return (person.id_number, person.name) if person is not None else ("", "")


def comparisons(filing: Filing, materials: list[Material]) -> list[Comparison]:
    """The readings of the filing's current licence and ID pages, each beside the typed values."""
    pages = {m.id: m for m in materials if m.kind in KINDS}
    if not pages:
        return []
    readings = db.session.scalars(
        select(MaterialReading).where(MaterialReading.material_id.in_(pages))
    ).all()
    by_material = {reading.material_id: reading for reading in readings}
    rows = []
    for material_id, material in pages.items():
        reading = by_material.get(material_id)
        typed_number, typed_name = typed_for(filing, material)
        rows.append(
            Comparison(
                material, reading.status if reading else "pending", typed_number,
                reading.certificate_number if reading else "", typed_name,
                reading.name if reading else "",
            )
        )  # fmt: skip
    return rows
