"""The reviewer's decision form: an action of the stage, reasons per field, notes."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import Choice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import Select

from forms.filing import ChoiceField


class RepeatedSelect(Select):
    """A select whose options repeat row after row (the reason rows): each option's HTML is made
    once per process, not once per row and request."""

    @classmethod
    def render_option(cls, choice: Choice, **kwargs) -> Markup:
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        return _option(str(choice.value), str(choice.label or choice.value), bool(choice.selected))


@lru_cache(maxsize=4096)
def _option(value: str, label: str, selected: bool) -> Markup:
    return Select.render_option(Choice(value, label, selected, {}))


class ReasonRow(Form):
    field = SelectField(_l("字段"), validate_choice=False, widget=RepeatedSelect())
    code = SelectField(_l("原因"), validate_choice=False, widget=RepeatedSelect())
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
