"""Registry CSV import (DOMAIN.md A5): all or nothing, line numbers, idempotent, hashed passwords."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from demo.seed import REGISTRY_CSV
from domain.rulebook.registry import (
    LocalRegistry,
    RegistryImportError,
    import_registry,
    parse_registry_csv,
)
from extensions import db
from models import RegistryDomain, RegistrySubject, RegistryWebsite
from runtime import current

CSV_TEXT = REGISTRY_CSV.read_text(encoding="utf-8")
HEADER = CSV_TEXT.splitlines()[0]


def counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (RegistrySubject, RegistryWebsite, RegistryDomain)
    )


def test_demo_registry_imports_and_reimport_changes_nothing(app):
    first = import_registry(parse_registry_csv(CSV_TEXT), hasher=current().hasher)
    db.session.commit()
    assert first.subjects_created >= 15 and first.websites_created >= 20
    before = counts()
    second = import_registry(parse_registry_csv(CSV_TEXT), hasher=current().hasher)
    db.session.commit()
    assert not second.changed and second.unchanged == first.websites_created
    assert counts() == before


def test_filing_passwords_are_stored_hashed(app):
    import_registry(parse_registry_csv(CSV_TEXT), hasher=current().hasher)
    subject = db.session.scalar(
        select(RegistrySubject).where(RegistrySubject.subject_number == "浙ICP备2021000001号")
    )
    assert "Qinghe2021" not in subject.filing_password_hash
    registry = current().registry  # the runtime's, with its hasher
    assert registry.verify_filing_password(subject, "Qinghe2021")
    assert not registry.verify_filing_password(subject, "qinghe2021")


def test_without_a_hasher_no_filing_password_is_hashed_or_checked(app):
    rows = parse_registry_csv(CSV_TEXT)
    with pytest.raises(ValueError):
        import_registry(rows, hasher=None)
    assert counts() == (0, 0, 0)
    preview = import_registry(rows, preview=True, hasher=None)  # a preview hashes nothing
    assert preview.subjects_created >= 15
    db.session.rollback()
    import_registry(rows, hasher=current().hasher)
    subject = db.session.scalars(select(RegistrySubject)).first()
    assert LocalRegistry().website_by_domain("qinghe.cn") is not None  # lookups need no hasher
    with pytest.raises(RuntimeError):
        LocalRegistry().verify_filing_password(subject, "Qinghe2021")


def test_chinese_domains_are_stored_as_punycode_and_found_either_way(app):
    import_registry(parse_registry_csv(CSV_TEXT), hasher=current().hasher)
    registry = LocalRegistry()
    website = registry.website_by_domain("数字文化.公益")
    assert website is not None and website.name == "数字文化研究院"
    assert any(d.domain.startswith("xn--") for d in website.domains)


def _with_bad_row(line_text: str) -> str:
    lines = CSV_TEXT.splitlines()
    return "\n".join([*lines[:5], line_text, *lines[5:]]) + "\n"


GOOD_ROW = CSV_TEXT.splitlines()[1]


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda r: r.replace("913301", "913302", 1), "USCC"),
        (lambda r: r.replace("浙ICP备2021000001号-1", "浙ICP备2021000001号-01"), "R-ID-2"),
        (lambda r: r.replace(",33,", ",99,"), "province"),
        (lambda r: r.replace("13800138001", "12345"), "responsible_mobile"),
        (lambda r: r.replace("qinghe.cn@2029-05-20", "qinghe.cn@2029-13-01"), "domain@YYYY-MM-DD"),
        (lambda r: r.rsplit(",", 1)[0] + ",2", "change_in_progress"),
        (lambda r: r + ",extra", "columns"),
    ],
)
def test_a_malformed_row_imports_nothing_and_names_its_line(app, mutate, reason):
    with pytest.raises(RegistryImportError) as caught:
        import_registry(
            parse_registry_csv(_with_bad_row(mutate(GOOD_ROW))), hasher=current().hasher
        )
    assert caught.value.line == 6  # header, four good rows, then the bad one
    assert reason in caught.value.reason
    db.session.rollback()
    assert counts() == (0, 0, 0)


def test_wrong_header_is_refused(app):
    with pytest.raises(RegistryImportError) as caught:
        parse_registry_csv("a,b,c\n1,2,3\n")
    assert caught.value.line == 1


def test_duplicate_domain_across_rows_is_refused(app):
    row = GOOD_ROW.replace("浙ICP备2021000001号-1", "浙ICP备2021000001号-7")
    with pytest.raises(RegistryImportError) as caught:
        parse_registry_csv(HEADER + "\n" + GOOD_ROW + "\n" + row + "\n")
    assert caught.value.line == 3 and "twice" in caught.value.reason


def test_cli_import_reports_the_line_and_imports_nothing(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(_with_bad_row(GOOD_ROW.replace(",33,", ",99,")), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["registry", "import", str(bad)])
    assert result.exit_code == 2
    assert "line 6" in result.output and "nothing imported" in result.output
    assert counts() == (0, 0, 0)
    good = tmp_path / "good.csv"
    good.write_text(CSV_TEXT, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["registry", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert counts()[1] == len(CSV_TEXT.splitlines()) - 1


def test_record_access_adds_this_provider_once(app):
    import_registry(parse_registry_csv(CSV_TEXT), hasher=current().hasher)
    registry = LocalRegistry()
    website = registry.website_by_domain("qinghe.cn")
    registry.record_access(website, "BEIANDESK")
    registry.record_access(website, "BEIANDESK")
    assert website.provider_codes == ["ALIYUN", "BEIANDESK"]
