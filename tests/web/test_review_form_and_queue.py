"""The reviewer's decision form and queue as a person uses them: nothing preselected, reasons and
the receipt only for the actions that take them, the next filing of the queue, pages both ways."""

from __future__ import annotations

import re

from flask import g

from domain.lifecycle.states import Action, FilingState, Role
from domain.review import reviewing
from extensions import db
from models import Material, utcnow
from runtime.policy import current_policy

S = FilingState


def review_page(client, login, filing, reviewer) -> str:
    login(reviewer)
    assert client.post(f"/review/filings/{filing.id}/claim").status_code == 302
    return client.get(f"/review/filings/{filing.id}").get_data(as_text=True)


def action_select(page: str) -> str:
    return page.split('name="action"')[1].split("</select>")[0]


def test_the_decision_form_preselects_nothing_and_needs_a_choice(
    client, login, make_filing, make_user
):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(S.submitted, reviewer=reviewer)
    page = review_page(client, login, filing, reviewer)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # the decision and release forms share no id
    options = action_select(page)
    assert options.split("<option")[1].startswith(' value="">请选择')
    assert "selected" not in options
    db.session.refresh(filing)
    response = client.post(f"/review/filings/{filing.id}/decide",
                           data={"version": filing.version, "action": ""})  # fmt: skip
    assert response.status_code == 422
    assert "处理结果：请选择处理结果" in response.get_data(as_text=True)
    db.session.refresh(filing)
    assert filing.state is S.submitted


def test_reasons_belong_to_the_rejecting_actions_and_the_receipt_to_the_bureaus(
    client, login, make_filing, make_user
):
    reviewer = make_user(Role.reviewer)
    page = review_page(client, login, make_filing(S.submitted, reviewer=reviewer), reviewer)
    reasons = re.search(r'<fieldset class="reasons" data-for-actions="([^"]+)"', page)
    assert reasons and reasons.group(1).split() == ["initial_reject"]
    assert 'name="receipt"' not in page  # no action at initial review takes a receipt
    page = review_page(client, login, make_filing(S.bureau_review, reviewer=reviewer), reviewer)
    receipt = re.search(r'<div data-for-actions="([^"]+)">\s*<div class="field[^>]*id="field-receipt"',
                        page)  # fmt: skip
    assert receipt and sorted(receipt.group(1).split()) == ["bureau_approve", "bureau_reject"]
    reasons = re.search(r'<fieldset class="reasons" data-for-actions="([^"]+)"', page)
    assert reasons and reasons.group(1).split() == ["bureau_reject"]


def test_the_next_filing_is_the_oldest_one_free_to_take(client, login, make_filing, make_user):
    reviewer, other = make_user(Role.reviewer), make_user(Role.reviewer)
    held, free, later = (make_filing(S.submitted, reviewer=reviewer) for _ in range(3))
    assert reviewing.claim(held, other, current_policy())
    db.session.commit()
    login(reviewer)
    queue = client.get("/review/?stage=submitted").get_data(as_text=True)
    assert 'action="/review/next?stage=submitted"' in queue and 'id="next-filing"' in queue
    response = client.get("/review/next?stage=submitted")
    assert response.headers["Location"].endswith(f"/review/filings/{free.id}")
    response = client.get(f"/review/next?stage=submitted&skip={free.id}")
    assert response.headers["Location"].endswith(f"/review/filings/{later.id}")


def test_taking_the_next_filing_claims_it(client, login, make_filing, make_user):
    reviewer, other = make_user(Role.reviewer), make_user(Role.reviewer)
    held, free = (make_filing(S.submitted, reviewer=reviewer) for _ in range(2))
    assert reviewing.claim(held, other, current_policy())
    db.session.commit()
    login(reviewer)
    response = client.post("/review/next?stage=submitted")
    assert response.headers["Location"].endswith(f"/review/filings/{free.id}")
    db.session.refresh(free)
    assert free.claimed_by_id == reviewer.id  # taken, not only opened
    response = client.post(f"/review/next?stage=submitted&skip={free.id}", follow_redirects=True)
    assert "该队列暂无其他待处理的备案" in response.get_data(as_text=True)


def test_an_empty_queue_says_so_and_a_stage_that_is_no_queue_is_404(client, login, make_user):
    login(make_user(Role.reviewer))
    response = client.get("/review/next?stage=re_review", follow_redirects=True)
    assert "该队列暂无其他待处理的备案" in response.get_data(as_text=True)
    assert client.get("/review/next?stage=draft").status_code == 404
    assert client.get("/review/next?stage=nonsense").status_code == 404


