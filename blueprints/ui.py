"""Template filters: Shanghai time, masking, translated labels."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, g, url_for
from flask_babel import get_locale
from wtforms.fields.choices import SelectChoice

from domain import audit
from domain.filing import filings, materials, timeline
from domain.lifecycle import workflow
from domain.lifecycle.states import OrderKind, event_label
from domain.lifecycle.states import state_label as kind_state_label
from domain.lifecycle.workdays import SHANGHAI
from domain.operator import imports, settings
from domain.rulebook.application import SUBJECT_KIND_LABELS
from domain.rulebook.field_labels import describe_field, field_place
from domain.rulebook.filing_type import unicode_domain
from domain.rulebook.provinces import BY_CODE, PINYIN_NAMES
from domain.rulebook.reasons import REASON_LABELS
from domain.support.masking import mask_certificate, mask_phone
from forms.filing import (
    CERT_TYPES,
    LANGUAGES,
    PRE_APPROVALS,
    SERVICE_TYPES,
    content_type_choices,
)
from i18n import gettext, lazy_gettext
from models import AuditEvent, Filing


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware datetime shown in Asia/Shanghai."""
    return value.astimezone(SHANGHAI).strftime(fmt) if value else ""


def idn(domain: str) -> str:
    """A stored (punycode) domain as people read it."""
    return unicode_domain(domain)


def province_name(code: str) -> str:
    """北京 for 11 (Beijing in English); the code itself when unknown."""
    if code not in BY_CODE:
        return code
    locale = get_locale()
    return PINYIN_NAMES[code] if locale and locale.language == "en" else BY_CODE[code].name


def kind_label(value: str) -> str:
    """An order kind's words (接入备案, 首次备案, …) from its stored value, as an outbox row keeps it."""
    try:
        return gettext(OrderKind(value).label)
    except ValueError:
        return value


def choice_names(values: list[str] | None, field: str) -> str:
    """The labels of a website's chosen values (service_types, content_types, languages,
    pre-approval category), in the user's language, comma-separated; an unknown value as it is."""
    names = {choice.value: str(choice.label) for choice in CHOICES[field]}
    return gettext("，").join(names.get(value, value) for value in values or [])


CHOICES = {
    "service_types": SERVICE_TYPES, "languages": LANGUAGES, "pre_approvals": PRE_APPROVALS,
    "content_types": content_type_choices(""), "certificate_type": CERT_TYPES, "id_type": CERT_TYPES,
    "kind": [SelectChoice(code, lazy_gettext(label)) for code, label in SUBJECT_KIND_LABELS.items()],
}  # fmt: skip


def field_choices(filing: Filing) -> list[tuple[str, str]]:
    """The fields a reviewer's reason can name, with their labels in the user's language; worked
    out once per request and filing version (a review screen asks for it from every reason row
    and every label it shows)."""
    key = (filing.id, filing.version, str(get_locale()))
    known = g.setdefault("field_choices", {})
    if key not in known:
        known[key] = _field_choices(filing)
    return known[key]


def _field_choices(filing: Filing) -> list[tuple[str, str]]:
    fields = [("", gettext("（整体）")), ("subject.name", gettext("主体名称")), ("subject.certificate_number", gettext("证件号码")),
              ("subject.certificate_address", gettext("证件住所")), ("subject.mailing_address", gettext("通信地址")),
              ("subject.responsible_person", gettext("主体负责人")), ("materials", gettext("资料"))]  # fmt: skip
    for index, website in enumerate(filing.websites):
        prefix = f"websites[{index}]"
        fields += [(f"{prefix}.name", f"{website.name} · {gettext('网站名称')}"),
                   (f"{prefix}.domains", f"{website.name} · {gettext('域名')}"),
                   (f"{prefix}.responsible_person", f"{website.name} · {gettext('网站负责人')}")]  # fmt: skip
        if website.authenticity_verified_at is not None:  # a verification to redo
            fields.append((materials.authenticity_field(index), f"{website.name} · {gettext('真实性核验')}"))  # fmt: skip
    positions: dict[int | None, int] = {w.id: index for index, w in enumerate(filing.websites)}
    uploaded = {(item.kind, item.website_id) for item in materials.materials_of(filing)}
    for requirement in materials.required_materials(filing):  # a material to upload again
        if (requirement.kind, requirement.website_id) not in uploaded:
            continue  # nothing uploaded yet (initial review): nothing to replace
        field = materials.material_field(requirement.kind, positions.get(requirement.website_id))
        label = gettext(requirement.label)
        fields.append((field, f"{requirement.detail} · {label}" if requirement.detail else label))
    return fields


