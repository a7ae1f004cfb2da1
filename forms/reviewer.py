"""The reviewer's decision form: an action of the stage, reasons per field, notes."""

from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import Choice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import Select, html_params

from forms.filing import ChoiceField
from i18n import lazy_gettext as _l


class RepeatedSelect(Select):
    """A select whose options repeat row after row (the reason rows) and request after request:
    the options' HTML is made once per process for the same choices and selection, not once per
    row and request (three rows of some fifty options took a millisecond)."""

    def __call__(self, field, **kwargs) -> Markup:
        choices = field.iter_choices()
        if self.multiple or field.has_groups() or any(choice.render_kw for choice in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in dir(flags):
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        options = _options(tuple((str(c.value), str(c.label), bool(c.selected)) for c in choices))
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")


@lru_cache(maxsize=256)
def _options(choices: tuple[tuple[str, str, bool], ...]) -> str:
    return "".join(
        Select.render_option(Choice(value, label, selected, {}))
        for value, label, selected in choices
    )


class ReasonRow(Form):
    field = SelectField(_l("字段"), validate_choice=False, widget=RepeatedSelect())
    code = SelectField(_l("原因"), validate_choice=False, widget=RepeatedSelect())
    text = StringField(_l("补充说明"), [Length(max=200, message=_l("最多 200 个字符"))])


class DecisionForm(FlaskForm):
    version = HiddenField()
    action = ChoiceField(_l("处理结果"), [InputRequired(_l("请选择处理结果"))])
    reasons = FieldList(FormField(ReasonRow), min_entries=6, max_entries=10)  # 3 shown, 3 more
    note = TextAreaField(_l("给申请人的说明"), [Length(max=1000, message=_l("最多 1000 个字符"))])
    internal_note = TextAreaField(
        _l("内部备注（申请人不可见）"), [Length(max=1000, message=_l("最多 1000 个字符"))]
    )
    receipt = StringField(_l("管局回执编号"), [Length(max=100, message=_l("最多 100 个字符"))])
    # a new filing's numbers as the bureau issued them (DOMAIN.md A8)
    subject_number = StringField(_l("主体备案号"), [Length(max=32, message=_l("最多 32 个字符"))])
    website_numbers = TextAreaField(
        _l("网站备案号（每行一个，按网站顺序）"),
        [Length(max=1000, message=_l("最多 1000 个字符"))],
    )


class ClaimForm(FlaskForm):
    pass
