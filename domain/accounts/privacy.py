"""The applicant's own data: a copy of it, and the account's deletion.

Export (PIPL Art. 45: a person may obtain a copy of their personal information): everything the
account and its filings hold (with what each submission sent for review), as JSON, with the
uploaded images, in one zip. Secrets are left out (password and filing-password hashes, the second
factor, sealed codes), and so is what is not the applicant's: the province's rules with the staff's
notes. What the applicant typed (persons, mobiles, ID numbers) stays whole; the mobile an SMS went
to is the registry's number on record, which the applicant's pages show masked, and is masked here
too. Audited.

Deletion (Art. 47): drafts and withdrawn filings are deleted with their images, subjects, persons,
websites, submission snapshots and messages; approved filings are kept (snapshots too), as the
provider must keep filing records, and the account is anonymised (e-mail, name, password, second
factor) and disabled. Refused while a filing is still being handled. Audited (the audit rows of
deleted filings stay, no longer linked).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import delete, inspect, select, update
from sqlalchemy.orm import RelationshipDirection

from domain import audit
from domain.errors import DomainError
from domain.filing.timeline import public_timeline
from domain.lifecycle import stage_counts, workflow
from domain.lifecycle.states import FilingState, Role
from domain.ports import Storage
from domain.support.i18n import N_, Message
from domain.support.masking import mask_phone
from domain.support.upsert import add_to_counter
from extensions import db
from models import (
    AuditEvent,
    Filing,
    FilingPasswordFailure,
    Material,
    OutboxMessage,
    Person,
    ProvinceRule,
    SmsChallenge,
    StageCount,
    Subject,
    SubmissionSnapshot,
    User,
    Website,
    WebsiteDomain,
    WebsiteIP,
)

# Related rows that are not the applicant's filed data (or are exported on their own).
NOT_FOLLOWED = (User, Filing, AuditEvent, OutboxMessage, Material, ProvinceRule)
SECRET_MARKERS = ("hash", "secret", "sealed", "token", "password")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _row(obj: object, depth: int = 0) -> dict[str, Any]:
    """A row's columns, and (three levels deep) the filed rows it holds, secrets left out."""
    mapper = inspect(type(obj))
    found: dict[str, Any] = {
        column.key: _plain(getattr(obj, column.key))
        for column in mapper.column_attrs
        if not any(marker in column.key for marker in SECRET_MARKERS)
    }
    if depth >= 3:
        return found
    for relation in mapper.relationships:
        if issubclass(relation.mapper.class_, NOT_FOLLOWED):
            continue
        value = getattr(obj, relation.key)
        if relation.direction is RelationshipDirection.ONETOMANY or relation.uselist:
            found[relation.key] = [_row(item, depth + 1) for item in value]
        else:
            found[relation.key] = _row(value, depth + 1) if value is not None else None
    return found


def export_archive(user: User, store: Storage, now: datetime) -> tuple[bytes, int, int]:
    """The zip (data.json and images/<filing>/<material>.<ext>), its filing and image counts.

    The export is audited in the caller's transaction.
    """
    filings = db.session.scalars(
        select(Filing).where(Filing.account_id == user.id).order_by(Filing.id)
    ).all()
    buffer = io.BytesIO()
    images = 0
    documents = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for filing in filings:
            document = _row(filing)
            document["timeline"] = public_timeline(filing)
            document["materials"] = []
            files: dict[int, str | None] = {}  # material id -> its name in the zip, if packed
            for material in db.session.scalars(
                select(Material).where(Material.filing_id == filing.id).order_by(Material.id)
            ):
                extension = material.storage_key.rsplit(".", 1)[-1]
                name = f"images/{filing.id}/{material.id}-{material.kind}.{extension}"
                data = store.get(material.storage_key)
                if data is not None:  # a file the retention policy removed is listed, not packed
                    archive.writestr(name, data)
                    images += 1
                files[material.id] = name if data is not None else None
                document["materials"].append(
                    {"kind": material.kind, "uploaded_at": _plain(material.created_at),
                     "file": name if data is not None else None}
                )  # fmt: skip
            document["submissions"] = _submissions(filing, files)
            documents.append(document)
        messages = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.account_id == user.id)
            .order_by(OutboxMessage.id)
        ).all()
        document_of_account = {
            "exported_at": now.isoformat(),
            "account": {
                "email": user.email, "display_name": user.display_name,
                "role": _plain(user.role), "created_at": _plain(user.created_at),
                "last_login_at": _plain(user.last_login_at),
            },
            "filings": documents,
            "messages": [
                {"channel": m.channel, "template": m.template,
                 "to": mask_phone(m.recipient) if m.channel == "sms" else m.recipient,
                 "status": m.status, "created_at": _plain(m.created_at)}
                for m in messages
            ],
        }  # fmt: skip
        archive.writestr("data.json", json.dumps(document_of_account, ensure_ascii=False, indent=2))
    audit.record("data_exported", user, data={"filings": len(filings), "images": images})
    return buffer.getvalue(), len(filings), images


