"""Filing states, workflow actions and roles (DOMAIN.md A6), with their display labels."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from domain.support.i18n import N_


class LabelledEnum(StrEnum):
    """A stored value with its display label (a msgid: translated where it is shown)."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class FilingState(LabelledEnum):
    """Where an access filing stands. The value is stored; the label is shown (translated)."""

    draft = "draft", N_("草稿")
    submitted = "submitted", N_("待初审")
    initial_rejected = "initial_rejected", N_("初审驳回")
    materials_pending = "materials_pending", N_("待上传资料及核验")
    re_review = "re_review", N_("待复审")
    re_rejected = "re_rejected", N_("复审驳回")
    mail_pending = "mail_pending", N_("待邮寄资料")
    bureau_pending = "bureau_pending", N_("待提交管局")
    sms_pending = "sms_pending", N_("待短信核验")
    sms_failed = "sms_failed", N_("短信核验失败")
    bureau_review = "bureau_review", N_("管局审核中")
    bureau_rejected = "bureau_rejected", N_("管局驳回")
    approved = "approved", N_("接入成功")
    withdrawn = "withdrawn", N_("已放弃")

    @property
    def hint(self) -> str:
        """What the applicant is told while the filing waits here (msgid; empty: nothing)."""
        return STATE_HINTS.get(self, "")

    def hint_for(self, kind: OrderKind) -> str:
        """The hint for an order of `kind`: a new filing's codes go to the typed mobiles (A8)."""
        return KIND_STATE_HINTS.get((kind, self), self.hint)


STATE_HINTS = {
    FilingState.submitted: N_("审核员将在时限内完成初审，请保持电话畅通。"),
    FilingState.sms_pending: N_("验证码已发送至网站负责人在原备案中登记的手机，24 小时内有效。"),
    FilingState.bureau_review: N_("管局审核中，各省审核时间不同，请耐心等待。"),
}


class Action(LabelledEnum):
    """What an actor does to a filing. Each (state, action) pair is one row of the transition table."""

    submit = "submit", N_("提交")
    withdraw = "withdraw", N_("放弃")
    initial_approve = "initial_approve", N_("初审通过")
    initial_reject = "initial_reject", N_("初审驳回")
    submit_materials = "submit_materials", N_("提交资料")
    re_approve = "re_approve", N_("复审通过")
    re_approve_mail = "re_approve_mail", N_("复审通过，待邮寄资料")
    re_reject = "re_reject", N_("复审驳回")
    confirm_mail = "confirm_mail", N_("确认收到资料")
    submit_to_bureau = "submit_to_bureau", N_("提交管局")
    submit_to_bureau_no_sms = "submit_to_bureau_no_sms", N_("提交管局（免短信核验）")
    sms_verify = "sms_verify", N_("短信核验通过")
    sms_fail = "sms_fail", N_("短信核验失败")
    bureau_approve = "bureau_approve", N_("管局审核通过")
    bureau_reject = "bureau_reject", N_("管局驳回")
    return_for_edits = "return_for_edits", N_("退回修改")
    review_approve = "review_approve", N_("审核通过")
    provider_submit = "provider_submit", N_("服务商发起并提交")  # staff, for an away website (A9)

    @property
    def asks_receipt(self) -> bool:
        """Its form asks for a receipt number (the bureau's, or the courier's)."""
        return self in RECEIPT_ACTIONS


RECEIPT_ACTIONS = frozenset({Action.confirm_mail, Action.bureau_approve, Action.bureau_reject})


class Role(LabelledEnum):
    """Who acts. `system` is the app itself (sweeps, the bureau gateway); it has no login."""

    applicant = "applicant", N_("申请人")
    reviewer = "reviewer", N_("审核员")
    admin = "admin", N_("管理员")
    system = "system", N_("系统")


class OrderKind(LabelledEnum):
    """The kinds of order (DOMAIN.md A7): an access filing, and the two orders on records held
    here."""

    access = "access", N_("接入备案")
    change_access = "change_access", N_("变更接入")
    cancel_access = "cancel_access", N_("取消接入")
    first_filing = "first_filing", N_("首次备案")
    new_website = "new_website", N_("新增网站")
    change_subject = "change_subject", N_("变更主体")
    change_website = "change_website", N_("变更网站")
    cancel_website = "cancel_website", N_("注销网站")
    cancel_subject = "cancel_subject", N_("注销主体")


