"""The applicant's timeline of a filing: one entry per meaningful event (uploads in a row are one
entry with their count, a completed authenticity check names its website), notes of the system in
words; and the plain list of its events that the API and the data export give."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.filing.authenticity import VERIFIED
from domain.lifecycle.states import FilingState
from domain.support.i18n import N_
from models import AuditEvent, Filing

# Notes the system writes (domain/filing/sms.py), as codes or in Chinese words, said in the
# reader's words where they are shown.
SYSTEM_NOTES = {
    "too many wrong codes": N_("验证码错误次数过多"),
    "expired": N_("超过有效期未完成核验"),
    "短信核验通过": N_("短信核验通过"),
}
# the same in a row: one entry with a count (a change order's saves before it is submitted too)
GROUPED = frozenset({"upload", "sms_resent", "order_edited"})
AUTHENTICITY = N_("完成真实性核验")


@dataclass
class Entry:
    at: datetime
    label: str  # msgid
    count: int = 1
    state: FilingState | None = None
    note: str = ""  # as written by a person; a system code already a msgid
    note_is_msgid: bool = False
    action: str = ""
    detail: str = ""  # what the event concerns, as written (a website's name)
    reasons: list[dict[str, str]] = field(
        default_factory=list
    )  # a rejection's or return's, as stored


def note_msgid(note: str) -> str | None:
    """The msgid of a note the system wrote as a code; None for a person's note."""
    return SYSTEM_NOTES.get(note)


def entries(events: list[AuditEvent], note_shown: AuditEvent | None = None) -> list[Entry]:
    """The public events, oldest first, as the applicant's timeline entries, a rejection's with
    its reasons; the note and reasons of `note_shown` (the rejection the page shows in its own
    card) are not repeated."""
    shown: list[Entry] = []
    for event in events:
        if event.internal:
            continue
        if event.action == VERIFIED:
            name = str(event.data.get("website_name", ""))
            shown.append(Entry(event.created_at, event.action_label, action=VERIFIED, detail=name))
            continue
        if event.action == "upload" and event.data.get("kind") == "live_photo":  # older rows
            shown.append(Entry(event.created_at, AUTHENTICITY, action="authenticity"))
            continue
        last = shown[-1] if shown else None
        if event.action in GROUPED and last is not None and last.action == event.action:
            last.count += 1
            continue
        msgid = note_msgid(event.note)
        shown_above = note_shown is not None and event.id == note_shown.id
        note = "" if shown_above else event.note
        reasons = [] if shown_above else list(event.data.get("reasons") or [])
        shown.append(
            Entry(
                event.created_at,
                event.action_label,
                state=event.target_state,
                note=msgid or note,
                note_is_msgid=msgid is not None,
                action=event.action,
                reasons=reasons,
            )
        )
    return shown


def public_timeline(filing: Filing) -> list[dict[str, str | None]]:
    """The filing's events as the applicant sees them (internal notes left out)."""
    return [
        {
            "at": event.created_at.isoformat(),
            "action": event.action,
            "from": event.from_state,
            "to": event.to_state,
            "note": event.note,
        }
        for event in filing.events
        if not event.internal
    ]
