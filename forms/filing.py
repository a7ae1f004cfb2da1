"""The applicant's filing forms, one per wizard step. Messages name the field and the rule."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from domain.filing import commitment
from domain.lifecycle.workdays import shanghai_today
from domain.rulebook import rules
from domain.rulebook.provinces import PROVINCES
from domain.support.i18n import Message
from forms.validators import (
    Email,
    Mobile,
    Rule,
    fold_id_number,
    fold_to_ascii,
    fold_valid_until,
    trim,
)
from i18n import gettext
from i18n import lazy_gettext as _l

CERT_TYPES = [
    SelectChoice("uscc", _l("统一社会信用代码（单位）")),
    SelectChoice("resident_id", _l("居民身份证（个人）")),
    SelectChoice("passport", _l("护照")),
    SelectChoice("hk_mo_permit", _l("港澳居民来往内地通行证")),
    SelectChoice("tw_permit", _l("台湾居民来往大陆通行证")),
    SelectChoice("hk_mo_tw_residence", _l("港澳台居民居住证")),
    SelectChoice("foreign_permanent_residence", _l("外国人永久居留身份证")),
]
PERSON_ID_TYPES = [c for c in CERT_TYPES if c.value != "uscc"]
SERVICE_TYPES = [
    SelectChoice("website", _l("网站")), SelectChoice("email", _l("邮件")), SelectChoice("file", _l("文件")),
    SelectChoice("data", _l("数据")), SelectChoice("app", _l("APP")), SelectChoice("wechat", _l("微信号应用服务")),
]  # fmt: skip
LANGUAGES = [
    SelectChoice("zh-Hans", _l("中文简体")), SelectChoice("zh-Hant", _l("中文繁体")), SelectChoice("en", _l("英语")),
    SelectChoice("ja", _l("日语")), SelectChoice("ko", _l("韩语")), SelectChoice("fr", _l("法语")), SelectChoice("de", _l("德语")),
    SelectChoice("ru", _l("俄语")), SelectChoice("es", _l("西班牙语")), SelectChoice("ar", _l("阿拉伯语")),
    SelectChoice("mn", _l("蒙古语")), SelectChoice("bo", _l("藏语")), SelectChoice("ug", _l("维吾尔语")), SelectChoice("other", _l("其他")),
]  # fmt: skip
PRE_APPROVALS = [
    SelectChoice("", _l("以上都不涉及")), SelectChoice("news", _l("新闻")), SelectChoice("publishing", _l("出版")),
    SelectChoice("education", _l("教育")), SelectChoice("healthcare", _l("医疗保健")),
    SelectChoice("drugs_devices", _l("药品和医疗器械")), SelectChoice("culture", _l("文化")),
    SelectChoice("broadcasting", _l("广播电影电视节目")), SelectChoice("bbs", _l("电子公告服务")),
    SelectChoice("ride_hailing", _l("网络预约车")), SelectChoice("finance", _l("金融")), SelectChoice("games", _l("游戏")),
]  # fmt: skip
REQUIRED = _l("必填")


def content_type_choices(subject_kind: str) -> list[SelectChoice]:
    """The 24 content codes with their names; an individual's allowed ones first (R-W-1)."""
    codes = list(rules.CONTENT_TYPES)
    if subject_kind == "individual":
        first = list(rules.INDIVIDUAL_CONTENT_TYPES)
        codes = first + [code for code in codes if code not in first]
    return [SelectChoice(code, _l(rules.CONTENT_TYPES[code])) for code in codes]


