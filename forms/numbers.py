"""A form field for a whole number read through the one parser (domain/support/numbers.py)."""

from __future__ import annotations

from wtforms import IntegerField

from domain.support.numbers import parse_whole_number

# IntegerField's own message, translated by WTForms' catalogues (不是有效的整数), as before.
NOT_A_NUMBER = "Not a valid integer value."


class WholeNumberField(IntegerField):
    """IntegerField whose text is read by parse_whole_number: its length is bounded before int()
    (which refuses more than 4 300 digits), and "١٢٣" is not a number."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = parse_whole_number(valuelist[0])
        if self.data is None:
            raise ValueError(self.gettext(NOT_A_NUMBER))