# The new filings (DOMAIN.md A8): typed by the applicant, through every stage of an access filing,
# and on approval the bureau issues new numbers.
NEW_FILINGS = frozenset({OrderKind.first_filing, OrderKind.new_website})
# Approved, their websites are records held here (A7; A7 v3: the changes of subject and website
# too, A8: the new filings).
HOLDING_KINDS = (
    OrderKind.access, OrderKind.change_access, OrderKind.change_subject, OrderKind.change_website,
    *sorted(NEW_FILINGS),
)  # fmt: skip


# Where an order on records reads other words than an access filing: its one staff review is 审核
# (not 初审), and each kind ends with its own result (not 接入成功).
_ORDERS = (
    OrderKind.change_access, OrderKind.cancel_access, OrderKind.change_subject,
    OrderKind.change_website, OrderKind.cancel_website, OrderKind.cancel_subject,
)  # fmt: skip
KIND_STATE_LABELS = {
    **{(kind, FilingState.submitted): N_("待审核") for kind in _ORDERS},
    **{(kind, FilingState.initial_rejected): N_("审核驳回") for kind in _ORDERS},
    (OrderKind.change_access, FilingState.approved): N_("变更成功"),
    (OrderKind.cancel_access, FilingState.approved): N_("已取消接入"),
    (OrderKind.first_filing, FilingState.approved): N_("首次备案成功"),
    (OrderKind.new_website, FilingState.approved): N_("新增网站成功"),
    (OrderKind.change_subject, FilingState.approved): N_("变更成功"),
    (OrderKind.change_website, FilingState.approved): N_("变更成功"),
    (OrderKind.cancel_website, FilingState.approved): N_("已注销"),
    (OrderKind.cancel_subject, FilingState.approved): N_("已注销"),
    # a change's materials and re-review (A7 v3): no 初审/复审 for an order on records
    (OrderKind.change_subject, FilingState.re_review): N_("待复核"),
    (OrderKind.change_website, FilingState.re_review): N_("待复核"),
}
KIND_STATE_HINTS = {
    **{
        (kind, FilingState.sms_pending): N_("验证码已发送至本次填写的负责人手机，24 小时内有效。")
        for kind in NEW_FILINGS
    },
    # an order on records has one review (审核), not an initial review (初审)
    (OrderKind.change_access, FilingState.submitted): N_(
        "审核员将在时限内审核本次变更接入，通过后由服务商提交管局。"
    ),
    (OrderKind.cancel_access, FilingState.submitted): N_(
        "审核员将在时限内审核本次取消接入，通过后由服务商提交管局。"
    ),
    (OrderKind.change_subject, FilingState.submitted): N_(
        "审核员将在时限内审核本次变更，请保持电话畅通。"
    ),
    (OrderKind.change_website, FilingState.submitted): N_(
        "审核员将在时限内审核本次变更，请保持电话畅通。"
    ),
    (OrderKind.cancel_website, FilingState.submitted): N_(
        "审核员将在时限内核对本次注销，通过后由服务商提交管局注销该网站。"
    ),
    (OrderKind.cancel_subject, FilingState.submitted): N_(
        "审核员将在时限内核对本次注销，通过后由服务商提交管局注销该主体及其网站。"
    ),
}
KIND_ACTION_LABELS = {
    **{(kind, Action.initial_reject): N_("审核驳回") for kind in _ORDERS},
    (OrderKind.change_subject, Action.initial_approve): N_("审核通过，待上传资料"),
    (OrderKind.change_website, Action.initial_approve): N_("审核通过，待上传资料"),
}


def state_label(state: FilingState, kind: OrderKind | None) -> str:
    """A state's label (msgid) for an order of `kind` (the state's own label without a kind)."""
    return KIND_STATE_LABELS.get((kind, state), state.label) if kind else state.label


def action_label(action: Action, kind: OrderKind | None) -> str:
    """An action's label (msgid) on an order of `kind` (the action's own label without a kind)."""
    return KIND_ACTION_LABELS.get((kind, action), action.label) if kind else action.label


class FilingType(LabelledEnum):
    """What the type step answers (DOMAIN.md A5 v3): the two kinds of access filing, and the two
    new filings an access cannot be (A8)."""

    new_access = "new_access", N_("新增接入")
    continued_access = "continued_access", N_("继续接入")
    first_filing = "first_filing", N_("首次备案")
    new_website = "new_website", N_("新增网站备案")


