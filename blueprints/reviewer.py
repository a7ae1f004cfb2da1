"""The reviewers' dashboard: queues per stage, claims, the review screen and decisions."""

from __future__ import annotations

from dataclasses import astuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from blueprints import queue_cache
from blueprints.access import role_required, row_id, staff_may_open, whole_number
from blueprints.htmx import is_htmx
from blueprints.read_only import read_only
from blueprints.ui import choice_names, field_choices, province_name
from domain import audit
from domain.errors import DomainError
from domain.filing import (
    filings,
    materials,
    new_domains,
    numbering,
    orders,
    readings,
    record_orders,
    stored_checks,
)
from domain.lifecycle import workflow
from domain.lifecycle.states import NEW_FILINGS, Action, FilingState, OrderKind, Role, action_label
from domain.lifecycle.workdays import shanghai_today
from domain.lifecycle.workflow import StaleFiling
from domain.ports import IssuedNumbers
from domain.review import changes, reviewing
from domain.review.reviewing import QueueQuery, Reason
from domain.rulebook.application import SUBJECT_KIND_LABELS
from domain.rulebook.filing_type import unicode_domain
from domain.rulebook.precheck import Findings
from domain.rulebook.provinces import PROVINCES
from domain.rulebook.reasons import REJECTION_REASONS, reasons_for
from extensions import db
from forms.reviewer import ClaimForm, DecisionForm
from forms.validators import fold_to_ascii
from i18n import gettext as _
from models import Filing, RegistrySubject, Subject, Website, utcnow
from runtime import current as runtime_adapters
from runtime.policy import current_policy
from runtime.transaction import transaction

bp = Blueprint("reviewer", __name__, url_prefix="/review")
STAFF = (Role.reviewer, Role.admin)


ALL = "all"  # the tab of every filing beyond drafts, in any state


def _queue_stage(name: str) -> FilingState:
    """The stage a queue tab names; 404 for anything else."""
    try:
        stage = FilingState(name)
    except ValueError:
        abort(404)
    if not workflow.in_queue(stage):
        abort(404)
    return stage


def _query_from_args() -> QueueQuery:
    args = request.args
    name = args.get("stage", FilingState.submitted.value)
    stage = None if name == ALL else _queue_stage(name)
    return QueueQuery(
        stage=stage,
        province=args.get("province", "")[:2],
        filing_type=args.get("type", ""),
        overdue=args.get("overdue") == "1",
        search=args.get("q", "")[:100],
        newest_first=args.get("sort") == "newest",
        after=args.get("after", "")[:200],
        before=args.get("before", "")[:200],
    )


@bp.get("/")
@read_only
@role_required(*STAFF)
def queue():
    """A stage's queue with filters, search and keyset pages; htmx gets the panel alone, from the
    per-process panel cache while the queue has not changed (blueprints/queue_cache.py)."""
    query = _query_from_args()
    now = utcnow()
    if is_htmx():
        key = (str(get_locale()), *astuple(query))
        return queue_cache.panel(
            key, now,
            lambda: render_block("reviewer/queue.html", "queue_panel", **_queue_context(query, now)),
        )  # fmt: skip
    return render_template("reviewer/queue.html", **_queue_context(query, now))


def _queue_context(query: reviewing.QueueQuery, now) -> dict:
    filings, next_cursor, previous_cursor = reviewing.queue_page(query, now)
    return {
        "stages": workflow.QUEUE_STAGES, "stage": query.stage, "query": query,
        "counts": reviewing.stage_counts(), "total": reviewing.total_count(),
        "overdue": queue_cache.overdue_counts(now), "overdue_shown": reviewing.OVERDUE_SHOWN,
        "all_tab": ALL,
        "filings": filings, "next_cursor": next_cursor, "previous_cursor": previous_cursor,
        "paged": bool(query.after or query.before), "now": now, "provinces": PROVINCES,
    }  # fmt: skip


