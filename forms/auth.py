"""Sign-up, login and account forms. Every message names the field and the rule."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from domain.accounts.accounts import (
    AccountError,
    check_password_strength,
    normalise_email,
)
from forms.validators import translated
from i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    email = EmailField(_l("邮箱"), [InputRequired(_l("必填")), Length(max=254)])
    password = PasswordField(_l("密码"), [InputRequired(_l("必填")), Length(max=128)])


class SignupForm(FlaskForm):
    display_name = StringField(_l("姓名或称呼"), [Length(max=64, message=_l("最多 64 个字符"))])
    email = EmailField(
        _l("邮箱"),
        [InputRequired(_l("必填")), Length(max=254, message=_l("最多 254 个字符"))],
    )
    password = PasswordField(_l("密码"), [InputRequired(_l("必填"))])
    confirm = PasswordField(
        _l("确认密码"),
        [InputRequired(_l("必填")), EqualTo("password", _l("与密码不一致"))],
    )
    agree = BooleanField(_l("我已阅读并同意服务条款"), [InputRequired(_l("须勾选后才能注册"))])

    def validate_password(self, field):
        problem = check_password_strength(field.data or "", self.email.data or "")
        if problem:
            raise ValidationError(translated(problem))

    def validate_email(self, field):
        # with the other fields' rules, so one submit shows every error at once; whether the
        # address has an account is not said here (the e-mail that follows tells its owner)
        try:
            normalise_email(field.data or "")
        except AccountError as exc:
            raise ValidationError(exc.message.render(translated)) from None


class NewPasswordMixin:
    """A new password typed twice, checked against the password rule and the account's e-mail."""

    email_for_rule = ""

    def validate_password(self, field):
        problem = check_password_strength(field.data or "", self.email_for_rule)
        if problem:
            raise ValidationError(translated(problem))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("邮箱"),
        [InputRequired(_l("必填")), Length(max=254, message=_l("最多 254 个字符"))],
    )

    def validate_email(self, field):
        try:
            normalise_email(field.data or "")
        except AccountError as exc:
            raise ValidationError(exc.message.render(translated)) from None


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    password = PasswordField(_l("新密码"), [InputRequired(_l("必填"))])
    confirm = PasswordField(
        _l("确认新密码"),
        [InputRequired(_l("必填")), EqualTo("password", _l("与新密码不一致"))],
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        _l("当前密码"), [InputRequired(_l("必填")), Length(max=128, message=_l("最多 128 位"))]
    )
    password = PasswordField(_l("新密码"), [InputRequired(_l("必填"))])
    confirm = PasswordField(
        _l("确认新密码"),
        [InputRequired(_l("必填")), EqualTo("password", _l("与新密码不一致"))],
    )


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("验证码"),
        [InputRequired(_l("必填")), Length(max=64, message=_l("最多 64 个字符"))],
    )


class PasswordConfirmForm(FlaskForm):
    password = PasswordField(
        _l("密码"), [InputRequired(_l("必填")), Length(max=128, message=_l("最多 128 位"))]
    )


class DisplayNameForm(FlaskForm):
    display_name = StringField(_l("姓名或称呼"), [Length(max=64, message=_l("最多 64 个字符"))])
