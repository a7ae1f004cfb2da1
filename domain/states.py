"""Filing states, workflow actions and roles (DOMAIN.md A6), with their display labels."""

from __future__ import annotations

from enum import StrEnum

from domain.i18n import N_


class FilingState(StrEnum):
    """Where an access filing stands. The value is stored; the label is shown (translated)."""

    draft = "draft"
    submitted = "submitted"
    initial_rejected = "initial_rejected"
    materials_pending = "materials_pending"
    re_review = "re_review"
    re_rejected = "re_rejected"
    mail_pending = "mail_pending"
    bureau_pending = "bureau_pending"
    sms_pending = "sms_pending"
    sms_failed = "sms_failed"
    bureau_review = "bureau_review"
    bureau_rejected = "bureau_rejected"
    approved = "approved"
    withdrawn = "withdrawn"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def badge(self) -> str:
        """CSS badge class: who acts next, at a glance."""
        if self in FINAL_STATES:
            return "ok" if self is FilingState.approved else "muted"
        if self in REJECTED_STATES:
            return "bad"
        if self is FilingState.draft:
            return "muted"
        return "wait"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES


STATE_LABELS = {
    FilingState.draft: N_("草稿"),
    FilingState.submitted: N_("待初审"),
    FilingState.initial_rejected: N_("初审驳回"),
    FilingState.materials_pending: N_("待上传资料及核验"),
    FilingState.re_review: N_("待复审"),
    FilingState.re_rejected: N_("复审驳回"),
    FilingState.mail_pending: N_("待邮寄资料"),
    FilingState.bureau_pending: N_("待提交管局"),
    FilingState.sms_pending: N_("待短信核验"),
    FilingState.sms_failed: N_("短信核验失败"),
    FilingState.bureau_review: N_("管局审核中"),
    FilingState.bureau_rejected: N_("管局驳回"),
    FilingState.approved: N_("接入成功"),
    FilingState.withdrawn: N_("已放弃"),
}

FINAL_STATES = frozenset({FilingState.approved, FilingState.withdrawn})
REJECTED_STATES = frozenset(
    {FilingState.initial_rejected, FilingState.re_rejected, FilingState.bureau_rejected}
)


class Action(StrEnum):
    """What an actor does to a filing. Each (state, action) pair is one row of the transition table."""

    submit = "submit"
    withdraw = "withdraw"
    initial_approve = "initial_approve"
    initial_reject = "initial_reject"
    submit_materials = "submit_materials"
    re_approve = "re_approve"
    re_approve_mail = "re_approve_mail"
    re_reject = "re_reject"
    confirm_mail = "confirm_mail"
    submit_to_bureau = "submit_to_bureau"
    submit_to_bureau_no_sms = "submit_to_bureau_no_sms"
    sms_verify = "sms_verify"
    sms_fail = "sms_fail"
    bureau_approve = "bureau_approve"
    bureau_reject = "bureau_reject"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.submit: N_("提交"),
    Action.withdraw: N_("放弃"),
    Action.initial_approve: N_("初审通过"),
    Action.initial_reject: N_("初审驳回"),
    Action.submit_materials: N_("提交资料"),
    Action.re_approve: N_("复审通过"),
    Action.re_approve_mail: N_("复审通过，待邮寄资料"),
    Action.re_reject: N_("复审驳回"),
    Action.confirm_mail: N_("确认收到资料"),
    Action.submit_to_bureau: N_("提交管局"),
    Action.submit_to_bureau_no_sms: N_("提交管局（免短信核验）"),
    Action.sms_verify: N_("短信核验通过"),
    Action.sms_fail: N_("短信核验失败"),
    Action.bureau_approve: N_("管局审核通过"),
    Action.bureau_reject: N_("管局驳回"),
}


class Role(StrEnum):
    """Who acts. `system` is the app itself (sweeps, the bureau gateway); it has no login."""

    applicant = "applicant"
    reviewer = "reviewer"
    admin = "admin"
    system = "system"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.applicant: N_("申请人"),
    Role.reviewer: N_("审核员"),
    Role.admin: N_("管理员"),
    Role.system: N_("系统"),
}


class FilingType(StrEnum):
    """The two kinds of access filing (DOMAIN.md A5)."""

    new_access = "new_access"
    continued_access = "continued_access"

    @property
    def label(self) -> str:
        return N_("新增接入") if self is FilingType.new_access else N_("继续接入")


# Audit events that are not transitions.
OTHER_EVENT_LABELS = {
    "login_failed": N_("登录失败"),
    "draft_created": N_("验证备案类型，创建草稿"),
    "product_verified": N_("完成产品验证"),
    "password_verified": N_("备案密码验证通过"),
    "claim": N_("领取审核"),
    "release": N_("释放审核"),
    "upload": N_("上传资料"),
    "sms_resent": N_("重新发送短信验证码"),
    "internal_note": N_("内部备注"),
    "staff_invited": N_("邀请工作人员"),
    "account_disabled": N_("停用账号"),
    "account_enabled": N_("启用账号"),
    "password_reset": N_("重置密码"),
    "ips_added": N_("添加 IP"),
    "ip_assigned": N_("分配 IP"),
    "ip_released": N_("释放 IP"),
    "province_rule_changed": N_("修改省份规则"),
    "suffix_set": N_("修改域名后缀"),
    "suffix_removed": N_("删除域名后缀"),
    "deny_word_added": N_("添加禁用词"),
    "deny_word_removed": N_("删除禁用词"),
    "calendar_day_set": N_("调整工作日历"),
    "registry_imported": N_("导入备案库"),
    "setting_changed": N_("修改系统设置"),
    "api_token_issued": N_("签发 API 令牌"),
}


def event_label(action: str) -> str:
    """The display label of an audit event's action (untranslated msgid)."""
    try:
        return Action(action).label
    except ValueError:
        return OTHER_EVENT_LABELS.get(action, action)