def _submissions(filing: Filing, files: dict[int, str | None]) -> list[dict[str, Any]]:
    """What each submission of `filing` sent for review, oldest first: the application as it was
    and its materials, each pointing at its image in the zip (None once removed, as above)."""
    snapshots = db.session.scalars(
        select(SubmissionSnapshot)
        .where(SubmissionSnapshot.filing_id == filing.id)
        .order_by(SubmissionSnapshot.id)
    )
    return [
        {
            "submitted_at": _plain(snapshot.submitted_at),
            "application": snapshot.application,
            # the storage key is the provider's, as for the materials above
            "materials": [
                {
                    "kind": sent["kind"],
                    "website": sent["website"],
                    "sha256": sent["sha256"],
                    "file": files.get(sent["material_id"]),
                }
                for sent in snapshot.materials
            ],
        }
        for snapshot in snapshots
    ]


class DeletionRefused(DomainError):
    """The account cannot be deleted now; the message says why."""


@dataclass
class Deletion:
    deleted_filings: int = 0
    kept_filings: int = 0
    images: int = 0


def delete_account(user: User, store: Storage) -> Deletion:
    """Delete what may go, keep what must stay, anonymise the account (flushed; audited).

    :raises DeletionRefused: a staff account, or a filing still being handled.
    """
    if user.role is not Role.applicant:
        raise DeletionRefused(Message(N_("工作人员账号由管理员停用，不能自行注销")))
    filings = db.session.scalars(select(Filing).where(Filing.account_id == user.id)).all()
    open_ids = [
        f.id for f in filings if f.state is not FilingState.draft and not workflow.is_final(f.state)
    ]
    if open_ids:
        raise DeletionRefused(
            Message(
                N_("备案 %(ids)s 仍在办理中：请等待办结或先放弃备案，再注销账号"),
                {"ids": "、".join(f"#{i}" for i in open_ids)},
            )
        )
    gone = [f for f in filings if f.state in (FilingState.draft, FilingState.withdrawn)]
    result = Deletion(deleted_filings=len(gone), kept_filings=len(filings) - len(gone))
    audit.record("account_deletion", user, data={
        "deleted_filings": [f.id for f in gone], "kept_filings": result.kept_filings})  # fmt: skip
    if gone:
        result.images = _delete_filings(gone, store)
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.account_id == user.id, OutboxMessage.filing_id.is_(None)
        )
    )
    db.session.execute(
        delete(FilingPasswordFailure).where(FilingPasswordFailure.account_id == user.id)
    )
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.display_name = ""
    user.password_hash = "!"  # matches no password
    user.totp_secret = None
    user.totp_enabled_at = None
    user.is_enabled = False
    user.session_version += 1  # every session ends
    db.session.flush()
    return result


def _delete_filings(filings: list[Filing], store: Storage) -> int:
    """Delete the filings and everything filed with them; return how many images went."""
    ids = [f.id for f in filings]
    withdrawn = sum(1 for f in filings if f.state is FilingState.withdrawn)
    subject_ids = [f.subject_id for f in filings]
    websites = db.session.scalars(select(Website).where(Website.filing_id.in_(ids))).all()
    website_ids = [w.id for w in websites]
    subjects = db.session.scalars(select(Subject).where(Subject.id.in_(subject_ids))).all()
    person_ids = [w.responsible_person_id for w in websites if w.responsible_person_id] + [
        s.responsible_person_id for s in subjects if s.responsible_person_id
    ]
    materials = db.session.scalars(select(Material).where(Material.filing_id.in_(ids))).all()
    for material in materials:  # the files first: a crash leaves rows, never orphaned scans
        store.delete(material.storage_key)
    db.session.flush()
    for obj in [*filings, *websites, *subjects, *materials]:  # the rows go by SQL below
        if obj in db.session:  # (a filing takes its websites along)
            db.session.expunge(obj)
    for statement in (
        update(AuditEvent).where(AuditEvent.filing_id.in_(ids)).values(filing_id=None),
        delete(OutboxMessage).where(OutboxMessage.filing_id.in_(ids)),
        delete(Material).where(Material.filing_id.in_(ids)),
        delete(SubmissionSnapshot).where(SubmissionSnapshot.filing_id.in_(ids)),
        delete(SmsChallenge).where(SmsChallenge.filing_id.in_(ids)),
        delete(WebsiteDomain).where(WebsiteDomain.website_id.in_(website_ids)),
        delete(WebsiteIP).where(WebsiteIP.website_id.in_(website_ids)),
        delete(Website).where(Website.id.in_(website_ids)),
        delete(Filing).where(Filing.id.in_(ids)),
        delete(Subject).where(Subject.id.in_(subject_ids)),
        delete(Person).where(Person.id.in_(person_ids)),
    ):
        db.session.execute(statement, execution_options={"synchronize_session": False})
    if withdrawn:  # the queue tabs count withdrawn filings (drafts are not counted)
        add_to_counter(StageCount, StageCount.state, FilingState.withdrawn.value,
                       StageCount.count, -withdrawn)  # fmt: skip
        stage_counts.bump_queue()
    return len(materials)
