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


def test_mask_text_finds_lower_case_x_ids_plus86_mobiles_and_passports():
    """The forms an ID or phone number takes in a log line besides the canonical one."""
    text = (
        "id 11010519491231002x, tel +8613912345678 / 0086 139-1234-5678 / 8613912345678, "
        "passport E12345678, permit H1234567890"
    )
    masked = mask_text(text)
    for whole in ("11010519491231002x", "13912345678", "1234-5678", "E12345678", "H1234567890"):
        assert whole not in masked, masked
    assert "110105********002x" in masked and "+86139****5678" in masked
    assert "E******78" in masked


def test_mask_text_leaves_filing_numbers_dates_and_tokens_alone():
    text = "浙ICP备2021000001号-1 at 2026-11-24 04:00:00,123 token 3f9e0b1c2d3e4f5a6b7c8d9e0f1a2b3c"
    assert mask_text(text) == text


def _gunicorn_config():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_error_log_is_masked(tmp_path):
    """gunicorn's own error log (a failure outside Flask's error pages) passes the PII filter."""
    from gunicorn.config import Config

    config = Config()
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = _gunicorn_config().MaskingLogger(config)
    try:
        raise RuntimeError("INSERT … parameters ('11010519491231002x', '+8613912345678')")
    except RuntimeError:
        logger.exception("Error handling request /filings/1/subject")
    for handler in logger.error_log.handlers:
        handler.flush()
    written = (tmp_path / "error.log").read_text()
    assert "Error handling request" in written and "RuntimeError" in written
    assert "11010519491231002x" not in written and "13912345678" not in written
    assert "110105********002x" in written
    for handler in logger.error_log.handlers:
        handler.close()