class ChoiceField(SelectField):
    """A select whose wrong value gets our own translated message."""

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices or []}:
            raise ValidationError(_l("不是有效的选项"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):  # choices are checked by the rules, with their own message
        pass


class TypeForm(FlaskForm):
    certificate_type = ChoiceField(_l("主体证件类型"), choices=CERT_TYPES)
    certificate_number = StringField(
        _l("主体证件号码"),
        [InputRequired(REQUIRED), Length(max=32, message=_l("最多 32 个字符"))],
        filters=[fold_to_ascii],
    )
    domain = StringField(
        _l("网站域名"),
        [InputRequired(REQUIRED), Length(max=253, message=_l("最多 253 个字符"))],
        filters=[fold_to_ascii],
    )


class ProductForm(FlaskForm):
    ips = MultiCheckboxField(_l("本服务商公网 IP"))


class PasswordForm(FlaskForm):
    password = PasswordField(_l("工信部备案密码"), [InputRequired(REQUIRED), Length(max=64)])


def identity_problem(id_type: str, value: str) -> Message | None:
    """R-ID-3 for the types with a checkable number, then R-P-6 (resident IDs, 港澳台居民居住证,
    外国人永久居留身份证)."""
    if id_type not in rules.IDENTITY_CHECKS:
        return None
    return rules.check_identity_number(id_type, value) or rules.check_minimum_age(
        value, shanghai_today()
    )


def _identity_if(type_field: str):
    """R-ID-3 and R-P-6 by the id type (another field)."""
    return Rule(
        lambda value, form: identity_problem(form[type_field].data, value), lambda form: (form,)
    )


def _valid_until(value: str) -> Message | None:
    """R-P-9 on the day of the check."""
    return rules.check_id_valid_until(value, shanghai_today())


VALID_UNTIL_HINT = _l("YYYY-MM-DD，长期有效的证件填写“长期”")


class SubjectForm(FlaskForm):
    certificate_address = StringField(
        _l("证件住所"), [InputRequired(REQUIRED), Length(max=255, message=_l("最多 255 个字符"))]
    )
    mailing_address = StringField(
        _l("通信地址"), [InputRequired(REQUIRED), Length(max=255, message=_l("最多 255 个字符"))]
    )
    remark = TextAreaField(_l("备注"), [Length(max=200, message=_l("最多 200 个字符"))])
    person_name = StringField(
        _l("负责人姓名"), [InputRequired(REQUIRED), Length(max=64, message=_l("最多 64 个字符"))]
    )
    person_id_type = ChoiceField(_l("负责人证件类型"), choices=PERSON_ID_TYPES)
    person_id_number = StringField(
        _l("负责人证件号码"),
        [
            InputRequired(REQUIRED),
            Length(max=32, message=_l("最多 32 个字符")),
            _identity_if("person_id_type"),
        ],
        filters=[fold_id_number],
    )
    person_mobile = StringField(
        _l("负责人手机号码"), [InputRequired(REQUIRED), Mobile()], filters=[fold_to_ascii]
    )
    person_email = StringField(_l("负责人电子邮箱"), [InputRequired(REQUIRED), Email()])
    person_emergency_mobile = StringField(
        _l("负责人应急联系电话"), [Mobile()], filters=[fold_to_ascii]
    )
    person_id_valid_until = StringField(
        _l("负责人证件有效期至"),
        [Length(max=10, message=_l("最多 10 个字符")), Rule(_valid_until)],
        filters=[fold_valid_until],
    )


class PreApprovalRow(Form):
    """One pre-approval (前置审批) of a website: its category and approval number."""

    category = ChoiceField(_l("前置审批"), choices=PRE_APPROVALS, default="")
    number = StringField(_l("审批文号"))

    def validate_number(self, field):
        if self.category.data:
            problem = rules.check_pre_approval_number(field.data)
            if problem:
                raise ValidationError(_render(problem))


class WebsiteBlock(Form):
    """One website: the registry's data is shown, not posted; these are the editable parts."""

    website_id = HiddenField()
    ips = MultiCheckboxField(_l("网站 IP"))
    service_types = MultiCheckboxField(_l("服务类型"), choices=SERVICE_TYPES)
    content_types = MultiCheckboxField(_l("网站服务内容"))  # choices by the subject (wizard)
    languages = MultiCheckboxField(_l("网站语言"), choices=LANGUAGES)
    pre_approvals = FieldList(FormField(PreApprovalRow), min_entries=1, max_entries=11)
    person_mode = RadioField(
        _l("网站负责人"),
        choices=[SelectChoice("same", _l("同主体负责人")), SelectChoice("other", _l("其他人"))],
        default="same",
    )
    person_name = StringField(_l("姓名"))
    person_id_type = ChoiceField(_l("证件类型"), choices=PERSON_ID_TYPES, default="resident_id")
    remark = TextAreaField(
        _l("网站备注"), [Length(max=200, message=_l("最多 200 个字符"))], filters=[trim]
    )

    def validate_person_id_type(self, field):
        pass  # checked with the person's other fields only when the person is "other"

    person_id_number = StringField(_l("证件号码"), filters=[fold_id_number])
    person_mobile = StringField(_l("手机号码"), filters=[fold_to_ascii])
    person_email = StringField(_l("电子邮箱"))
    person_emergency_mobile = StringField(_l("应急联系电话"), filters=[fold_to_ascii])
    person_id_valid_until = StringField(_l("证件有效期至"), filters=[fold_valid_until])

    def validate_ips(self, field):
        if not field.data:
            raise ValidationError(_l("至少选择一个 IP"))

    def validate_service_types(self, field):
        problem = rules.check_choices(field.data or [], rules.SERVICE_TYPES)
        if problem:
            raise ValidationError(_render(problem))

    def validate_languages(self, field):
        problem = rules.check_choices(field.data or [], rules.LANGUAGES)
        if problem:
            raise ValidationError(_render(problem))

    def _person_rule(self, field, check):
        if self.person_mode.data == "other":
            if not field.data:
                raise ValidationError(_l("必填"))
            problem = check(field.data)
            if problem:
                raise ValidationError(_render(problem))

    def validate_person_name(self, field):
        self._person_rule(field, lambda v: None)

    def validate_person_id_number(self, field):
        self._person_rule(field, lambda v: identity_problem(self.person_id_type.data, v))

    def validate_person_mobile(self, field):
        self._person_rule(field, rules.check_mobile)

    def validate_person_emergency_mobile(self, field):  # optional: judged only when given
        if field.data:
            self._person_rule(field, rules.check_mobile)

    def validate_person_id_valid_until(self, field):
        if field.data:
            self._person_rule(field, _valid_until)

    def validate_person_email(self, field):
        self._person_rule(field, rules.check_email)


def _render(message: Message) -> str:
    return message.render(gettext)


class WebsitesForm(FlaskForm):
    websites = FieldList(FormField(WebsiteBlock), min_entries=1)
    new_domain = StringField(_l("要添加的网站的域名"))


class UploadForm(FlaskForm):
    kind = HiddenField()
    website_id = HiddenField()
    file = FileField(_l("选择图片"))


class ConfirmForm(FlaskForm):
    version = HiddenField()


class SubmitForm(ConfirmForm):
    """A submission: the version shown and the truthfulness commitment (domain/filing/commitment).
    An unticked box is no validation error here (that would be a 400): the use case refuses it."""

    commitment = BooleanField(_l(commitment.TEXT))


class MailForm(FlaskForm):
    courier = StringField(_l("快递公司"), [InputRequired(REQUIRED), Length(max=32)])
    tracking_number = StringField(_l("快递单号"), [InputRequired(REQUIRED), Length(max=32)])


class SmsForm(FlaskForm):
    challenge_id = HiddenField()
    code = StringField(
        _l("短信验证码"),
        [InputRequired(REQUIRED), Length(min=6, max=6, message=_l("应为 6 位数字"))],
    )


class PhotoForm(FlaskForm):
    photo = FileField(_l("现场照片"))


# --- the new filings (DOMAIN.md A8): what the applicant types beside an access filing's fields ---

SUBJECT_KINDS = [
    SelectChoice("enterprise", _l("企业")), SelectChoice("individual", _l("个人")),
    SelectChoice("government", _l("政府机关")), SelectChoice("institution", _l("事业单位")),
    SelectChoice("social_org", _l("社会团体")), SelectChoice("individual_business", _l("个体工商户")),
]  # fmt: skip


def province_choices() -> list[SelectChoice]:
    """The 31 provinces by name, for a subject typed by the applicant."""
    return [SelectChoice("", _l("请选择"))] + [
        SelectChoice(province.code, _l(province.name)) for province in PROVINCES
    ]


class TypedSubjectForm(SubjectForm):
    """A 首次备案's subject step: the subject itself is typed too, nothing comes from the registry."""

    kind = ChoiceField(_l("主体性质"), choices=SUBJECT_KINDS)
    name = StringField(
        _l("主体名称"), [InputRequired(REQUIRED), Length(max=128, message=_l("最多 128 个字符"))]
    )
    certificate_type = ChoiceField(_l("主体证件类型"), choices=CERT_TYPES)
    certificate_number = StringField(
        _l("主体证件号码"),
        [InputRequired(REQUIRED), Length(max=32, message=_l("最多 32 个字符"))],
        filters=[fold_id_number],
    )
    province = ChoiceField(_l("主体所在省份"), choices=province_choices())
    investor = StringField(
        _l("投资人或主管单位"),
        [InputRequired(REQUIRED), Length(max=128, message=_l("最多 128 个字符"))],
    )

    def validate_province(self, field):
        if not field.data:
            raise ValidationError(_l("必填"))


class NewWebsiteBlock(WebsiteBlock):
    """A website of a new filing: its name and domains are typed (none is on the registry yet)."""

    name = StringField(_l("网站名称"), [Length(max=128, message=_l("最多 128 个字符"))])
    domains = TextAreaField(_l("网站域名"))

    def validate_name(self, field):
        if not (field.data or "").strip():
            raise ValidationError(_l("必填"))

    def validate_domains(self, field):
        if not (field.data or "").strip():
            raise ValidationError(_l("必填"))


class NewWebsitesForm(WebsitesForm):
    websites = FieldList(FormField(NewWebsiteBlock), min_entries=1)
