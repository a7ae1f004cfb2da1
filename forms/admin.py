"""The admin console's forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, Form, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from forms.filing import ChoiceField
from forms.numbers import WholeNumberField
from i18n import lazy_gettext as _l


class InviteForm(FlaskForm):
    email = EmailField(_l("邮箱"), [InputRequired(_l("必填")), Length(max=254)])
    display_name = StringField(_l("姓名或称呼"), [Length(max=64, message=_l("最多 64 个字符"))])
    role = ChoiceField(
        _l("角色"),
        choices=[SelectChoice("reviewer", _l("审核员")), SelectChoice("admin", _l("管理员"))],
        default="reviewer",
    )


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("名称"), [InputRequired(_l("必填")), Length(max=64, message=_l("最多 64 个字符"))]
    )
    write = BooleanField(_l("允许写入（为申请人创建草稿）"))
    service_codes = BooleanField(_l("允许签发和吊销备案服务码（供计费系统使用）"))
    days = WholeNumberField(
        _l("有效期（天）"),
        [
            InputRequired(_l("必填，应为整数")),
            NumberRange(min=1, max=3650, message=_l("应为 1 至 3650 之间的整数")),
        ],
        default=90,
    )


class ProvinceRuleForm(FlaskForm):
    """One province's rules as the admin typed them (admin.edit_province): shown again as typed
    when refused. The checks are the service's (domain.operator.province_rules.update_province_rule), which
    names the field it refuses; labels as the province table heads them."""

    sms_required = BooleanField(_l("短信核验"))
    mail_required = BooleanField(_l("邮寄资料"))
    copyright_footer = BooleanField(_l("页脚版权"))
    local_mobile_required = BooleanField(_l("本省手机号"))
    domain_certificate_required = BooleanField(_l("域名证书"))
    min_age = StringField(_l("最低年龄"), render_kw={"inputmode": "numeric"})
    bureau_review_workdays = StringField(_l("管局审核工作日"), render_kw={"inputmode": "numeric"})
    notes = TextAreaField(_l("备注"))
    mail_items = TextAreaField(_l("需邮寄的资料（要求邮寄资料时向申请人显示）"))
    domain_min_days = StringField(_l("域名最少剩余天数"), render_kw={"inputmode": "numeric"})


class ReportRangeForm(Form):
    """The report's days (a GET form: it changes nothing, so it carries no CSRF token)."""

    first = DateField(_l("开始日期"), validators=[Optional()])
    last = DateField(_l("结束日期"), validators=[Optional()])

    def validate_last(self, field: DateField) -> None:
        if field.data and self.first.data and field.data < self.first.data:
            raise ValidationError(_l("结束日期不能早于开始日期"))


class ServiceCodeForm(FlaskForm):
    """Issue a service code (备案服务码) in the console, as the billing system does by API."""

    account = EmailField(_l("申请人账号（邮箱）"), [InputRequired(_l("必填")), Length(max=254)])
    ips = TextAreaField(_l("实例公网 IP（每行一个）"), [InputRequired(_l("必填"))])
    paid_until = DateField(_l("付费到期日"), [InputRequired(_l("必填，格式 YYYY-MM-DD"))])
    note = StringField(_l("备注（如实例 ID）"), [Length(max=128, message=_l("最多 128 个字符"))])