# Audit events that are not transitions.
OTHER_EVENT_LABELS = {
    "login_failed": N_("登录失败"),
    "draft_created": N_("验证备案类型，创建草稿"),
    "product_verified": N_("完成产品验证"),
    "password_verified": N_("备案密码验证通过"),
    "claim": N_("领取审核"),
    "release": N_("释放审核"),
    "upload": N_("上传资料"),
    "authenticity_verified": N_("网站负责人完成真实性核验"),
    "sms_resent": N_("重新发送短信验证码"),
    "stale_reminder": N_("提醒申请人处理"),
    "mail_sent": N_("填写邮寄信息"),
    "internal_note": N_("内部备注"),
    "staff_invited": N_("邀请工作人员"),
    "account_disabled": N_("停用账号"),
    "account_enabled": N_("启用账号"),
    "password_reset": N_("重置密码"),
    "login": N_("登录"),
    "password_changed": N_("修改密码"),
    "password_reset_requested": N_("申请重置密码"),
    "password_reset_by_link": N_("通过邮件链接重置密码"),
    "reset_link_sent": N_("发送重置密码邮件"),
    "signup_attempted": N_("有人用已注册的邮箱注册"),
    "signup_confirmed": N_("确认邮箱，完成注册"),
    "second_factor_failed": N_("两步验证码错误"),
    "password_rechecked": N_("再次验证密码"),
    "password_recheck_failed": N_("再次验证密码失败"),
    "password_recheck_throttled": N_("再次验证密码：尝试次数过多"),
    "totp_enrolment_started": N_("开始启用两步验证"),
    "totp_enabled": N_("启用两步验证"),
    "totp_disabled": N_("关闭两步验证"),
    "recovery_code_used": N_("使用恢复码登录"),
    "recovery_codes_replaced": N_("重新生成恢复码"),
    "second_factor_reset": N_("重置两步验证"),
    "ips_added": N_("添加 IP"),
    "ip_assigned": N_("分配 IP"),
    "ip_released": N_("释放 IP"),
    "ip_removed": N_("删除 IP"),
    "province_rule_changed": N_("修改省份规则"),
    "suffix_set": N_("修改域名后缀"),
    "suffix_removed": N_("删除域名后缀"),
    "deny_word_added": N_("添加禁用词"),
    "deny_word_removed": N_("删除禁用词"),
    "pre_approval_keyword_added": N_("添加前置审批关键词"),
    "pre_approval_keyword_removed": N_("删除前置审批关键词"),
    "calendar_day_set": N_("调整工作日历"),
    "registry_imported": N_("导入备案库"),
    "setting_changed": N_("修改系统设置"),
    "api_token_issued": N_("签发 API 令牌"),
    "api_token_revoked": N_("吊销 API 令牌"),
    "api_draft_created": N_("通过 API 创建草稿"),
    "order_created": N_("创建订单"),
    "record_claimed": N_("认领备案"),
    "record_claim_refused": N_("认领备案被拒绝"),
    "record_bound": N_("绑定备案主体"),
    "record_unbound": N_("解绑备案主体"),
    "order_edited": N_("修改订单"),
    "footer_checked": N_("页脚检查"),
    "footer_notice": N_("通知改正网站页脚"),
    "resolve_checked": N_("解析检查"),
    "website_away": N_("网站未解析到本服务商，已通知"),
    "website_back": N_("网站恢复解析到本服务商"),
    # personal data: staff views of sensitive data, retention, the applicant's rights
    "material_viewed": N_("查看资料图片"),
    "review_viewed": N_("查看审核页面"),
    "images_deleted": N_("按保存期限删除图片"),
    "data_exported": N_("导出个人数据"),
    "account_deletion": N_("注销账号"),
    # service codes and mobile codes (DOMAIN.md A10)
    "service_code_issued": N_("签发备案服务码"),
    "service_code_revoked": N_("吊销备案服务码"),
    "service_code_used": N_("使用备案服务码"),
    "mobile_verified": N_("手机号验证通过"),
    # the access gate
    "gate_domain_allowed": N_("加入访问白名单"),
    "gate_domain_removed": N_("移出访问白名单"),
}


def event_label(action: str) -> str:
    """The display label of an audit event's action (untranslated msgid)."""
    try:
        return Action(action).label
    except ValueError:
        return OTHER_EVENT_LABELS.get(action, action)
