"""The wizard's parts of what a reviewer catches by hand (DOMAIN.md A2, A4): a 港澳台居民居住证
holder files as an individual with both sides of the card; emergency mobiles and ID validity are
asked, judged inline and kept; a website takes several pre-approvals, added and removed in place;
a finance name without its pre-approval warns the applicant and the reviewer without blocking;
继续添加网站 folds a typed host to its registrable domain as the type step does."""

from __future__ import annotations

from sqlalchemy import select

from domain.filing import filings, materials
from domain.lifecycle.states import Role
from domain.rulebook import rule_tables
from domain.rulebook.registry import import_registry, parse_registry_csv
from extensions import db
from models import AuditEvent, Filing, PreApprovalKeyword
from runtime import current
from tests.helpers.app import PASSWORD
from tests.helpers.wizard import (
    filing_id_from,
    subject_form,
    walk_to_confirm,
    website_block,
)

HK_RESIDENCE = "810000199001011230"
HEADER = (
    "subject_number,subject_name,subject_kind,certificate_type,certificate_number,province,"
    "responsible_mobile,filing_password,website_number,website_name,domains,access_providers,"
    "change_in_progress\n"
)
CHAN = f"浙ICP备2024000777号,陈大文,individual,hk_mo_tw_residence,{HK_RESIDENCE},33,13588880001,Chan2024x,浙ICP备2024000777号-1,大文随笔,chandaiman.cn@2029-01-01,ALIYUN,0\n"  # fmt: skip


def htmx(client, url, data):
    return client.post(url, data=data, headers={"HX-Request": "true"})