@bp.get("/next")
@role_required(*STAFF)
def next_filing():
    """The oldest filing of a stage's queue that this reviewer may take (another than `skip`)."""
    stage = _queue_stage(request.args.get("stage", ""))
    skip = request.args.get("skip", type=whole_number)
    filing = reviewing.next_in_queue(stage, current_user, current_policy(), utcnow(), skip)
    if filing is None:
        flash(_("该队列暂无其他待处理的备案"), "ok")
        return redirect(url_for("reviewer.queue", stage=stage.value))
    return redirect(url_for("reviewer.review", filing_id=filing.id))


@bp.post("/next")
@role_required(*STAFF)
def take_next_filing():
    """Take the next filing of a stage's queue: claimed for this reviewer, then opened."""
    stage = _queue_stage(request.args.get("stage", ""))
    skip = request.args.get("skip", type=int)
    policy = current_policy()
    with transaction():
        filing = reviewing.take_next(stage, current_user, policy, utcnow(), skip)
    if filing is None:
        flash(_("该队列暂无其他待处理的备案"), "ok")
        return redirect(url_for("reviewer.queue", stage=stage.value))
    flash(_("已领取，请在 %(n)s 分钟内处理", n=policy.claim_timeout_minutes), "ok")
    return redirect(url_for("reviewer.review", filing_id=filing.id))


# Everything the review screen shows of a filing, in three queries instead of one per part (the
# reviewer who claimed it is the one looking, mostly: already in the session).
REVIEW_LOADING = (
    joinedload(Filing.subject).joinedload(Subject.responsible_person),
    joinedload(Filing.account),
    joinedload(Filing.province_rule),
    selectinload(Filing.websites).options(
        joinedload(Website.responsible_person),
        joinedload(Website.domains),  # joined with the websites; the IPs beside (no product)
        selectinload(Website.ips),
    ),
)
# What a decision reads beside the filing: whom it tells (the account's e-mail, the responsible
# person's mobile), joined to the filing's row rather than asked for one by one.
DECISION_LOADING = (
    joinedload(Filing.account),
    joinedload(Filing.subject).joinedload(Subject.responsible_person),
)


def _staff_filing(filing_id: int, loading: tuple = ()) -> Filing:
    """The filing, once it has been submitted for review at least once: a draft that never was is
    the applicant's alone (404, as if it did not exist)."""
    filing = db.session.get(Filing, filing_id, options=loading)
    if filing is None or not staff_may_open(filing):
        abort(404)
    return filing


@bp.post("/filings/<int:filing_id>/claim")
@role_required(*STAFF)
def claim(filing_id: int):
    """Take the filing (compare-and-set): refused when another reviewer holds it."""
    filing = _staff_filing(filing_id)
    policy = current_policy()
    with transaction():
        claimed = reviewing.claim(filing, current_user, policy)
    if claimed:
        flash(_("已领取，请在 %(n)s 分钟内处理", n=policy.claim_timeout_minutes), "ok")
    else:
        flash(_("领取失败：该备案已被其他审核员领取或已处理"), "bad")
    return redirect(url_for("reviewer.review", filing_id=filing.id))


@bp.post("/filings/<int:filing_id>/release")
@role_required(*STAFF)
def release(filing_id: int):
    """Give the filing back to its queue."""
    filing = _staff_filing(filing_id)
    with transaction():
        reviewing.release(filing, current_user)
    return redirect(_queue_of(filing))


def _queue_of(filing: Filing) -> str:
    """The queue the filing waits in; the first queue once it waits in none."""
    if workflow.in_queue(filing.state):
        return url_for("reviewer.queue", stage=filing.state.value)
    return url_for("reviewer.queue")


