"""The applicant's truthfulness commitment (承诺): a box ticked on the page that submits what the
applicant typed or changed (the wizard's confirmation, a change of subject or of a website), as
the big consoles ask for it. The submission's audit event keeps the words that were ticked.

An order the applicant neither typed nor changed (变更接入, 取消接入, the cancellations, confirmed
by typing the number) asks for no commitment; the JSON API opens drafts only, never submits.
"""

from __future__ import annotations

from domain.support.i18n import N_, Message

TEXT = N_("本人承诺所填写的备案信息真实、准确、完整，上传的证件和资料真实有效；如有不实，本人愿意承担由此产生的法律责任。")  # fmt: skip
FIELD = "commitment"


def check_commitment(ticked: bool) -> Message | None:
    """The refusal of a submission whose commitment box was not ticked, naming the box; else None."""
    if ticked:
        return None
    return Message(N_("请先勾选“本人承诺所填写的备案信息真实、准确、完整”，再提交"))


def recorded() -> dict[str, object]:
    """What the submission's audit event keeps of the commitment: the words ticked (the msgid)."""
    return {FIELD: TEXT}
