"""The reviewer's reason picker: common rejection reasons (DOMAIN.md B 3.12, from HW-reject and
TC-reject), each a code and a Chinese label."""

from domain.support.i18n import N_

REJECTION_REASONS: dict[str, str] = {
    "domain_real_name": N_("域名未实名认证、持有者与主体不一致，或实名信息尚未同步至工信部"),
    "domain_suffix": N_("域名后缀或注册商未获工信部批准，或域名已过期"),
    "website_name": N_("网站名称不符合命名规范"),
    "cross_province": N_("跨省备案：单位住所与所选省份不一致"),
    "site_reachable": N_("未备案网站在审核期间可以访问"),
    "filed_sites": N_("已备案网站无法访问、未展示备案号或内容与主体不符"),
    "pre_approval": N_("内容涉及前置审批但未提供，或审批文件过期、不清晰"),
    "legal_representative": N_("主体负责人不是法定代表人（本省要求时）"),
    "phone": N_("电话非本省、无法接通或已用于其他主体；两位负责人电话或邮箱重复"),
    "documents": N_("证件无效：复印件、屏幕翻拍、反光、不完整或有效期不足 3 个月"),
    "wrong_type": N_("备案类型有误：名称或证件号码填写错误，或主体已以其他证件备案"),
    "open_order": N_("该主体另有未完成的备案订单（本服务商或其他服务商）"),
    "shell_subject": N_("空壳主体：网站均已注销，请注销主体后重新备案"),
    "face_check": N_("真实性核验未通过（光线、背景，或非本人）"),
    "other": N_("其他（见说明）"),
}