def _registry_rows(filing: Filing) -> list[dict]:
    """What was filed next to the MIIT record, with the differences marked."""
    record = db.session.scalar(
        select(RegistrySubject).where(
            RegistrySubject.subject_number == filing.registry_subject_number
        )
    )
    if record is None:
        return []
    subject = filing.subject
    rows = [
        (_("主体名称"), subject.name, record.name),
        (_("证件号码"), subject.certificate_number, record.certificate_number),
        (_("省份"), province_name(subject.province), province_name(record.province)),
        (
            _("主体性质"),
            _(SUBJECT_KIND_LABELS.get(subject.kind, subject.kind)),
            _(SUBJECT_KIND_LABELS.get(record.kind, record.kind)),
        ),
    ]
    by_number = {w.website_number: w for w in record.websites}
    # a new filing's websites (A8) are on no record before its approval
    for website in filing.websites if filing.kind not in NEW_FILINGS else ():
        on_record = by_number.get(website.icp_number)
        filed_domains = " ".join(sorted(unicode_domain(d.domain) for d in website.domains))
        record_domains = (
            " ".join(sorted(unicode_domain(d.domain) for d in on_record.domains))
            if on_record
            else ""
        )
        rows += [
            (
                f"{website.icp_number} · {_('网站名称')}",
                website.name,
                on_record.name if on_record else "",
            ),
            (f"{website.icp_number} · {_('域名')}", filed_domains, record_domains),
        ]
    return [
        {"label": label, "filed": filed, "record": rec, "differs": filed != rec}
        for label, filed, rec in rows
    ]


def _gallery_groups(filing: Filing, have: dict) -> list[tuple[str, list, str]]:
    """The materials as a reviewer compares them: the subject's (the licence, its person's ID
    pages, the letters), then each website's: the ID pages of its own person, the live photo
    beside them, the rest. A website whose person is the subject's shows that person's ID pages
    once, under the subject, and says so (the third part: a line under the title). Each group in
    the order of the material kinds (materials.KIND_LABELS)."""
    kinds = list(materials.KIND_LABELS)

    def in_order(items: list) -> list:
        def place(m) -> int:
            kind = materials.base_kind(m.kind)
            return kinds.index(kind) if kind in kinds else len(kinds)

        return sorted(items, key=place)

    subject_items = in_order([m for (_kind, site), m in have.items() if site is None])
    shows_id = any(m.kind in materials.SUBJECT_PERSON_LABELS for m in subject_items)
    groups = [(_("主体"), subject_items, "")]
    for website in filing.websites:
        own = in_order([m for (_kind, site), m in have.items() if site == website.id])
        person = [m for m in own if m.kind.startswith(materials.WEBSITE_PERSON)]
        note = ""
        if website.responsible_person is None and shows_id and own:
            note = _("网站负责人即主体负责人：身份证见上方“主体”，请与这里的核验照片比对。")
        photo = [m for m in own if m.kind == "live_photo"]
        rest = [m for m in own if m not in person and m not in photo]
        groups.append((website.name, [*person, *photo, *rest], note))
    return [(title, items, note) for title, items, note in groups if items]


def _decision_form(filing: Filing, form: DecisionForm | None = None) -> DecisionForm:
    """The decision form with this stage's actions as choices (all a posted decision is checked
    against: a reason's field and code are free, so their choices are only for showing it); a new
    filing's numbers prefilled with what the simulated bureau would issue (A8)."""
    if form is None:  # a posted form keeps its version and its numbers
        data: dict[str, object] = {"version": filing.version}
        if filing.kind in NEW_FILINGS and (
            Action.bureau_approve in workflow.staff_actions(filing.state, filing.kind)
        ):
            suggested = numbering.suggested_numbers(filing, runtime_adapters().registry)
            data["subject_number"] = suggested.subject_number
            data["website_numbers"] = "\n".join(suggested.website_numbers)
        form = DecisionForm(data=data)
    form.action.choices = [SelectChoice("", _("请选择"))] + [
        SelectChoice(a.value, _(action_label(a, filing.kind)))
        for a in workflow.actions_for(filing, current_user.role)
    ]  # nothing preselected: the reviewer picks the decision
    return form


