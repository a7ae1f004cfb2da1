"""What a resubmission changed since the submission before it: the fields by their
labels with the old and the new value, websites added or removed, materials replaced.

`compare` is pure over two snapshots (domain/filing/snapshots.py); `since_last_submission` loads
the last two for the review screen, with one query, and none for a filing submitted only once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select

from domain.filing.materials import KIND_LABELS
from domain.filing.snapshots import website_key
from domain.lifecycle.states import Action
from domain.rulebook.field_labels import PERSON, SUBJECT, WEBSITE, describe_field
from domain.support.i18n import N_
from extensions import db
from models import AuditEvent, Filing, SubmissionSnapshot

# The transitions that send a filing for review, each of which keeps a snapshot.
SUBMISSIONS = frozenset({Action.submit.value, Action.submit_materials.value})
# A website's parts whose values are codes shown by their choice labels (blueprints/ui.CHOICES).
CHOICE_FIELDS = ("service_types", "content_types", "languages")
SINGLE_CHOICE_FIELDS = ("kind", "certificate_type", "id_type")  # one code each, shown by its label
SAME_AS_SUBJECT = N_("同主体负责人")
NOT_CHOSEN = N_("未选择")


class Snapshot(Protocol):
    application: dict[str, Any]
    materials: list[dict[str, Any]]


@dataclass
class Snap:
    """A snapshot made of plain values (a record and the order changing it, A7 v3)."""

    application: dict[str, Any]
    materials: list[dict[str, Any]]


@dataclass(frozen=True)
class FieldChange:
    label: str  # "青禾科技官网 · 网站负责人 · 手机号码", in the reader's language
    old: str
    new: str


@dataclass
class Changes:
    fields: list[FieldChange] = field(default_factory=list)
    websites_added: list[str] = field(default_factory=list)  # by name
    websites_removed: list[str] = field(default_factory=list)
    materials_replaced: list[str] = field(default_factory=list)  # "网站名 · 资料名", or the name
    materials_added: list[str] = field(default_factory=list)
    materials_removed: list[str] = field(default_factory=list)
    # the first submission with materials (the one before had none): every material is new, so
    # none is listed, and the card says so instead of "no change"
    first_materials: bool = False

    def __bool__(self) -> bool:
        return any(
            (self.fields, self.websites_added, self.websites_removed, self.materials_replaced,
             self.materials_added, self.materials_removed)
        )  # fmt: skip


def _codes(values: list[str] | None, _field: str) -> str:
    return ", ".join(values or [])


def compare(
    older: Snapshot,
    newer: Snapshot,
    gettext: Callable[[str], str],
    choice_names: Callable[[list[str] | None, str], str] = _codes,
) -> Changes:
    """What `newer` changed against `older`. Websites are matched by their MIIT number (then by
    name), materials by kind and website; a material counts as replaced when its content differs."""
    changes = Changes()
    new_sites = newer.application.get("websites", [])
    old_sites = {website_key(site): site for site in older.application.get("websites", [])}
    names = [site.get("name", "") for site in new_sites]

    def show(value: Any, part: str = "") -> str:
        if part in CHOICE_FIELDS:
            return gettext(NOT_CHOSEN) if value is None else choice_names(value, part)
        if part in SINGLE_CHOICE_FIELDS:
            return "" if value is None else choice_names([value], part)
        if part == "pre_approvals":
            return gettext("，").join(
                " ".join(filter(None, (choice_names([item.get("category", "")], part),
                                       item.get("number") or "")))
                for item in value or []
            )  # fmt: skip
        if part == "responsible_person":
            return gettext(SAME_AS_SUBJECT) if value is None else _person(value)
        if isinstance(value, list):
            return gettext("，").join(str(item) for item in value)
        return "" if value is None else str(value)

    def differ(path: str, part: str, old: Any, new: Any) -> None:
        if old != new:
            label = describe_field(path, names, gettext)
            changes.fields.append(FieldChange(label, show(old, part), show(new, part)))

    old_subject = older.application.get("subject", {})
    new_subject = newer.application.get("subject", {})
    for part in SUBJECT:
        if part == "responsible_person":
            _people(
                differ, "subject.responsible_person", old_subject.get(part), new_subject.get(part)
            )
        else:
            differ(f"subject.{part}", part, old_subject.get(part), new_subject.get(part))

    for index, site in enumerate(new_sites):
        before = old_sites.pop(website_key(site), None)
        if before is None:
            changes.websites_added.append(site.get("name", ""))
            continue
        for part in WEBSITE:
            if part not in site and part not in before:
                continue  # authenticity and materials are no fields of A2
            path = f"websites[{index}].{part}"
            old, new = before.get(part), site.get(part)
            if part == "remark":  # kept since websites have one: none before is none typed
                old, new = old or "", new or ""
            if part == "responsible_person" and old is not None and new is not None:
                _people(differ, path, old, new)
            else:
                differ(path, part, old, new)
    changes.websites_removed = [site.get("name", "") for site in old_sites.values()]

    # a removed website's material is named by its name then
    site_names = {
        website_key(site): site.get("name", "")
        for site in [*older.application.get("websites", []), *new_sites]
    }

    old_items = _materials(older.materials)
    new_items = _materials(newer.materials)
    domains = {key: item["domain"] for key, item in [*old_items.items(), *new_items.items()]
               if item.get("domain")}  # fmt: skip

    def material_name(key: tuple[str, str]) -> str:
        kind, site = key
        label = " · ".join(filter(None, (gettext(KIND_LABELS.get(kind, kind)), domains.get(key))))
        return f"{site_names.get(site, site)} · {label}" if site else label

    for key, item in new_items.items():
        before_item = old_items.get(key)
        if before_item is None:
            if old_items:  # the first submission with materials adds them all: no change
                changes.materials_added.append(material_name(key))
        elif _content(before_item) != _content(item):
            changes.materials_replaced.append(material_name(key))
    changes.materials_removed = [material_name(key) for key in old_items if key not in new_items]
    changes.first_materials = bool(new_items) and not old_items
    return changes


def _person(person: dict[str, Any]) -> str:
    return " · ".join(
        str(person.get(part) or "") for part in ("name", "id_number", "mobile", "email")
    )


def _people(differ: Callable[[str, str, Any, Any], None], path: str, old: Any, new: Any) -> None:
    """A responsible person's parts, each on its own line."""
    old, new = old or {}, new or {}
    for part in PERSON:
        if part in old or part in new:
            differ(f"{path}.{part}", part, old.get(part), new.get(part))


def _materials(items: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(item.get("kind", ""), item.get("website", "")): item for item in items}


def _content(item: dict[str, Any]) -> str:
    """The same image uploaded again is no replacement: compare the content, else the upload."""
    return str(item.get("sha256") or item.get("storage_key") or item.get("material_id"))


def since_last_submission(
    filing: Filing,
    events: Iterable[AuditEvent],
    gettext: Callable[[str], str],
    choice_names: Callable[[list[str] | None, str], str] = _codes,
) -> Changes | None:
    """What the last submission changed against the one before, or None when there was no
    submission before it (or none was kept). `events` are the filing's audit events, already
    loaded for the screen: a filing submitted once costs no query."""
    if sum(1 for event in events if event.action in SUBMISSIONS) < 2:
        return None
    last_two = db.session.scalars(
        select(SubmissionSnapshot)
        .where(SubmissionSnapshot.filing_id == filing.id)
        .order_by(SubmissionSnapshot.id.desc())
        .limit(2)
    ).all()
    if len(last_two) < 2:
        return None
    newer, older = last_two
    return compare(older, newer, gettext, choice_names)
