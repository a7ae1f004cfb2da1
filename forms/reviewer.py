"""The reviewer's decision form: an action of the stage, reasons per field, notes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from forms.filing import ChoiceField


class ReasonRow(Form):
    field = SelectField(_l("字段"), validate_choice=False)
    code = SelectField(_l("原因"), validate_choice=False)
    text = StringField(_l("补充说明"), [Length(max=200, message=_l("最多 200 个字符"))])


class DecisionForm(FlaskForm):
    version = HiddenField()
    action = ChoiceField(_l("处理结果"), [InputRequired(_l("请选择处理结果"))])
    reasons = FieldList(FormField(ReasonRow), min_entries=3, max_entries=10)
    note = TextAreaField(_l("给申请人的说明"), [Length(max=1000, message=_l("最多 1000 个字符"))])
    internal_note = TextAreaField(
        _l("内部备注（申请人不可见）"), [Length(max=1000, message=_l("最多 1000 个字符"))]
    )
    receipt = StringField(_l("管局回执编号"), [Length(max=100, message=_l("最多 100 个字符"))])


class ClaimForm(FlaskForm):
    pass