def _shown_decision_form(filing: Filing, form: DecisionForm | None = None) -> DecisionForm:
    """The decision form as the review screen shows it: the filing's fields and the reason list
    as the choices of every reason row."""
    form = _decision_form(filing, form)
    fields = [SelectChoice(value, label) for value, label in field_choices(filing)]
    codes = [SelectChoice("", "—")] + [
        SelectChoice(c, _(label)) for c, label in REJECTION_REASONS.items()
    ]
    for row in form.reasons:
        row.form.field.choices = fields
        row.form.code.choices = codes
    return form


def _problems(filing: Filing, policy) -> Findings:
    """What stops the filing going on, as submission would find it now; nothing once it is final
    (an approved filing is "already accessed here" by its own approval)."""
    if workflow.is_final(filing.state):
        return Findings()
    if filing.kind in filings.WIZARD_KINDS:
        return filings.submission_problems(
            filing, shanghai_today(), policy.provider_code, runtime_adapters().registry,
            runtime_adapters().domain_lookup,
            stored=False,  # shown apart: reviewer/_stored_checks.html
        )  # fmt: skip
    if filing.kind in record_orders.RECORD_KINDS:
        return record_orders.review_problems(filing, policy, shanghai_today())
    return orders.problems(filing, policy, runtime_adapters().registry)


def _review_context(filing: Filing, form: DecisionForm | None = None) -> dict:
    now = utcnow()
    policy = current_policy()
    form = _shown_decision_form(filing, form)
    allowed = workflow.actions_for(filing, current_user.role)
    have = {(m.kind, m.website_id): m for m in materials.materials_of(filing)}
    events = audit.trail(filing)
    return {
        "filing": filing,
        "form": form,
        "claim_form": ClaimForm(),
        "allowed": allowed,
        "asks_receipt": any(action.asks_receipt for action in allowed),
        # the parts of the form that belong to some actions only (shown for those by app.js)
        "reason_actions": [a.value for a in allowed if workflow.needs_reasons(a)],
        # the picker lists a field's own reasons first (static/app.js)
        "field_reasons": {value: reasons_for(value) for value, _label in field_choices(filing)},
        "receipt_actions": [a.value for a in allowed if a.asks_receipt],
        "back_to_queue": _queue_of(filing),
        "holds_claim": reviewing.holds_claim(filing, current_user, now, policy),
        "claimed_by_other": reviewing.claimed_by_other(filing, current_user, now, policy),
        "registry_rows": _registry_rows(filing),
        "problems": _problems(filing, policy),
        "new_domains": [  # what the domain lookup said of each domain on no registry website
            found
            for found in new_domains.domain_findings(
                filing,
                shanghai_today(),
                runtime_adapters().registry,
                runtime_adapters().domain_lookup,
            )  # fmt: skip
            if not found.on_registry
        ],
        "current_ips": orders.current_ips(filing)
        if filing.kind not in filings.WIZARD_KINDS
        else {},
        # a new filing's numbers, where the bureau approves it (A8; the form is prefilled with
        # the simulated bureau's suggestion)
        "numbers_actions": [Action.bureau_approve.value]
        if filing.kind in NEW_FILINGS and Action.bureau_approve in allowed
        else [],
        "stored_checks": stored_checks.check(filing, runtime_adapters().registry),
        "shells": {
            w.icp_number
            for w in orders.sole_provider(
                filing.websites, policy.provider_code, runtime_adapters().registry
            )
        }
        if filing.kind is OrderKind.cancel_access
        else set(),
        "gallery": _gallery_groups(filing, have),
        "labels": materials.KIND_LABELS,
        "cert_domains": materials.certificate_domains(filing),  # each certificate's domain
        "website_names": {w.id: w.name for w in filing.websites},  # the gallery's captions
        "events": events,
        # what this submission changed against the one before (no query after a first one)
        "changes": changes.since_last_submission(filing, events, _, choice_names),
        # A7 v3: the record beside the change, differences marked (reviewer/_record_change.html)
        "record_changes": _record_changes(filing),
        "now": now,
        # the identity verifiers' verdicts and the OCR aid (None: the aid is off on this host)
        "readings": readings.comparisons(filing, list(have.values()))
        if runtime_adapters().ocr is not None
        else None,
    }


