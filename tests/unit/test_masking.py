"""Identity and phone numbers are masked in lists and in logs."""

from __future__ import annotations

import logging

from domain.support.masking import PiiLogFilter, mask_certificate, mask_phone, mask_text


def test_mask_certificate_keeps_first_six_and_last_four():
    assert mask_certificate("330106199003071237") == "330106********1237"
    assert mask_certificate("") == ""


def test_mask_phone():
    assert mask_phone("13800138000") == "138****8000"


def test_mask_text_finds_numbers_inside_sentences():
    text = "申请人 330106199003071237 手机 13800138000 提交"
    assert mask_text(text) == "申请人 330106********1237 手机 138****8000 提交"


def test_log_filter_masks_arguments(caplog):
    logger = logging.getLogger("beian.test")
    logger.addFilter(PiiLogFilter())
    with caplog.at_level(logging.INFO, logger="beian.test"):
        logger.info("login for %s from %s", "13800138000", "913301069755TH2H1L")
    assert "13800138000" not in caplog.text and "138****8000" in caplog.text
    assert "913301069755TH2H1L" not in caplog.text


def test_log_filter_masks_a_traceback():
    """An exception logged with its traceback (an SQL error lists the row's values) is masked."""
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PiiLogFilter())
    logger = logging.getLogger("beian.test.traceback")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise ValueError(
            "duplicate key (certificate_number)=(913301069755TH2H1L), mobile 13800138000"
        )
    except ValueError:
        logger.exception("import failed")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "Traceback" in written and "ValueError" in written
    assert "913301069755TH2H1L" not in written and "913301********2H1L" in written
    assert "13800138000" not in written and "138****8000" in written
