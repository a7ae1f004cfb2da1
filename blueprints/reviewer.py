"""The reviewers' dashboard: queues per stage."""

from flask import Blueprint, abort, request
from sqlalchemy import func, select

from blueprints.access import role_required
from blueprints.htmx import render_page_or_block
from domain.states import FilingState, Role
from extensions import db
from models import Filing, utcnow

bp = Blueprint("reviewer", __name__, url_prefix="/review")

# The stages a reviewer works, in the order of the flow.
QUEUE_STAGES = (
    FilingState.submitted,
    FilingState.re_review,
    FilingState.mail_pending,
    FilingState.bureau_pending,
    FilingState.sms_pending,
    FilingState.sms_failed,
    FilingState.bureau_review,
)


@bp.get("/")
@role_required(Role.reviewer, Role.admin)
def queue():
    """A stage's queue, oldest deadline first, with the count of every stage."""
    stage_name = request.args.get("stage", FilingState.submitted.value)
    try:
        stage = FilingState(stage_name)
    except ValueError:
        abort(404)
    if stage not in QUEUE_STAGES:
        abort(404)
    counts = dict(
        db.session.execute(
            select(Filing.state, func.count())
            .where(Filing.state.in_(QUEUE_STAGES))
            .group_by(Filing.state)
        ).all()
    )
    filings = db.session.scalars(
        select(Filing)
        .where(Filing.state == stage)
        .order_by(Filing.due_at.asc(), Filing.id.asc())
        .limit(50)
    ).all()
    return render_page_or_block(
        "reviewer/queue.html",
        "queue_panel",
        stages=QUEUE_STAGES,
        stage=stage,
        counts=counts,
        filings=filings,
        now=utcnow(),
    )