def _typed_numbers(filing: Filing, form: DecisionForm) -> IssuedNumbers | None:
    """The numbers the reviewer typed for a new filing's approval (A8), or None: none typed (the
    bureau gateway issues them)."""
    if filing.kind not in NEW_FILINGS or form.action.data != Action.bureau_approve.value:
        return None
    subject_number = (fold_to_ascii(form.subject_number.data) or "").strip()
    websites = [
        (fold_to_ascii(line) or "").strip()
        for line in (form.website_numbers.data or "").splitlines()
        if line.strip()
    ]
    if not subject_number and not websites:
        return None
    return IssuedNumbers(subject_number, tuple(websites))


def _record_changes(filing: Filing) -> changes.Changes | None:
    """A change of subject or website against the record it started from (None: another kind)."""
    if filing.kind not in record_orders.CHANGE_KINDS or filing.record_before is None:
        return None
    pair = record_orders.record_changes(filing)
    return changes.compare(
        changes.Snap(**pair["before"]), changes.Snap(**pair["after"]), _, choice_names
    )


@bp.get("/filings/<int:filing_id>")
@role_required(*STAFF)
def review(filing_id: int):
    """Everything filed next to the registry record, the materials, the pre-check and the audit."""
    filing = _staff_filing(filing_id, REVIEW_LOADING)
    response = render_template("reviewer/review.html", **_review_context(filing))
    with transaction():  # the filed personal data was shown: who, when (audited)
        audit.record("review_viewed", current_user, filing=filing, internal=True)
    return response, 200, {"Cache-Control": "no-store, private"}


@bp.post("/filings/<int:filing_id>/decide")
@role_required(*STAFF)
def decide(filing_id: int):
    """Record the reviewer's decision at this stage (approve, reject with reasons, onward)."""
    filing = _staff_filing(filing_id, DECISION_LOADING)
    back_to_queue = _queue_of(filing)
    form = _decision_form(filing, DecisionForm())
    if not form.validate_on_submit():  # the whole review screen only when it is shown again
        return render_template("reviewer/review.html", **_review_context(filing, form)), 422
    rows = [
        row.form for row in form.reasons if row.form.code.data or (row.form.text.data or "").strip()
    ]
    reasons = [Reason(r.field.data or "", r.code.data, (r.text.data or "").strip()) for r in rows]
    numbers = _typed_numbers(filing, form)
    claimant = current_user.id  # read before the commit expires the session's user
    try:
        with transaction():
            reviewing.decide(
                filing, current_user, Action(form.action.data), policy=current_policy(),
                expected_version=row_id(form.version.data), reasons=reasons,
                note=form.note.data or "", internal_note=form.internal_note.data or "",
                receipt=form.receipt.data or "", bureau=runtime_adapters().bureau,
                registry=runtime_adapters().registry, numbers=numbers,
            )  # fmt: skip
            # the next stage is the reviewer's too (the claim kept): go on with it there
            keeps_claim = filing.claimed_by_id is not None and filing.claimed_by_id == claimant
    except StaleFiling as exc:
        flash(exc.message.render(_), "bad")
        return redirect(url_for("reviewer.review", filing_id=filing_id))
    except DomainError as exc:  # told under the field it names (a missing receipt), else the action
        fields = {"receipt": form.receipt, "numbers": form.subject_number}
        fields |= {f"reasons.{index}": row.text for index, row in enumerate(rows)}
        field = fields.get(exc.field or "", form.action)
        field.errors = [*field.errors, exc.message.render(_)]
        return render_template(
            "reviewer/review.html", **_review_context(_staff_filing(filing_id), form)
        ), 422
    flash(
        _("已处理：%(action)s", action=_(action_label(Action(form.action.data), filing.kind))), "ok"
    )
    if keeps_claim:
        return redirect(url_for("reviewer.review", filing_id=filing_id))
    return redirect(back_to_queue)
