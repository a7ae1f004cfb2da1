"""Where a filing stands on the applicant's step bar: the lifecycle's steps per kind of order, and
the step each state belongs to (a state that waits on the applicant after a refusal belongs to
the step where the applicant acts again)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.lifecycle import workflow
from domain.lifecycle.states import FilingState, OrderKind
from domain.support.i18n import N_

S = FilingState
ACCESS_STEPS = (
    ("fill", N_("填写")), ("initial_review", N_("初审")), ("materials", N_("资料与核验")),
    ("re_review", N_("复审")), ("bureau_submit", N_("提交管局")), ("sms", N_("短信核验")),
    ("bureau_review", N_("管局审核")), ("done", N_("完成")),
)  # fmt: skip
ORDER_STEPS = (
    ("fill", N_("填写")), ("initial_review", N_("审核")), ("bureau_submit", N_("提交管局")),
    ("bureau_review", N_("管局审核")), ("done", N_("完成")),
)  # fmt: skip
# a change of subject or website (A7 v3): materials and re-review where a person changed, the SMS
CHANGE_STEPS = (
    ("fill", N_("填写")), ("initial_review", N_("审核")), ("materials", N_("资料与核验")),
    ("re_review", N_("复核")), ("bureau_submit", N_("提交管局")), ("sms", N_("短信核验")),
    ("bureau_review", N_("管局审核")), ("done", N_("完成")),
)  # fmt: skip
# withdrawn is on no step: the bar is not shown
STEP_OF = {
    S.draft: "fill", S.initial_rejected: "fill", S.bureau_rejected: "fill",
    S.submitted: "initial_review",
    S.materials_pending: "materials", S.re_rejected: "materials",
    S.re_review: "re_review",
    S.mail_pending: "bureau_submit", S.bureau_pending: "bureau_submit",
    S.sms_pending: "sms", S.sms_failed: "sms",
    S.bureau_review: "bureau_review",
    S.approved: "done",
}  # fmt: skip


@dataclass(frozen=True)
class Step:
    key: str
    label: str  # msgid
    status: str  # "done", "current" or "todo"
    attention: bool = False  # the current step waits on the applicant after a refusal


def steps_of(
    kind: OrderKind, materials: bool = True, sms: bool = True
) -> tuple[tuple[str, str], ...]:
    """The steps (key, label msgid) of an order of `kind`: an access filing's eight, or the five
    of a change or a cancellation (one staff review, no materials, no SMS); a new filing (A8) goes
    through an access filing's; a change of subject or website (A7 v3) has steps of its own: the
    materials and the re-review only where it takes `materials`, the SMS only where it takes
    the `sms` (workflow.materials_needed and sms_required), so a change of a website's language
    shows the five steps it goes through, not eight."""
    if kind in workflow.CHANGES:
        skipped = ({"materials", "re_review"} if not materials else set()) | (
            {"sms"} if not sms else set()
        )
        return tuple(step for step in CHANGE_STEPS if step[0] not in skipped)
    return ACCESS_STEPS if kind in workflow.FULL_FLOW else ORDER_STEPS


def step_of(state: FilingState) -> str | None:
    """The key of the step a filing in `state` is at (None: withdrawn, on no step)."""
    return STEP_OF.get(state)


def progress(
    state: FilingState, kind: OrderKind, materials: bool = True, sms: bool = True
) -> list[Step]:
    """The step bar of a filing: the steps before the current one done, the current one (done
    too once the filing is approved), the rest to do; [] for a filing on no step (withdrawn).
    `materials` and `sms`: whether a change goes through them (steps_of)."""
    current = step_of(state)
    steps = steps_of(kind, materials, sms)
    keys = [key for key, _label in steps]
    if current not in keys:
        return []
    at = keys.index(current)
    finished = workflow.is_final(state)

    def status(index: int) -> str:
        if index < at or (finished and index == at):
            return "done"
        return "current" if index == at else "todo"

    attention = workflow.is_rejected(state)
    return [
        Step(key, label, status(index), attention=attention and index == at)
        for index, (key, label) in enumerate(steps)
    ]