def field_label(filing: Filing, field: str) -> str:
    """The label of a field a reviewer's reason or a rule names ("" for the filing as a whole)."""
    if not field:
        return ""
    known = dict(field_choices(filing)).get(field)
    if known:
        return known
    described = describe_field(field, [w.name for w in filing.websites], gettext)
    kind = field.rpartition("materials.")[2] if "materials." in field else ""
    if kind in materials.KIND_LABELS:  # a material no longer asked for: named by its kind
        parts = (described, gettext(materials.KIND_LABELS[kind]))
        described = " · ".join(part for part in parts if part)
    return described


def state_label(filing: Filing) -> str:
    """A filing's state as its people read it (退回修改 for one sent back from a later stage)."""
    return gettext(workflow.shown_label(filing))


def field_link(filing: Filing, field: str) -> str:
    """Where the applicant fixes the field: its wizard step with `#field-<id>` (the step page
    highlights it), or the materials page; "" when the filing cannot be changed there now."""
    place = field_place(field)
    if place is None:
        return ""
    step, element = place
    if step == "materials":
        if not workflow.accepts_uploads(filing.state):
            return ""
        return url_for("materials.show", filing_id=filing.id)
    if not filings.is_editable(filing):
        return ""
    anchor = f"#field-{element}" if element else ""
    return url_for(f"wizard.{step}", filing_id=filing.id) + anchor


def event_note(note: str) -> str:
    """An audit event's note: a code the system wrote in words, a person's note as written."""
    msgid = timeline.note_msgid(note)
    return gettext(msgid) if msgid else note


def audit_note(event: AuditEvent) -> str:
    """An audit entry's note in the user's language: a registry import's counts read anew, any
    other note as event_note reads it."""
    counts = event.data.get("counts") if event.action == "registry_imported" else None
    if isinstance(counts, dict):
        dropped, kept = event.data.get("provider_dropped", []), event.data.get("provider_kept", [])
        return imports.import_note_in(gettext, counts, dropped, kept)
    return event_note(event.note or "")


def reason_text(item: dict) -> str:
    """A stored rejection reason in the user's language: the reason's label translated, then the
    reviewer's own words; a reason stored before codes and words were kept apart, as written."""
    label = REASON_LABELS.get(item.get("code", ""))
    if "text" not in item or (item.get("code") and label is None):
        return str(item.get("reason", ""))
    parts = [gettext(label) if label else "", item["text"]]
    return gettext("；").join(part for part in parts if part)


def audit_changes(event: AuditEvent) -> list[tuple[str, str, str]]:
    """What an audit entry changed, (label, before, after), labels in the user's language."""
    shown = []
    for key, before, after in audit.changes_of(event):
        label = audit.CHANGED_LABELS.get(key) or settings.EDITABLE.get(key, (key,))[0]
        shown.append((gettext(label), before, after))
    return shown


def register_filters(app: Flask) -> None:
    app.add_template_global(audit_changes, "audit_changes")
    app.add_template_global(audit_note, "audit_note")
    app.add_template_global(kind_state_label, "kind_state_label")
    app.add_template_filter(event_note, "event_note")
    app.add_template_global(event_label, "event_label")
    app.add_template_global(reason_text, "reason_text")
    app.add_template_global(field_link, "field_link")
    app.add_template_filter(idn, "idn")
    app.add_template_global(field_label, "field_label")
    app.add_template_global(choice_names, "choice_names")
    app.add_template_filter(workflow.badge, "badge")
    app.add_template_filter(province_name, "province_name")
    app.add_template_filter(lambda message: message.render(gettext), "msg")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(mask_certificate, "mask_cert")
    app.add_template_filter(mask_phone, "mask_phone")
    app.add_template_filter(lambda enum_member: gettext(enum_member.label), "label")
    app.add_template_filter(kind_label, "kind_label")
    app.add_template_filter(state_label, "state_label")