def test_a_hk_mo_tw_residence_permit_holder_files_as_an_individual(client, applicant):
    import_registry(parse_registry_csv(HEADER + CHAN), hasher=current().hasher)
    db.session.commit()
    response = client.post(
        "/filings/new",
        data={"certificate_type": "hk_mo_tw_residence", "certificate_number": HK_RESIDENCE,
              "domain": "chandaiman.cn"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    filing = db.session.get(Filing, filing_id_from(response.headers["Location"]))
    base = f"/filings/{filing.id}"
    page = client.get(f"{base}/subject").get_data(as_text=True)
    assert "港澳台居民居住证" in page and HK_RESIDENCE in page  # the person is the individual
    form = {
        **subject_form("33"), "person_name": "陈大文", "person_id_type": "hk_mo_tw_residence",
        "person_id_number": HK_RESIDENCE, "person_mobile": "13588880001",
        "person_emergency_mobile": "13588880002", "person_id_valid_until": "长期",
    }  # fmt: skip
    response = client.post(f"{base}/subject", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    person = filing.subject.responsible_person
    assert (person.emergency_mobile, person.id_valid_until) == ("13588880002", "长期")
    assert person.id_type == "hk_mo_tw_residence", person.id_type
    document = filings.to_application(filing)  # the A2 document: export, snapshots, pre-check
    assert document.subject.responsible_person.emergency_mobile == "13588880002"
    assert document.subject.responsible_person.id_valid_until == "长期"
    kinds = [r.kind for r in materials.required_materials(filing)]
    assert {"id_residence_front", "id_residence_back"} <= set(kinds) and "id_front" not in kinds


def test_the_subject_step_judges_emergency_mobile_and_validity_inline(client, applicant):
    filing = walk_to_confirm(client, applicant)
    base = f"/filings/{filing.id}"
    form = {**subject_form("33"), "person_emergency_mobile": "13800138000",
            "person_id_valid_until": "2026-01-01"}  # fmt: skip
    response = client.post(f"{base}/subject", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "应急联系电话不能与本人手机号码相同" in body
    assert "证件有效期须大于 3 个月" in body
    check = client.post(
        f"{base}/subject/check?field=person_id_valid_until",
        data={**form, "person_id_valid_until": "明年"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "YYYY-MM-DD" in check


def test_a_website_person_can_be_a_residence_permit_holder(client, applicant):
    filing = walk_to_confirm(client, applicant)
    block = website_block(
        filing, 0, person_mode="other", person_name="陈大文", person_id_type="hk_mo_tw_residence",
        person_id_number=HK_RESIDENCE, person_mobile="13588880003", person_email="chan@qinghe.cn",
        person_emergency_mobile="13800138000", person_id_valid_until="2030-01-01",
    )  # fmt: skip
    response = client.post(f"/filings/{filing.id}/websites", data=block)
    body = response.get_data(as_text=True)
    assert response.status_code == 422, body[:2000]  # the emergency number is the subject's mobile
    assert "手机号码和应急联系电话不能重复" in body
    block["websites-0-person_emergency_mobile"] = "13588880004"
    response = client.post(f"/filings/{filing.id}/websites", data=block)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    person = filing.websites[0].responsible_person
    assert (person.id_type, person.id_valid_until) == ("hk_mo_tw_residence", "2030-01-01")
    kinds = [r.kind for r in materials.required_materials(filing)]
    assert "site_person_id_residence_front" in kinds


def test_several_pre_approvals_are_added_and_removed_in_place(client, applicant):
    filing = walk_to_confirm(client, applicant)
    website = filing.websites[0]
    base = f"/filings/{filing.id}/websites/{website.id}/pre-approvals"
    block = website_block(filing, 0, **{"pre_approvals-0-category": "news",
                                        "pre_approvals-0-number": "浙新闻许字(2024)第012号"})  # fmt: skip
    response = htmx(client, f"{base}/add", block)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="websites">')
    assert 'name="websites-0-pre_approvals-1-category"' in body
    block.update({"websites-0-pre_approvals-1-category": "finance",
                  "websites-0-pre_approvals-1-number": "浙金许〔2024〕12号"})  # fmt: skip
    response = client.post(f"/filings/{filing.id}/websites", data=block)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert [a["category"] for a in website.pre_approvals] == ["news", "finance"]
    response = htmx(client, f"{base}/0/remove", block)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="websites-0-pre_approvals-1-category"' not in body
    assert [a["category"] for a in website.pre_approvals] == ["finance"]
    assert 'value="浙金许〔2024〕12号"' in body  # the kept row is now row 0


def test_a_finance_name_warns_the_applicant_and_the_reviewer_without_blocking(
    app, client, applicant, make_user
):
    filing = walk_to_confirm(client, applicant)
    filing.websites[0].name = "青禾理财"  # as the MIIT record names it
    db.session.commit()
    websites = client.get(f"/filings/{filing.id}/websites").get_data(as_text=True)
    assert "可能涉及金融前置审批" in websites
    confirm = client.get(f"/filings/{filing.id}/confirm").get_data(as_text=True)
    assert "可能涉及金融前置审批" in confirm and "预检通过" in confirm
    assert client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"}).status_code == 302  # fmt: skip
    reviewer = app.test_client()
    email = make_user(Role.reviewer).email
    assert reviewer.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302  # fmt: skip
    review = reviewer.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    assert "可能涉及金融前置审批" in review
    assert 'id="stored-checks"' in review and "管局短信将发送至原备案手机号 138****8001" in review


def test_adding_a_website_by_a_subdomain_folds_it_as_the_type_step_does(client, applicant):
    filing = walk_to_confirm(client, applicant)
    response = htmx(
        client, f"/filings/{filing.id}/websites/add",
        {**website_block(filing, 0), "new_domain": "Blog.QHNote.cn."},
    )  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    assert [w.name for w in filing.websites] == ["青禾科技官网", "青禾云笔记"]


def test_the_admin_edits_the_pre_approval_keywords(client, make_user, login):
    login(make_user(Role.admin))
    assert "编辑前置审批关键词" in client.get("/admin/tables").get_data(as_text=True)
    page = client.get("/admin/tables/pre-approval-keywords").get_data(as_text=True)
    assert "理财" in page and "药品和医疗器械" in page
    client.post(
        "/admin/tables/pre-approval-keywords", data={"category": "finance", "keyword": "基金"}
    )
    row = db.session.scalar(select(PreApprovalKeyword).where(PreApprovalKeyword.keyword == "基金"))
    assert row is not None and row.category == "finance"
    assert ("finance", "基金") in rule_tables.load().pre_approval_keywords
    client.post("/admin/tables/pre-approval-keywords/remove", data={"keyword_id": str(row.id)})
    assert db.session.get(PreApprovalKeyword, row.id) is None
    refused = client.post(
        "/admin/tables/pre-approval-keywords", data={"category": "lottery", "keyword": "彩票"},
        follow_redirects=True,
    ).get_data(as_text=True)  # fmt: skip
    assert "请选择前置审批类别" in refused
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"pre_approval_keyword_added", "pre_approval_keyword_removed"} <= actions


def test_an_id_without_expiry_may_be_typed_in_english(client, applicant):
    """The English page's hint offers "long-term" beside 长期; the bureau's word is what is kept."""
    filing = walk_to_confirm(client, applicant)
    base = f"/filings/{filing.id}"
    for typed in ("Long-term", " long term ", "PERMANENT"):
        response = client.post(
            f"{base}/subject", data={**subject_form("33"), "person_id_valid_until": typed}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        db.session.expire_all()
        assert filing.subject.responsible_person.id_valid_until == "长期", typed
    response = client.post(
        f"{base}/subject", data={**subject_form("33"), "person_id_valid_until": "forever"}
    )
    assert response.status_code == 422  # other words are still a malformed date (R-P-9)
    assert "YYYY-MM-DD" in response.get_data(as_text=True)
