"""What the OCR aid takes from a page's text: the certificate number (one passing its check
character first, with the look-alike letters OCR reads for digits mended) and the name after its
label, from Tesseract's way of writing Chinese (a space between characters)."""

from __future__ import annotations

from domain.filing.readings import parse
from domain.ports import OcrResult


def test_a_licence_gives_its_credit_code_and_name():
    text = OcrResult(
        ("营业 执照", "统一 社会 信用 代码 91330106MA27XK7A4R", "名 称 杭州 青 禾 科技 有 限 公司",
         "类 型 有 限 责任 公司"), 0.9,
    )  # fmt: skip
    found = parse(text)
    assert found.certificate_number == "91330106MA27XK7A4R"
    assert found.name == "杭州青禾科技有限公司"


def test_an_id_card_gives_its_number_and_name_with_look_alikes_mended():
    text = OcrResult(("姓名 张 三", "性别 男 民族 汉", "公民 身份 号码 11O1O519491231002X"), 0.8)
    found = parse(text)
    assert found.certificate_number == "11010519491231002X"  # O read for 0, mended by the check
    assert found.name == "张三"


def test_nothing_found_is_empty():
    assert parse(OcrResult(("风景", "无 文字"), 0.2)).certificate_number == ""
    assert parse(OcrResult((), 0.0)).name == ""
