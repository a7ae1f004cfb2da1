"""Identity verification and the OCR aid in Chromium: an order's responsible person verified
through each identity platform's SDK adapter (a local stand-in of Alibaba's or Tencent's API and
H5 page), the computer's page updating by itself; then the review screen with the verifier's
verdict and, where Tesseract is installed, the licence number and name the OCR aid read beside the
typed ones, the difference marked."""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from demo.seed import seed_demo
from domain.filing import materials
from extensions import db
from runtime import ocr_aid, storage_for
from runtime.transaction import transaction
from tests.helpers.app import make_test_app, migrated_copy
from tests.helpers.browser import (
    DEMO_APPLICANT,
    DEMO_REVIEWER,
    filing_at_materials,
    login,
    screenshot,
    upload_required_materials,
)
from tests.helpers.identity_platforms import (
    aliyun_describe,
    aliyun_init,
    identity_platform,
    tencent_detect_auth,
    tencent_detect_info,
)
from tests.helpers.photos import licence

# per platform: the start action and answer, the result action, its answer before and after
FLOWS = {
    "aliyun": ("InitFaceVerify", aliyun_init, "DescribeFaceVerify",
               aliyun_describe("424", message="身份认证记录不存在"), aliyun_describe("200", "T", "200")),
    "tencent": ("DetectAuth", tencent_detect_auth, "GetDetectInfoEnhanced",
                tencent_detect_info(None), tencent_detect_info(0, "成功")),
}  # fmt: skip
NAMES = {"aliyun": "阿里云实人认证", "tencent": "腾讯云人脸核身"}


@pytest.fixture(scope="module", params=sorted(FLOWS))
def platform(request):
    start, start_answer, result, before, after = FLOWS[request.param]
    with identity_platform() as stand_in:
        stand_in.name = request.param
        stand_in.answers = {start: start_answer("SESSION-1", stand_in.endpoint), result: before}
        stand_in.after_completion = {result: after}
        yield stand_in


@pytest.fixture(scope="module")
def live_app(platform, tmp_path_factory, migrated_database):
    """The app as `make run` builds it, with the platform's verifier on its stand-in."""
    tmp = tmp_path_factory.mktemp(f"identity-{platform.name}")
    app = make_test_app(
        migrated_copy(migrated_database, tmp), tmp, WTF_CSRF_ENABLED=True, TESTING=False,
        DEMO_MODE=True, IDENTITY_VERIFIER=platform.name, IDENTITY_ENDPOINT=platform.endpoint,
        IDENTITY_ACCESS_KEY_ID="key-id", IDENTITY_ACCESS_KEY_SECRET="secret",
        IDENTITY_SCENE_ID=1000000006, IDENTITY_RULE_ID="7",
    )  # fmt: skip
    with app.app_context():
        seed_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def test_an_order_verified_through_the_platform_then_reviewed_with_the_ocr_aid(
    live_app, live_server, platform, browser, page
):
    with live_app.app_context(), transaction():
        filing, applicant = filing_at_materials()
        upload_required_materials(live_app, filing, applicant)
        number = filing.subject.certificate_number
        materials.upload(
            storage_for(live_app.config), filing, "business_licence", None,
            licence(number, "杭州青木科技有限公司"), "licence.jpg", applicant,
        )  # fmt: skip
        filing_id = filing.id

    login(page, live_server, DEMO_APPLICANT, "Apply12345")
    page.goto(f"{live_server}/filings/{filing_id}/materials")
    page.click("text=生成核验二维码")
    link = page.locator(".verify-link").get_attribute("href")

    phone = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True).new_page()
    phone.goto(link)
    assert phone.locator("#photo").count() == 0  # the platform judges: no photo here
    phone.click("text=开始人脸核验")
    phone.locator("#go-verify").wait_for()
    screenshot(phone, f"identity-{platform.name}-phone-start")
    phone.click("#go-verify")  # the platform's page; it sends the person back when done
    phone.locator("h1").wait_for()
    assert "核验完成" in phone.locator("h1").inner_text()
    assert platform.completed == ["SESSION-1"]
    screenshot(phone, f"identity-{platform.name}-phone-done")
    phone.context.close()
    page.locator(".authenticity .badge-ok").wait_for(timeout=15_000)  # the desktop updated itself

    if shutil.which("tesseract"):
        with live_app.app_context():
            assert ocr_aid.read_pending(limit=20) >= 1  # the worker's job
    staff = browser.new_page()
    login(staff, live_server, DEMO_REVIEWER, "Review12345")
    staff.goto(f"{live_server}/review/filings/{filing_id}")
    card = staff.locator("#verification")
    assert NAMES[platform.name] in card.locator("tbody tr").first.inner_text()
    assert "通过" in card.locator("tbody tr").first.inner_text()
    if shutil.which("tesseract"):
        licence_row = staff.locator("#ocr-readings tr.differs").first
        assert number in licence_row.inner_text()
        assert "杭州青木科技有限公司" in licence_row.inner_text()
        assert "不一致" in licence_row.inner_text()
    card.scroll_into_view_if_needed()
    screenshot(staff, f"identity-{platform.name}-review")
    staff.close()