def ids_on(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="filing-(\d+)"', page)]


def link(page: str, element_id: str) -> str | None:
    found = re.search(rf'id="{element_id}" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_queue_pages_go_back_and_to_the_first(client, login, make_filing, make_user):
    reviewer = make_user(Role.reviewer)
    for _ in range(reviewing.PAGE_SIZE * 2 + 3):
        make_filing(S.submitted, reviewer=reviewer)
    login(reviewer)
    first = client.get("/review/?stage=submitted").get_data(as_text=True)
    assert link(first, "page-previous") is None and link(first, "page-first") is None
    second = client.get(link(first, "page-next")).get_data(as_text=True)
    third = client.get(link(second, "page-next")).get_data(as_text=True)
    assert len(ids_on(third)) == 3 and link(third, "page-next") is None
    back = client.get(link(third, "page-previous")).get_data(as_text=True)
    assert ids_on(back) == ids_on(second)
    again = client.get(link(back, "page-previous")).get_data(as_text=True)
    assert ids_on(again) == ids_on(first) and link(again, "page-previous") is None
    assert link(again, "page-first") is None  # the first page, reached backwards, links no 第一页
    assert ids_on(client.get(link(third, "page-first")).get_data(as_text=True)) == ids_on(first)


def test_pages_back_keep_the_newest_first_order(client, login, make_filing, make_user):
    reviewer = make_user(Role.reviewer)
    for _ in range(reviewing.PAGE_SIZE + 4):
        make_filing(S.submitted, reviewer=reviewer)
    login(reviewer)
    first = client.get("/review/?stage=submitted&sort=newest").get_data(as_text=True)
    second = client.get(link(first, "page-next")).get_data(as_text=True)
    assert "sort=newest" in link(second, "page-previous")
    back = client.get(link(second, "page-previous")).get_data(as_text=True)
    assert ids_on(back) == ids_on(first) and ids_on(first) == sorted(ids_on(first), reverse=True)


def test_a_reviewer_who_moves_a_filing_to_another_staff_stage_keeps_it(make_filing, make_user):
    from domain.review.reviewing import decide

    reviewer = make_user(Role.reviewer)
    filing = make_filing(S.re_review, reviewer=reviewer)
    policy = current_policy()
    assert reviewing.claim(filing, reviewer, policy)
    decide(filing, reviewer, Action.re_approve, policy=policy, expected_version=filing.version)
    db.session.commit()
    assert filing.state is S.bureau_pending  # staff act next: still this reviewer's
    assert filing.claimed_by_id == reviewer.id
    assert reviewing.holds_claim(filing, reviewer, utcnow(), policy)
    decide(
        filing, reviewer, Action.submit_to_bureau, policy=policy, expected_version=filing.version
    )
    db.session.commit()
    assert filing.state is S.sms_pending and filing.claimed_by_id is None  # the applicant's turn


def test_the_reason_picker_offers_only_materials_and_checks_that_exist(
    client, login, make_filing, make_user
):
    """At initial review nothing is uploaded or verified yet: no reason can ask to replace it."""
    reviewer = make_user(Role.reviewer)
    filing = make_filing(S.submitted, reviewer=reviewer)
    page = review_page(client, login, filing, reviewer)
    assert 'value="materials.business_licence"' not in page
    assert "authenticity" not in re.sub(r"<script.*?</script>", "", page, flags=re.S)
    db.session.add(
        Material(filing_id=filing.id, kind="business_licence", storage_key="k-licence",
                 content_type="image/png", size_bytes=1, width=800, height=600, sha256="aa",
                 uploaded_by_id=filing.account_id)
    )  # fmt: skip
    filing.websites[0].authenticity_verified_at = utcnow()
    db.session.commit()
    g.pop("field_choices", None)  # the test's app context outlives a request: its cache too
    page = client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    assert 'value="materials.business_licence"' in page
    assert 'value="websites[0].authenticity"' in page


def test_the_gallery_groups_the_subject_then_each_website_with_its_photo_beside_the_id(
    client, login, make_filing, make_user
):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(S.submitted, reviewer=reviewer)
    site = filing.websites[0].id
    for index, (kind, website_id) in enumerate(
        [("domain_certificate", site), ("live_photo", site), ("id_back", None),
         ("business_licence", None), ("id_front", None)]
    ):  # fmt: skip
        db.session.add(
            Material(filing_id=filing.id, website_id=website_id, kind=kind,
                     storage_key=f"k-{index}", content_type="image/png", size_bytes=1,
                     width=800, height=600, sha256=f"{index}", uploaded_by_id=filing.account_id)
        )  # fmt: skip
    db.session.commit()
    page = review_page(client, login, filing, reviewer)
    gallery = page.split("<h2>资料</h2>")[1].split("</section>")[0]
    titles = re.findall(r'<h3 class="gallery-title">([^<]+)</h3>', gallery)
    assert titles == ["主体", "青禾科技官网"]
    subject_part, site_part = gallery.split('<h3 class="gallery-title">')[1:]
    captions = [re.findall(r"<figcaption>([^ ]+) ·", part) for part in (subject_part, site_part)]
    assert captions[0] == ["营业执照或单位证件", "负责人身份证人像面", "负责人身份证国徽面"]
    # the website's person is the subject's: that ID is shown once, under the subject, and said
    assert captions[1] == ["真实性核验照片", "域名证书（实名信息截图）"]
    assert "网站负责人即主体负责人" in site_part
    assert gallery.count("<figcaption>负责人身份证人像面") == 1
