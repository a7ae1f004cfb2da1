"""In real Chromium, the operator's first hour: add a reviewer and an IP, change a province rule,
import a registry CSV with a bad row (refused with its line, nothing imported), then a good one;
all of it in the audit log."""

from __future__ import annotations

import pytest
from stdnum.cn import uscc

from demo.seed import DEMO_ACCOUNTS, REGISTRY_CSV
from tests.helpers.browser import login, screenshot

pytestmark = pytest.mark.browser
ADMIN = next(a for a in DEMO_ACCOUNTS if a[3].value == "admin")
NEW_ROW = (
    "闽ICP备2024000123号,厦门鹭岛网络有限公司,enterprise,uscc,{uscc},35,13806000123,Ludao2024,"
    "闽ICP备2024000123号-1,鹭岛网络,ludao-net.cn@2030-01-01,ALIYUN,0"
)


def test_operator_first_hour(page, live_server, tmp_path):
    body = "9135020066LDA8X12"
    row = NEW_ROW.format(uscc=body + uscc.calc_check_digit(body))
    header = REGISTRY_CSV.read_text(encoding="utf-8").splitlines()[0]
    base = live_server
    login(page, base, ADMIN[0], ADMIN[1])
    page.wait_for_url("**/admin/")

    page.goto(f"{base}/admin/staff")
    page.fill("#email", "zhang.shen@provider.cn")
    page.fill("#display_name", "张审")
    page.click("main form[method=post] button[type=submit]")
    assert "一次性密码" in page.locator(".flash-ok").inner_text()

    page.goto(f"{base}/admin/ips")
    page.fill("#addresses", "121.41.250.7\n192.168.0.9")
    page.click("main form[method=post] button[type=submit]")
    assert "已添加 1 个 IP" in page.locator(".flash-ok").inner_text()
    assert "192.168.0.9" in page.locator(".flash-bad").inner_text()

    page.goto(f"{base}/admin/provinces")
    page.locator("#province-35").locator("text=编辑").click()
    page.locator("#province-35 input[name=mail_required]").check()
    page.click("#province-35 button")
    page.locator("#province-35:not(.editing)").wait_for()

    bad = tmp_path / "bad.csv"
    bad.write_text(header + "\n" + row.replace(",35,", ",99,") + "\n", encoding="utf-8")
    page.goto(f"{base}/admin/registry")
    page.set_input_files("#csv", str(bad))
    page.click("main form[method=post] button[type=submit]")
    assert "第 2 行" in page.locator(".flash-bad").inner_text()
    good = tmp_path / "good.csv"
    good.write_text(header + "\n" + row + "\n", encoding="utf-8")
    page.set_input_files("#csv", str(good))
    page.click("main form[method=post] button[type=submit]")
    assert "新增主体 1、网站 1" in page.locator("#preview").inner_text()
    page.click("#confirm-import")
    assert "已导入" in page.locator(".flash-ok").inner_text()

    page.goto(f"{base}/admin/audit")
    log = page.locator("table").inner_text()
    for action, label in (("staff_invited", "邀请工作人员"), ("ips_added", "添加 IP"),
                          ("province_rule_changed", "修改省份规则"),
                          ("registry_imported", "导入备案库")):  # fmt: skip
        option = page.locator(f"select[name=action] option[value={action}]")
        assert option.inner_text() == label, action  # the filter names actions in words
    assert "福建" in log and "zhang.shen@provider.cn" in log
    for label in ("邀请工作人员", "添加 IP", "修改省份规则", "导入备案库"):
        assert label in log, label
    screenshot(page, "admin-audit")
